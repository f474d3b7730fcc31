// Package dialplan is cucm-audit's digit analysis engine: an offline, deterministic clone of
// what Cisco Unified CM's digit analysis and its Dialed Number Analyzer (DNA) do, over a dial
// plan read from a snapshot. It holds no SQL and does no I/O; a loader fills Data from the
// snapshot's views and NewPlan indexes it once.
//
// # Model
//
// Everything is named as CUCM names it (CUCM-API.md, sections A to E): a Pattern is a numplan
// row (directory number, route pattern, translation pattern, hunt pilot, ...) in a partition
// ("" is <None>); a CSS is an ordered list of partitions; route patterns lead to route lists,
// route groups and gateways or trunks, hunt pilots to hunt lists, line groups and the devices
// of their DNs. Registration state comes from the same snapshot through a Registrar.
//
// # Pattern language (CUCM-API.md J.2)
//
// Digits, * # and A-D are literal; X is one digit; ! is one or more digits; [1-5] and [^0-2]
// are one digit of a set (the complement of [^..] is taken within 0-9); ? repeats the element
// before it zero or more times and an unescaped + one or more times; \+ is a literal plus, as
// numplan stores it; '.' matches nothing and marks where PreDot discarding stops; @ is the North
// American Numbering Plan (see nanpAlternatives for the built-in grammar and its tags), which
// route filters narrow by tag with NOT-SELECTED, EXISTS, DOES-NOT-EXIST and ==.
//
// # Selection (CUCM-API.md J.1)
//
// The search order is the line CSS's partitions, then the device CSS's, duplicates dropped
// keeping the first, then <None>. Every pattern in those partitions that matches is a
// candidate; the closest match, the one matching the fewest strings of the dialed length,
// wins, and partition order only breaks ties (so <None> loses every tie). Counts are exact big
// integers. An @ pattern is measured by the numbering-plan alternative it matched, as CUCM
// expands @ into separate patterns.
//
// Digits arrive one at a time unless Origin.EnBloc is set: an urgent pattern routes as soon as
// it matches, and a match that no longer pattern can extend routes before the remaining digits
// (which are reported as unused). When a longer pattern could still match, the result says that
// CUCM waits for the interdigit timer (T302) first, or, on NoMatch, that more digits are needed.
//
// # Translation (CUCM-API.md J.3, J.4)
//
// A translation pattern transforms the called number (discard digits, then the called party
// mask, then prefix digits: calledPartyTransform names the Cisco source for that order) and the
// calling number (mask, then prefix), then analysis starts again, en bloc, with the
// translation's own CSS or, with "Use Originator's CSS", the one in effect. A repeated state is
// reported as a loop at once; otherwise the eleventh translation in a row is (CUCM stops after
// ten). Blocked patterns, translation or route, block with their release cause.
//
// # Sources
//
// /work/shared/CUCM-API.md sections A, C, D, E and J and the Cisco documents they cite; Cisco
// CallManager Administration Guide 3.1 "Special Characters and Settings" (discard digit
// instructions, Table 20-3); Cisco Press CIPT1 chapter 11 (digit manipulation order and masks).
// Where CUCM's behaviour is not documented the code says so at the decision.
package dialplan
