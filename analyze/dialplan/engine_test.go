package dialplan

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Sources cited by the table below (sections of /work/shared/CUCM-API.md and the Cisco
// documents they name).
const (
	srcClosest   = "CUCM-API J.1 (SYS90; COMM-4768362 closest match = fewest strings of the dialed length)"
	srcTies      = "CUCM-API J.1 (SYS90: partition order serves only to break ties)"
	srcNone      = "CUCM-API C, J.1 (SYS90: the null partition is searched last)"
	srcLineDev   = "CUCM-API D, J.1 (line CSS concatenated before device CSS)"
	srcT302      = "CUCM-API J.1 (ieoc quote: CUCM waits for the inter-digit timer while a longer pattern can match)"
	srcUrgent    = "CUCM-API J.1 (Ratliff: urgent priority routes regardless of alternate matches, T302 never kicks in)"
	srcWild      = "CUCM-API J.2 (SCG1151 wildcard table)"
	srcPlus      = "CUCM-API A.2, J.2 (COMM-2391440: \\+ is a literal plus, stored escaped)"
	srcDot       = "CUCM-API J.2, J.4 (the '.' marks the PreDot discard point)"
	srcDDI       = "CUCM-API J.4; Cisco CallManager Admin Guide 3.1 Table 20-3 (Discard Digits Instructions)"
	srcXform     = "CUCM-API J.3; Cisco Press CIPT1 ch.11 Fig. 11-24 (discard, then mask, then prefix)"
	srcMask      = "Cisco Press CIPT1 ch.11 (mask longer pads, shorter truncates, X keeps the digit)"
	srcXlate     = "CUCM-API J.3 (PA14: secondary lookup with the translation pattern's CSS)"
	srcOrigCSS   = "CUCM-API J.3 (PA14: Use Originator's CSS = the CSS in effect when engaged)"
	srcLoop      = "CUCM-API J.3 (Cisco Press CIPT1: ten translation iterations to prevent loops)"
	srcBlock     = "CUCM-API A (blockenable, tkreleasecausevalue), J.3 (TPBLOCK)"
	srcNANP      = "CUCM-API J.2 (SCG1151: @ is the whole national numbering plan)"
	srcFilter    = "CUCM-API J.5 (RF91: route filters on @ patterns, tags and operators)"
	srcRoute     = "CUCM-API E (route pattern -> route list -> route groups -> devices, in selection order)"
	srcLocalRG   = "CUCM-API D (PA14: Standard Local Route Group resolves to the calling device pool's)"
	srcHunt      = "CUCM-API E (hunt pilot -> hunt list -> line groups -> DNs)"
	srcPLAR      = "CUCM-API A.2 (translation patterns may have an empty dnorpattern, PLAR)"
	srcEmergency = "CUCM-API A (isemergencyservicenumber)"
)

type opt func(*Pattern)

func urgent(p *Pattern)  { p.Urgent = true }
func blocked(p *Pattern) { p.Blocked = true; p.ReleaseCause = "Call Rejected" }
func ddi(n string) opt   { return func(p *Pattern) { p.DiscardDigits = n } }
func mask(m string) opt  { return func(p *Pattern) { p.CalledMask = m } }
func prefix(d string) opt {
	return func(p *Pattern) { p.PrefixDigits = d }
}
func cgMask(m, pre string) opt {
	return func(p *Pattern) { p.CallingMask, p.CallingPrefix = m, pre }
}
func filter(f string) opt { return func(p *Pattern) { p.RouteFilter = f } }
func origCSS(p *Pattern)  { p.UseOriginatorCSS = true }
func emergency(p *Pattern) {
	p.IsEmergency = true
}

func mk(text, pt string, u Usage, dest string, opts ...opt) Pattern {
	p := Pattern{ID: pt + "/" + text, Text: text, Partition: pt, Usage: u}
	switch u {
	case UsageDevice:
		if dest != "" {
			p.Devices = []string{dest}
		}
	case UsageTranslation:
		p.CSS = dest
	default:
		p.Destination = dest
	}
	for _, o := range opts {
		o(&p)
	}
	return p
}

func rp(text, pt, dest string, o ...opt) Pattern { return mk(text, pt, UsageRoute, dest, o...) }
func dn(text, pt, dev string, o ...opt) Pattern  { return mk(text, pt, UsageDevice, dev, o...) }
func tp(text, pt, css string, o ...opt) Pattern  { return mk(text, pt, UsageTranslation, css, o...) }

// base is the shared part of every case's plan.
func base(pats ...Pattern) Data {
	return Data{
		Patterns: pats,
		CSSes: []CSS{
			{Name: "Line", Partitions: []string{"PT-Block"}},
			{Name: "Dev", Partitions: []string{"PT-Internal", "PT-PSTN"}},
			{Name: "AB", Partitions: []string{"PT-A", "PT-B"}},
			{Name: "BA", Partitions: []string{"PT-B", "PT-A"}},
			{Name: "LineDup", Partitions: []string{"PT-PSTN", "PT-Block"}},
			{Name: "Secret", Partitions: []string{"PT-Secret"}},
			{Name: "PLAR", Partitions: []string{"PT-PLAR"}},
			{Name: "Nowhere", Partitions: []string{"PT-Empty"}},
		},
		RouteLists: []RouteList{
			{Name: "RL-PSTN", Members: []RouteListMember{{RouteGroup: "RG-Primary"}, {RouteGroup: "RG-Backup", CalledMask: "XXXXXXX"}}},
			{Name: "RL-Local", Members: []RouteListMember{{RouteGroup: StandardLocalRouteGroup}}},
		},
		RouteGroups: []RouteGroup{
			{Name: "RG-Primary", Devices: []string{"GW-1", "GW-2"}},
			{Name: "RG-Backup", Devices: []string{"SIP-Trunk-1"}},
			{Name: "RG-Site", Devices: []string{"GW-Site"}},
		},
		HuntLists:  []HuntList{{Name: "HL-Help", LineGroups: []string{"LG-Help"}}},
		LineGroups: []LineGroup{{Name: "LG-Help", Members: []LineGroupMember{{DN: "2001", Partition: "PT-Internal"}, {DN: "2002", Partition: "PT-Internal"}}}},
		RouteFilters: []RouteFilter{
			{Name: "RF-900", Clauses: []FilterClause{{Conditions: []FilterCondition{{Tag: "AREA-CODE", Operator: OpEquals, Digits: "900"}}}}},
			{Name: "RF-NoIntl", Clauses: []FilterClause{{Conditions: []FilterCondition{{Tag: "INTERNATIONAL-ACCESS", Operator: OpDoesNotExist}}}}},
		},
		Registration: RegistrationMap{"GW-1": "Registered", "GW-2": "Unregistered", "SIP-Trunk-1": "Registered",
			"SEP001": "Registered", "SEP002": "Unregistered", "SEP2001": "Registered", "GW-Site": "Registered"},
	}
}

// want lists what a case checks; empty strings and nil slices are not checked.
type want struct {
	outcome   Outcome
	winner    string // final hop's winning pattern
	partition string // its partition
	called    string // digits sent on (route) or after the last translation
	calling   string
	legs      []string // device[status] in order
	hops      int
	t302      bool // final hop waits for the interdigit timeout
	needsMore bool
	unused    string
	reason    string // substring of Reason, the final hop's WinReason or a warning
}

func bloc(line, dev string) Origin {
	return Origin{LineCSS: line, DeviceCSS: dev, CallingNumber: "1000", EnBloc: true}
}
func keys(line, dev string) Origin {
	return Origin{LineCSS: line, DeviceCSS: dev, CallingNumber: "1000"}
}

func TestAnalyze(t *testing.T) {
	tests := []struct {
		name   string
		rule   string
		data   Data
		origin Origin
		dialed string
		want   want
	}{
		{"DN routes to its phone", "CUCM-API A, E (DN -> devicenumplanmap -> device)",
			base(dn("1001", "PT-Internal", "SEP001")), bloc("", "Dev"), "1001",
			want{outcome: OutcomeRouted, winner: "1001", partition: "PT-Internal", called: "1001", legs: []string{"SEP001[Registered]"}}},
		{"12XX beats 1XXX", srcClosest,
			base(dn("1XXX", "PT-Internal", "SEP001"), dn("12XX", "PT-Internal", "SEP002")), bloc("", "Dev"), "1234",
			want{outcome: OutcomeRouted, winner: "12XX", reason: "matches 100 strings"}},
		{"121X beats 12XX", srcClosest,
			base(dn("12XX", "PT-Internal", "SEP001"), dn("121X", "PT-Internal", "SEP002")), bloc("", "Dev"), "1215",
			want{outcome: OutcomeRouted, winner: "121X", reason: "matches 10 strings"}},
		{"exact 1234 beats 123X", srcClosest,
			base(dn("123X", "PT-Internal", "SEP001"), dn("1234", "PT-Internal", "SEP002")), bloc("", "Dev"), "1234",
			want{outcome: OutcomeRouted, winner: "1234", legs: []string{"SEP002[Unregistered]"}}},
		{"15! beats 1[3-5]XX dialing 1515", srcClosest,
			base(dn("1[3-5]XX", "PT-Internal", "SEP001"), dn("15!", "PT-Internal", "SEP002")), bloc("", "Dev"), "1515",
			want{outcome: OutcomeRouted, winner: "15!", t302: true, reason: "15! matches 100 strings of 4 digits, 1[3-5]XX matches 300"}},
		{"more specific pattern in a later partition wins", srcTies,
			base(dn("1XXX", "PT-A", "SEP001"), dn("1234", "PT-B", "SEP002")), bloc("", "AB"), "1234",
			want{outcome: OutcomeRouted, winner: "1234", partition: "PT-B"}},
		{"tie broken by partition order A before B", srcTies,
			base(dn("12XX", "PT-A", "SEP001"), dn("12XX", "PT-B", "SEP002")), bloc("", "AB"), "1234",
			want{outcome: OutcomeRouted, winner: "12XX", partition: "PT-A", reason: "tie broken by partition order"}},
		{"tie broken by partition order B before A", srcTies,
			base(dn("12XX", "PT-A", "SEP001"), dn("12XX", "PT-B", "SEP002")), bloc("", "BA"), "1234",
			want{outcome: OutcomeRouted, winner: "12XX", partition: "PT-B"}},
		{"equal patterns with different wildcards tie on count", srcTies,
			base(dn("1[2-3]X4", "PT-B", "SEP001"), dn("12X[3-4]", "PT-A", "SEP002")), bloc("", "BA"), "1234",
			want{outcome: OutcomeRouted, winner: "1[2-3]X4", partition: "PT-B", reason: "equally specific (20 strings"}},
		{"line CSS wins a tie against device CSS", srcLineDev,
			base(rp("9.1900XXXXXXX", "PT-Block", "", blocked), rp("9.1900XXXXXXX", "PT-PSTN", "RL-PSTN")), bloc("Line", "Dev"), "919005551234",
			want{outcome: OutcomeBlocked, winner: "9.1900XXXXXXX", partition: "PT-Block"}},
		{"more specific device CSS pattern beats line CSS", srcLineDev,
			base(rp("9.1XXXXXXXXXX", "PT-Block", "", blocked), rp("9.1408XXXXXXX", "PT-PSTN", "GW-1")), bloc("Line", "Dev"), "914085551234",
			want{outcome: OutcomeRouted, winner: "9.1408XXXXXXX", partition: "PT-PSTN"}},
		{"named partition wins a tie against <None>", srcNone,
			base(dn("12XX", "", "SEP001"), dn("12XX", "PT-B", "SEP002")), bloc("", "BA"), "1234",
			want{outcome: OutcomeRouted, winner: "12XX", partition: "PT-B"}},
		{"<None> reachable without any CSS", srcNone,
			base(dn("1001", "", "SEP001")), bloc("", ""), "1001",
			want{outcome: OutcomeRouted, winner: "1001", partition: NonePartition}},
		{"<None> pattern more specific than a named one wins", srcNone,
			base(dn("1XXX", "PT-A", "SEP001"), dn("1001", "", "SEP002")), bloc("", "AB"), "1001",
			want{outcome: OutcomeRouted, winner: "1001", partition: NonePartition}},
		{"partition outside the CSS is not reachable", "CUCM-API J.1 (SYS90: a device reaches only partitions of its CSS)",
			base(dn("1001", "PT-Secret", "SEP001")), bloc("", "Dev"), "1001",
			want{outcome: OutcomeNoMatch}},
		{"! wins over fixed length when it is more specific", srcClosest,
			base(dn("9XXX", "PT-Internal", "SEP001"), dn("91!", "PT-Internal", "SEP002")), bloc("", "Dev"), "9123",
			want{outcome: OutcomeRouted, winner: "91!", t302: true, reason: "91! matches 100 strings"}},
		{"9! ties with 9XXX at four digits; partition order decides", srcTies,
			base(dn("9!", "PT-A", "SEP001"), dn("9XXX", "PT-B", "SEP002")), bloc("", "AB"), "9123",
			want{outcome: OutcomeRouted, winner: "9!", partition: "PT-A", t302: true}},
		{"! needs at least one digit", srcWild,
			base(dn("91!", "PT-Internal", "SEP001")), bloc("", "Dev"), "91",
			want{outcome: OutcomeNoMatch, needsMore: true}},
		{"fixed-length match routes without T302", srcT302,
			base(dn("9XXX", "PT-Internal", "SEP001")), bloc("", "Dev"), "9123",
			want{outcome: OutcomeRouted, winner: "9XXX", t302: false}},
		{"longer pattern possible: T302 before routing", srcT302,
			base(dn("9XXX", "PT-Internal", "SEP001"), dn("9XXXX", "PT-Internal", "SEP002")), bloc("", "Dev"), "9123",
			want{outcome: OutcomeRouted, winner: "9XXX", t302: true}},
		{"keypad digits: routes when no longer pattern can match", srcT302,
			base(rp("911", "PT-PSTN", "GW-1")), keys("", "Dev"), "9111",
			want{outcome: OutcomeRouted, winner: "911", unused: "1", called: "911"}},
		{"keypad digits: urgent pattern routes before 1XXX completes", srcUrgent,
			base(dn("1XXX", "PT-Internal", "SEP001"), dn("100", "PT-Internal", "SEP002", urgent)), keys("", "Dev"), "1000",
			want{outcome: OutcomeRouted, winner: "100", unused: "0", reason: "urgent priority"}},
		{"keypad digits: non-urgent 100 waits and 1XXX wins", srcUrgent,
			base(dn("1XXX", "PT-Internal", "SEP001"), dn("100", "PT-Internal", "SEP002")), keys("", "Dev"), "1000",
			want{outcome: OutcomeRouted, winner: "1XXX", legs: []string{"SEP001[Registered]"}}},
		{"urgent winner skips T302", srcUrgent,
			base(dn("9XXX", "PT-Internal", "SEP001", urgent), dn("9XXXX", "PT-Internal", "SEP002")), bloc("", "Dev"), "9123",
			want{outcome: OutcomeRouted, winner: "9XXX", t302: false}},
		{"[^0-2] matches a digit outside the set", srcWild,
			base(dn("5[^0-2]XX", "PT-Internal", "SEP001")), bloc("", "Dev"), "5312",
			want{outcome: OutcomeRouted, winner: "5[^0-2]XX"}},
		{"[^0-2] rejects a digit in the set", srcWild,
			base(dn("5[^0-2]XX", "PT-Internal", "SEP001")), bloc("", "Dev"), "5112",
			want{outcome: OutcomeNoMatch}},
		{"[^0-2]XX (700) beats XXX (1000)", srcClosest,
			base(dn("5XXX", "PT-Internal", "SEP001"), dn("5[^0-2]XX", "PT-Internal", "SEP002")), bloc("", "Dev"), "5312",
			want{outcome: OutcomeRouted, winner: "5[^0-2]XX", reason: "matches 700 strings"}},
		{`\+ matches a literal plus`, srcPlus,
			base(rp(`\+1408555XXXX`, "PT-PSTN", "GW-1")), bloc("", "Dev"), "+14085551234",
			want{outcome: OutcomeRouted, winner: `\+1408555XXXX`, called: "+14085551234"}},
		{`dialed \+ is unescaped`, srcPlus,
			base(rp(`\+1408555XXXX`, "PT-PSTN", "GW-1")), bloc("", "Dev"), `\+14085551234`,
			want{outcome: OutcomeRouted, winner: `\+1408555XXXX`}},
		{"unescaped + repeats the element before it", srcWild,
			base(dn("91X+", "PT-Internal", "SEP001")), bloc("", "Dev"), "9123456",
			want{outcome: OutcomeRouted, winner: "91X+", t302: true}},
		{"? allows zero repetitions", srcWild,
			base(dn("91X?", "PT-Internal", "SEP001")), bloc("", "Dev"), "91",
			want{outcome: OutcomeRouted, winner: "91X?", t302: true}},
		{"dot matches no digit", srcDot,
			base(dn("9.1234", "PT-Internal", "SEP001")), bloc("", "Dev"), "91234",
			want{outcome: OutcomeRouted, winner: "9.1234", called: "91234"}},
		{"PreDot discards the access code", srcDot,
			base(rp("9.XXXX", "PT-PSTN", "GW-1", ddi("PreDot"))), bloc("", "Dev"), "95678",
			want{outcome: OutcomeRouted, called: "5678"}},
		{"translation PreDot then analysis reaches the DN", srcXlate,
			base(tp("8.XXXX", "PT-Internal", "Dev", ddi("PreDot")), dn("2345", "PT-Internal", "SEP001")), bloc("", "Dev"), "82345",
			want{outcome: OutcomeRouted, winner: "2345", hops: 2, legs: []string{"SEP001[Registered]"}}},
		{"discard, then mask, then prefix", srcXform,
			base(tp("8.XXXX", "PT-Internal", "Dev", ddi("PreDot"), mask("XX"), prefix("77")), dn("7734", "PT-Internal", "SEP001")), bloc("", "Dev"), "81234",
			want{outcome: OutcomeRouted, winner: "7734", hops: 2}},
		{"a longer mask pads with its own digits", srcMask,
			base(tp("1XXX", "PT-Internal", "Dev", mask(`+1919555XXXX`)), rp(`\+1919555XXXX`, "PT-PSTN", "GW-1")), bloc("", "Dev"), "1000",
			want{outcome: OutcomeRouted, winner: `\+1919555XXXX`, called: "+19195551000"}},
		{"a shorter mask truncates from the left", srcMask,
			base(tp("555XXXX", "PT-Internal", "Dev", mask("XXXX")), dn("1234", "PT-Internal", "SEP001")), bloc("", "Dev"), "5551234",
			want{outcome: OutcomeRouted, winner: "1234"}},
		{"calling party mask then prefix", srcXform,
			base(tp("8XXX", "PT-Internal", "Dev", mask("2XXX"), cgMask("408555XXXX", "9")), dn("2XXX", "PT-Internal", "SEP001")), bloc("", "Dev"), "8001",
			want{outcome: OutcomeRouted, winner: "2XXX", calling: "94085551000"}},
		{"translation re-analyses with its own CSS", srcXlate,
			base(tp("3001", "PT-Internal", "Secret", mask("4001")), dn("4001", "PT-Secret", "SEP001")), bloc("", "Dev"), "3001",
			want{outcome: OutcomeRouted, winner: "4001", partition: "PT-Secret", hops: 2}},
		{"translation CSS cannot reach the originator's partitions", srcXlate,
			base(tp("3001", "PT-Internal", "Secret", mask("4002")), dn("4002", "PT-Internal", "SEP001")), bloc("", "Dev"), "3001",
			want{outcome: OutcomeNoMatch, hops: 2}},
		{"Use Originator's CSS", srcOrigCSS,
			base(tp("3001", "PT-Internal", "Nowhere", mask("4002"), origCSS), dn("4002", "PT-Internal", "SEP001")), bloc("", "Dev"), "3001",
			want{outcome: OutcomeRouted, winner: "4002", hops: 2}},
		{"translation loop detected", srcLoop,
			base(tp("2000", "PT-Internal", "Dev", mask("3000")), tp("3000", "PT-Internal", "Dev", mask("2000"))), bloc("", "Dev"), "2000",
			want{outcome: OutcomeLoop, reason: "translation loop"}},
		{"ten translations are allowed", srcLoop,
			chain(10), bloc("", "Dev"), "100",
			want{outcome: OutcomeRouted, winner: "110", hops: 11}},
		{"the eleventh translation stops the call", srcLoop,
			chain(11), bloc("", "Dev"), "100",
			want{outcome: OutcomeLoop, hops: 11, reason: "more than 10 translation patterns"}},
		{"blocked route pattern with release cause", srcBlock,
			base(rp("9.1900XXXXXXX", "PT-PSTN", "", blocked)), bloc("", "Dev"), "919005551234",
			want{outcome: OutcomeBlocked, winner: "9.1900XXXXXXX", reason: "blocks the call"}},
		{"blocked translation pattern blocks", srcBlock,
			base(tp("9.011!", "PT-Internal", "Dev", blocked)), bloc("", "Dev"), "9011441234",
			want{outcome: OutcomeBlocked, winner: "9.011!", t302: true}},
		{"@ matches a 7-digit local number", srcNANP,
			base(rp("9.@", "PT-PSTN", "GW-1", ddi("PreDot"))), bloc("", "Dev"), "95552345",
			want{outcome: OutcomeRouted, winner: "9.@", called: "5552345", t302: true}},
		{"@ 911 routes at once: no NANP number extends it", srcNANP,
			base(rp("9.@", "PT-PSTN", "GW-1")), keys("", "Dev"), "9911",
			want{outcome: OutcomeRouted, winner: "9.@", t302: false}},
		{"explicit pattern beats @", srcClosest,
			base(rp("9.@", "PT-PSTN", "GW-1"), rp("9.1408XXXXXXX", "PT-PSTN", "GW-2")), bloc("", "Dev"), "914085551234",
			want{outcome: OutcomeRouted, winner: "9.1408XXXXXXX", legs: []string{"GW-2[Unregistered]"}}},
		{"route filter AREA-CODE == 900 is more specific", srcFilter,
			base(rp("9.@", "PT-PSTN", "GW-1"), rp("9.@", "PT-PSTN", "", blocked, filter("RF-900"))), bloc("", "Dev"), "919005551234",
			want{outcome: OutcomeBlocked, winner: "9.@"}},
		{"route filter does not catch other area codes", srcFilter,
			base(rp("9.@", "PT-PSTN", "GW-1"), rp("9.@", "PT-PSTN", "", blocked, filter("RF-900"))), bloc("", "Dev"), "914085551234",
			want{outcome: OutcomeRouted, winner: "9.@", legs: []string{"GW-1[Registered]"}}},
		{"route filter DOES-NOT-EXIST INTERNATIONAL-ACCESS", srcFilter,
			base(rp("9.@", "PT-PSTN", "GW-1", filter("RF-NoIntl"))), bloc("", "Dev"), "9011442071234567",
			want{outcome: OutcomeNoMatch}},
		{"11D->10D keeps the access code", srcDDI,
			base(rp("9.@", "PT-PSTN", "GW-1", ddi("11D->10D"))), bloc("", "Dev"), "919728135000",
			want{outcome: OutcomeRouted, called: "99728135000"}},
		{"PreDot 11D->10D", srcDDI,
			base(rp("9.@", "PT-PSTN", "GW-1", ddi("PreDot 11D->10D"))), bloc("", "Dev"), "919728135000",
			want{outcome: OutcomeRouted, called: "9728135000"}},
		{"11/10D->7D", srcDDI,
			base(rp("9.@", "PT-PSTN", "GW-1", ddi("11/10D->7D"))), bloc("", "Dev"), "919728135000",
			want{outcome: OutcomeRouted, called: "98135000"}},
		{"10-10-Dialing", srcDDI,
			base(rp("9.@", "PT-PSTN", "GW-1", ddi("10-10-Dialing"))), bloc("", "Dev"), "910102889728135000",
			want{outcome: OutcomeRouted, called: "99728135000"}},
		{"IntlTollBypass removes 011 and the country code", srcDDI,
			base(rp("9.@", "PT-PSTN", "GW-1", ddi("IntlTollBypass"))), bloc("", "Dev"), "9011442071234567",
			want{outcome: OutcomeRouted, called: "92071234567", t302: true}},
		{"PreDot IntlAccess IntlDirectDial", srcDDI,
			base(rp("9.@", "PT-PSTN", "GW-1", ddi("PreDot IntlAccess IntlDirectDial"))), bloc("", "Dev"), "9011442071234567",
			want{outcome: OutcomeRouted, called: "442071234567", t302: true}},
		{"PreDot Trailing-#", srcDDI,
			base(rp("9.011!#", "PT-PSTN", "GW-1", ddi("PreDot Trailing-#"))), bloc("", "Dev"), "9011441234#",
			want{outcome: OutcomeRouted, called: "011441234"}},
		{"PreAt discards everything before the @ part", srcDDI,
			base(rp("9.5@", "PT-PSTN", "GW-1", ddi("PreAt"))), bloc("", "Dev"), "9514085551234",
			want{outcome: OutcomeRouted, called: "14085551234"}},
		{"NANP instruction on a pattern without @ is reported", srcDDI,
			base(rp("9.1XXXXXXXXXX", "PT-PSTN", "GW-1", ddi("11D->10D"))), bloc("", "Dev"), "914085551234",
			want{outcome: OutcomeRouted, called: "914085551234", reason: "11D->10D needs a pattern with '@'"}},
		{"unknown discard instruction is reported", srcDDI,
			base(rp("9.XXXX", "PT-PSTN", "GW-1", ddi("PreDot Bogus"))), bloc("", "Dev"), "95678",
			want{outcome: OutcomeRouted, called: "5678", reason: `"Bogus" is not a known instruction`}},
		{"route list to route groups to devices with states", srcRoute,
			base(rp("9.1XXXXXXXXXX", "PT-PSTN", "RL-PSTN", ddi("PreDot"))), bloc("", "Dev"), "914085551234",
			want{outcome: OutcomeRouted, called: "14085551234",
				legs: []string{"GW-1[Registered]", "GW-2[Unregistered]", "SIP-Trunk-1[Registered]:5551234"}}},
		{"Standard Local Route Group", srcLocalRG,
			base(rp("9.[2-9]XXXXXX", "PT-PSTN", "RL-Local")), Origin{DeviceCSS: "Dev", EnBloc: true, LocalRouteGroup: "RG-Site"}, "95551234",
			want{outcome: OutcomeRouted, legs: []string{"GW-Site[Registered]"}}},
		{"hunt pilot to line group members", srcHunt,
			base(mk("2000", "PT-Internal", UsageHuntPilot, "HL-Help"), dn("2001", "PT-Internal", "SEP2001"), dn("2002", "PT-Internal", "SEP002")), bloc("", "Dev"), "2000",
			want{outcome: OutcomeRouted, winner: "2000", legs: []string{"SEP2001[Registered]", "SEP002[Unregistered]"}}},
		{"emergency number flagged", srcEmergency,
			base(rp("911", "PT-PSTN", "RL-PSTN", emergency)), bloc("", "Dev"), "911",
			want{outcome: OutcomeRouted, winner: "911", legs: []string{"GW-1[Registered]", "GW-2[Unregistered]", "SIP-Trunk-1[Registered]"}}},
		{"undialable character", "CUCM-API J.2 (dialable characters 0-9 * # + A-D)",
			base(dn("1001", "PT-Internal", "SEP001")), bloc("", "Dev"), "10E1",
			want{outcome: OutcomeInvalid}},
		{"start of a longer pattern needs more digits", srcT302,
			base(rp("9.@", "PT-PSTN", "GW-1")), bloc("", "Dev"), "91408",
			want{outcome: OutcomeNoMatch, needsMore: true}},
		{"PLAR: empty translation pattern matches off-hook", srcPLAR,
			base(tp("", "PT-PLAR", "Dev", mask("1001")), dn("1001", "PT-Internal", "SEP001")), keys("", "PLAR"), "5",
			want{outcome: OutcomeRouted, winner: "1001", hops: 2}},
		{"unknown CSS is reported and searched as empty", "CUCM-API C (CSS membership)",
			base(dn("1001", "", "SEP001")), bloc("Missing", ""), "1001",
			want{outcome: OutcomeRouted, reason: `line CSS "Missing" is not in the dial plan`}},
	}
	if len(tests) < 40 {
		t.Fatalf("only %d cases; the acceptance asks for at least 40", len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.rule == "" {
				t.Fatal("case cites no rule")
			}
			plan := NewPlan(tt.data)
			if p := plan.Problems(); len(p) > 0 {
				t.Fatalf("plan problems: %v", p)
			}
			r := Analyze(plan, tt.origin, tt.dialed)
			t.Logf("rule: %s\n%s", tt.rule, r.Text())
			got := summarize(r)
			w := tt.want
			check := func(field string, g, e any, skip bool) {
				if !skip && !cmp.Equal(g, e) {
					t.Errorf("%s = %v, want %v (rule: %s)", field, g, e, tt.rule)
				}
			}
			check("outcome", r.Outcome, w.outcome, false)
			check("winner", got.winner, w.winner, w.winner == "")
			check("partition", got.partition, w.partition, w.partition == "")
			check("called", got.called, w.called, w.called == "")
			check("calling", got.calling, w.calling, w.calling == "")
			check("legs", got.legs, w.legs, w.legs == nil)
			check("hops", len(r.Hops), w.hops, w.hops == 0)
			check("interdigit timeout", got.t302, w.t302, false)
			check("needs more digits", r.NeedsMoreDigits, w.needsMore, false)
			check("unused digits", got.unused, w.unused, false)
			if w.reason != "" && !strings.Contains(got.reason, w.reason) {
				t.Errorf("reasons %q do not mention %q (rule: %s)", got.reason, w.reason, tt.rule)
			}
		})
	}
}

