// Package cucmsim is a simulated Cisco Unified Communications Manager cluster: it serves AXL
// (POST /axl/) and RisPort70 (POST /realtimeservice2/services/RISService70) with CUCM's SOAP
// envelopes, namespaces, SOAPAction and version handling, Basic auth and session cookies, HTTP
// codes and faults, driven by a scenario YAML (see examples/demo.yaml).
//
// AXL executeSQLQuery answers real SQL over the scenario held in an in-memory SQLite database
// with CUCM's own table and column names, following the data dictionary rather than the
// collector: device, typeclass, typemodel, typeproduct, devicepool, callmanagergroup,
// processnode (with typeprocessnoderole, IM and Presence nodes and the EnterpriseWideData row),
// numplan (DNs, route patterns 5, translation patterns 3, hunt pilots 7, with the routing and
// forward columns of CUCM-API.md §A), devicenumplanmap (line appearances and every
// pattern→device link: several route patterns share one route list and numplanindex),
// routelist, routegroup, routegroupdevicemap, linegroup, linegroupnumplanmap, callingsearchspace
// (+member, sortorder), digitdiscardinstruction, callforwarddynamic, defaults (firmware load per
// model and protocol), mgcp, mgcpdevicemember, enduser (status, islocaluser), applicationuser,
// dirgroup, functionrole and their maps. Hunt lists are typemodel Route List with typeproduct
// Hunt List (AXLEnums.xsd 15.0: XModel has no "Hunt List"); route lists, universal device
// templates, device profiles and BAT templates are never in RisPort. The application user is
// read-only (writes answer 401). getCCMVersion, listProcessNode (processNodeRole per node) and
// listPhone are answered too.
//
// # Informix dialect
//
// One checker (dialect.go) decides what executeSQLQuery accepts, as CUCM's Informix would; a
// refused query gets CUCM's fault (HTTP 500, axlError with the Informix code):
//
//   - Only one SELECT statement; a trailing ';' is allowed, one in the middle is -201, any
//     other statement is refused as a write (-1).
//   - Paging is in the projection: SELECT [SKIP n] [FIRST m | LIMIT m] [UNIQUE|DISTINCT] (in
//     subqueries too). A trailing LIMIT, any OFFSET: -201.
//   - WITH (common table expressions), OVER/WINDOW (window functions), GLOB, REGEXP, ==,
//     ISNULL/NOTNULL postfix, COLLATE, backtick and [bracket] identifiers: -201.
//   - SQLite-only functions are -674 "Routine (name) can not be resolved.": ifnull,
//     group_concat, string_agg, printf, format, instr, iif, total, julianday, strftime,
//     datetime, time, unixepoch, char, hex, unhex, random, randomblob, glob, like (as a
//     function), typeof, quote, zeroblob, likelihood, likely, unlikely, unicode, soundex,
//     sqlite_*, changes, last_insert_rowid, total_changes, json*, octet_length, row_number,
//     rank, dense_rank, ntile, lag, lead, first_value, last_value, nth_value, percent_rank,
//     cume_dist. sqlite_* and pragma_* tables are -206.
//   - Translated: NVL, DECODE(x, a, r, ..., default), SUBSTRING(x FROM n FOR m), TODAY,
//     CURRENT [YEAR TO SECOND|FRACTION(n)], DBINFO('utc_to_datetime', x), DBINFO('utc_current'),
//     x [NOT] MATCHES 'pattern' (*, ?, [...]), COUNT(UNIQUE x), and "double-quoted" text, which
//     Informix without DELIMIDENT (as on CUCM) reads as a string literal.
//   - Accepted as is: CASE, COUNT/SUM/MIN/MAX/AVG, LOWER, UPPER, LENGTH, TRIM, SUBSTR, DATE(),
//     !=, <>, ||, comments (--, /* */, { }); identifiers are case-insensitive and answer
//     elements are lower case.
//   - Unknown table -206, unknown column -217, ambiguous column -324, anything else -201.
//
// # Fidelity switches
//
// Where real behaviour is uncertain the scenario chooses: run_on_all_nodes.risport (one_node,
// the default, or every_node: RisPort lists a run-on-all-nodes trunk on every Unified CM node
// with the same status and TimeStamp); risport.unknown (trunks whose RisPort status is Unknown,
// as a SIP trunk without OPTIONS ping may show); mgcp_cm_group (the MGCP gateway's own
// CallManager group, default the endpoints' pool's group); no_line_group (hunt lists whose
// line group is not set: no routelist row, still Registered in RisPort); the IM and Presence
// node's tknodeusage (1) and the product enum of Hunt List (91) are [inf].
//
// # Test hooks
//
// (*Server).SetQueryHook(func(sql string, n int)) runs before each executeSQLQuery is
// answered; (*Server).Mutate(ctx, stmts...) runs INSERT/UPDATE/DELETE on the database between
// requests (memory and file databases; queries wait); (*Server).Truth() is the ground truth of
// the generated cluster (devices with class, model, product, RisPort class and entries, pool,
// owner and status, lines, load override and default, run-on-all-nodes, MGCP gateway,
// process node; nodes with role and CallManager groups; route and translation patterns, hunt
// pilots, hunt and route lists; users; default loads).
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
// {user, password}, nodes [{name, role (publisher, subscriber, im_and_presence), ip,
// description}], cm_groups [{name, nodes}], device_pools [{name, cm_group, location}],
// partitions, calling_search_spaces [{name, partitions}], locations, users {extra,
// ldap_synced, inactive_owners}, unassigned_dns {count, start, partition}, device_groups,
// devices, dial_plan {line_css, forwarding {voicemail_fraction, cfa, cfa_destination,
// cfur_destination, css}, route_groups [{name, algorithm, members}], route_lists [{name,
// device_pool, route_groups, run_on_all_nodes}], route_patterns [{pattern, count, partition,
// destination, description, discard, prefix_digits, called_mask, calling_mask, block, urgent,
// emergency}], translation_patterns [{pattern, count, partition, calling_search_space,
// description, discard, prefix_digits, called_mask, block, urgent, use_originator_css}],
// hunt_pilots {count, start, partition}, line_css_ranges [{from, to, line_css, description}]},
// firmware {defaults [{model, protocol, load}],
// overrides [{group, model, load, running, count}]}, templates {universal_device_templates,
// device_profiles [{model, count, dn_start, partition}], phone_templates [{model, count}]},
// software_media_resources {device_pool, risport}, application_users [{name, roles}] and
// faults. Everything beyond device_groups and devices is generated afterwards from its own
// random streams, so it never changes a generated device, line, owner or RisPort entry.
//
// A device group generates count devices of one RisPort class (Phone, Gateway, SIPTrunk,
// HuntList, H323, Cti, VoiceMail, MediaResources): names (explicit, then name_pattern with
// {mac}, {n}, {i}, {n:03}), models with weights and firmware loads with weights, protocol,
// device_pools (round robin), calling_search_space, partition, dn_start, lines,
// extra_line_fraction, no_line, owner_fraction, description ({n} {owner} {dn} {model} {pool}),
// special_descriptions, and risport {seen, registered, unregistered, rejected,
// partially_registered, unregistered_reasons, rejected_reasons, unregistered_spread_days,
// failed_over, duplicated, unknown}, run_on_all_nodes {count, risport}, mgcp_cm_group and
// no_line_group. The status counts are those after the newest-TimeStamp dedup: a
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
// authenticated RisPort request. axl_tables_denied lists tables the AXL user may not read: a
// query naming one answers Informix's privilege error -272 "No SELECT permission for <table>."
// (the code and text are Informix's; that CUCM passes them through unchanged is inferred from
// how it passes -206 and -217).
//
// Beyond the inventory, the database models what the collection manifest mirrors: dial plan
// (partitions, CSSs and members, numplan rows of every usage with routing, transformation and
// forward columns, route lists, groups and members, line groups, discard instructions, route
// filters), callforwarddynamic, security profiles (a model-independent phone profile, the
// standard non-secure SIP trunk profile and a TLS profile for the SBC trunks, which allow
// SRTP), users' and application users' access control groups and roles, and registrationdynamic
// (from CUCM 11.5: a scenario whose version is older has no such table).
package cucmsim
