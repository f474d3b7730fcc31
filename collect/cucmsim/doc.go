// Package cucmsim is a simulated Cisco Unified Communications Manager cluster: it serves AXL
// (POST /axl/) and RisPort70 (POST /realtimeservice2/services/RISService70) with CUCM's SOAP
// envelopes, namespaces, SOAPAction and version handling, Basic auth and session cookies, HTTP
// codes and faults, driven by a scenario YAML (see examples/demo.yaml).
//
// AXL executeSQLQuery answers real SQL over the scenario held in an in-memory SQLite database
// with CUCM's own table and column names (device, typeclass, typemodel, devicepool,
// callmanagergroup, processnode, numplan, devicenumplanmap, enduser, ...). Informix paging
// (SELECT SKIP n FIRST m) is translated; only SELECT is accepted; the application user is
// read-only (writes answer 401). getCCMVersion, listProcessNode and listPhone are answered too.
//
// RisPort70 answers selectCmDevice (per node; * wildcards; a device may be listed under two
// nodes with different TimeStamps, the newest being the truth) and selectCmDeviceExt (only the
// newest entry per device; explicit names only: an item containing * is taken literally and
// matches nothing; no items at all selects every device). Answers are capped silently at
// min(MaxReturnedDevices, risport_max_devices); TotalDevicesFound is the number returned.
// With risport_stateinfo_paging the StateInfo is a continuation token while more remain and
// empty at the end; without it the incoming StateInfo is ignored (the same first page comes
// back) and the answer carries a constant StateInfo describing the nodes, like a real cluster.
//
// Every fault is a knob of Faults, deterministic from the scenario seed and changeable at run
// time with (*Server).SetFaults. The RisPort rate limit is a fixed window counted on every
// authenticated RisPort request.
package cucmsim
