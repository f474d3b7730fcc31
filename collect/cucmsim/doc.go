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
// # Scenarios
//
// A scenario (examples/demo.yaml is the documented full example; examples/tiny.yaml the
// smallest) is decoded strictly: unknown keys, bad types, negative counts, unknown classes,
// models, nodes, pools or partitions, and RisPort counts that do not add up are errors naming
// the file, line and field ("demo.yaml:12: field qurey not found in type cucmsim.Scenario").
// Top-level keys: seed, cluster {name, id, domain}, version, axl_versions, now, credentials
// {user, password}, nodes [{name, role, ip, description}], cm_groups [{name, nodes}],
// device_pools [{name, cm_group, location}], partitions, calling_search_spaces [{name,
// partitions}], locations, users {extra}, unassigned_dns {count, start, partition},
// device_groups, devices and faults.
//
// A device group generates count devices of one RisPort class (Phone, Gateway, SIPTrunk,
// HuntList, H323, Cti, VoiceMail, MediaResources): names (explicit, then name_pattern with
// {mac}, {n}, {i}, {n:03}), models with weights and firmware loads with weights, protocol,
// device_pools (round robin), calling_search_space, partition, dn_start, lines,
// extra_line_fraction, no_line, owner_fraction, description ({n} {owner} {dn} {model} {pool}),
// special_descriptions, and risport {seen, registered, unregistered, rejected,
// partially_registered, unregistered_reasons, rejected_reasons, unregistered_spread_days,
// failed_over, duplicated}. The status counts are those after the newest-TimeStamp dedup: a
// failed-over device is Registered on its CallManager group's second node (or, in a one-node
// group, the next subscriber); a duplicated one is also listed, older and in the contrary
// state, under a second node. Explicit devices list every RisPort entry (node, status, reason,
// timestamp, ip, loads, login_user) for tiny exact scenarios. A group or device with
// not_in_axl is listed by RisPort only (deleted from the configuration, still registering).
//
// Prefix wildcards ("SEP00*") are answered from a sorted name index, other wildcards by a scan
// of every row; both give the same answer. Nodes: nodes_not_responding answer
// NodeNotResponding, nodes_not_found answer NotFound, nodes_silent are left out of every answer
// and of the StateInfo (a node that says nothing at all); with risport_empty_nodes: nil a node
// with nothing to list is left out of CmNodes but still named in the StateInfo.
//
// Every fault is a knob of Faults, deterministic from the scenario seed and changeable at run
// time with (*Server).SetFaults. The RisPort rate limit is a fixed window counted on every
// authenticated RisPort request.
package cucmsim