// chain builds translations 100 -> 101 -> ... -> 100+n and a DN at the end.
func chain(n int) Data {
	var pats []Pattern
	for i := range n {
		pats = append(pats, tp(itoa(100+i), "PT-Internal", "Dev", mask(itoa(101+i))))
	}
	pats = append(pats, dn(itoa(100+n), "PT-Internal", "SEP001"))
	return base(pats...)
}

func itoa(i int) string { return strconv.Itoa(i) }

type summary struct {
	winner, partition, called, calling, unused, reason string
	legs                                               []string
	t302                                               bool
}

func summarize(r Result) summary {
	var s summary
	reasons := []string{r.Reason}
	reasons = append(reasons, r.Warnings...)
	if n := len(r.Hops); n > 0 {
		h := r.Hops[n-1]
		if c, ok := h.Winner(); ok {
			s.winner, s.partition = c.Pattern, c.Partition
		}
		s.t302 = h.InterdigitTimeout
		s.unused = h.UnusedDigits
		for _, hh := range r.Hops {
			reasons = append(reasons, hh.WinReason)
			if hh.Translation != nil {
				s.called, s.calling = hh.Translation.CalledAfter, hh.Translation.CallingAfter
				reasons = append(reasons, hh.Translation.Warnings...)
			}
		}
	}
	if rt := r.Route; rt != nil {
		s.called, s.calling = rt.Called, rt.Calling
		reasons = append(reasons, rt.Warnings...)
		for _, l := range rt.Legs {
			e := l.Device + "[" + l.Status + "]"
			if l.Called != rt.Called {
				e += ":" + l.Called
			}
			s.legs = append(s.legs, e)
		}
	}
	s.reason = strings.Join(slices.DeleteFunc(reasons, func(x string) bool { return x == "" }), " | ")
	return s
}
