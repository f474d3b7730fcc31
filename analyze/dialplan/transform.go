package dialplan

import (
	"fmt"
	"slices"
	"strings"
)

// ApplyMask applies a CUCM transformation mask: mask and number are aligned on the right; an X
// in the mask keeps the number's digit under it, any other mask character replaces it. Digits
// of the number left of the mask are dropped (a shorter mask truncates) and mask characters
// left of the number are kept (a longer mask pads), so 1000 under +1919555XXXX gives
// +19195551000 (Cisco Press CIPT1 ch. 11 "Transformation Examples"; CUCM-API.md A.2 for the
// bare + in masks). An empty mask leaves the number unchanged.
func ApplyMask(number, mask string) string {
	mask = unescape(mask)
	if mask == "" {
		return number
	}
	out := make([]byte, len(mask))
	j := len(number) - 1
	k := len(out)
	for i := len(mask) - 1; i >= 0; i-- {
		m := mask[i]
		if m == 'X' || m == 'x' {
			if j < 0 {
				j--
				continue // nothing left to keep under this X
			}
			k--
			out[k] = number[j]
		} else {
			k--
			out[k] = m
		}
		j--
	}
	return string(out[k:])
}

// ddiTags are the numbering-plan tags each tag-based discard instruction removes (Cisco
// CallManager Administration Guide 3.1, Table 20-3 "Discard Digits Instructions"; CUCM-API.md
// J.4). As in Cisco's examples (9.@ with 11D->10D: 919728135000 → 99728135000), these keep the
// access code before the dot; combine with PreDot to drop it.
var ddiTags = map[string][]Tag{
	"10-10-Dialing":  {TagTransitNetworkEscape, TagTransitNetwork},
	"11D->10D":       {TagLongDistanceDirectDial, TagLongDistanceOperator, TagTransitNetworkEscape, TagTransitNetwork},
	"11/10D->7D":     {TagLongDistanceDirectDial, TagLongDistanceOperator, TagTransitNetworkEscape, TagTransitNetwork, TagAreaCode, TagLocalAreaCode},
	"10D->7D":        {TagLocalAreaCode},
	"IntlTollBypass": {TagInternationalAccess, TagInternationalDirectDial, TagInternationalOperator, TagCountryCode},
	"IntlAccess":     {TagInternationalAccess},
	"IntlDirectDial": {TagInternationalDirectDial},
}

// ddiTokens splits a digitdiscardinstruction name into its instructions ("PreDot 11D->10D
// Trailing-#" is three). Empty, "<None>" and "NoDigits" discard nothing.
func ddiTokens(name string) []string {
	name = strings.ReplaceAll(name, "Trailing #", "Trailing-#")
	var out []string
	for _, t := range strings.Fields(name) {
		if t != "NoDigits" && t != "<None>" {
			out = append(out, t)
		}
	}
	return out
}

// discardDigits removes the digits a discard instruction names from the matched string. assign
// maps each symbol to the pattern element that consumed it (seq.assign). Instructions the
// engine does not know, or that cannot apply to this pattern, come back as warnings.
func discardDigits(ddi, digits string, s *seq, assign []int) (kept, dropped string, warnings []string) {
	drop := make([]bool, len(digits))
	for _, tok := range ddiTokens(ddi) {
		switch tok {
		case "PreDot", "PreAt":
			limit, marker := s.dot, "'.'"
			if tok == "PreAt" {
				limit, marker = s.at, "'@'"
			}
			if limit < 0 {
				warnings = append(warnings, fmt.Sprintf("discard instruction %q: %s on a pattern without %s discards nothing", ddi, tok, marker))
				continue
			}
			for i, e := range assign {
				drop[i] = drop[i] || e < limit
			}
		case "Trailing-#":
			if n := len(digits); n > 0 && digits[n-1] == '#' {
				drop[n-1] = true
			}
		default:
			tags, ok := ddiTags[tok]
			if !ok {
				warnings = append(warnings, fmt.Sprintf("discard instruction %q: %q is not a known instruction; not applied", ddi, tok))
				continue
			}
			if s.at < 0 {
				warnings = append(warnings, fmt.Sprintf("discard instruction %q: %s needs a pattern with '@'; discards nothing", ddi, tok))
				continue
			}
			for i, e := range assign {
				drop[i] = drop[i] || slices.Contains(tags, s.els[e].tag)
			}
		}
	}
	var k, d strings.Builder
	for i := range len(digits) {
		if drop[i] {
			d.WriteByte(digits[i])
		} else {
			k.WriteByte(digits[i])
		}
	}
	return k.String(), d.String(), warnings
}

// calledPartyTransform applies a pattern's called-party settings in the order discard digits →
// called party transformation mask → prefix digits. CUCM-API.md J.3 leaves the order open; this
// follows Cisco Press CIPT1 (ch. 11, "Transformation Examples", Figure 11-24: 9.@ dialed as
// 9 10-10-321 1 808 555-1221, the DDI removes 10-10 dialing, the result is applied to the mask
// of ten X, and 8 is prefixed), which is also the order of the fields on the route and
// translation pattern pages.
func calledPartyTransform(digits string, s *seq, assign []int, ddi, mask, prefix string) (out, dropped string, warnings []string) {
	out, dropped, warnings = discardDigits(ddi, digits, s, assign)
	out = ApplyMask(out, mask)
	return unescape(prefix) + out, dropped, warnings
}

// callingPartyTransform applies the calling-party mask, then the calling-party prefix, in the
// order of Cisco's "Calling Party Transformations" settings.
func callingPartyTransform(calling, mask, prefix string) string {
	return unescape(prefix) + ApplyMask(calling, mask)
}
