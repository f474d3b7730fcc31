package dialplan

import (
	"fmt"
	"strings"
)

// Text renders the result the way Dialed Number Analyzer lays it out: the origin, each hop's
// search order, candidates and decision, any translation, then the outcome and its legs.
func (r Result) Text() string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("Dialed digits: %s\n", r.Dialed)
	w("Calling party: %s\n", orDash(r.Origin.CallingNumber))
	w("Line CSS: %s   Device CSS: %s", orDash(r.Origin.LineCSS), orDash(r.Origin.DeviceCSS))
	if r.Origin.EnBloc {
		w("   (en bloc)")
	}
	w("\n")
	for i, h := range r.Hops {
		w("\nHop %d: called %s, calling %s, %s\n", i+1, orDash(h.Called), orDash(h.Calling), h.CSS)
		w("  Search order:")
		for j, p := range h.Search {
			w(" %d.%s", j+1, p.Partition)
		}
		w("\n")
		for _, c := range h.Candidates {
			mark := " "
			if c.Winner {
				mark = "*"
			}
			w("  %s %-24s %-20s %-12s matches %s of length %d", mark, c.Pattern, c.Partition, c.Usage, c.Matches, h.DigitsUsed)
			if c.Plan != "" {
				w(" [%s]", c.Plan)
			}
			if c.Urgent {
				w(" urgent")
			}
			if c.Blocked {
				w(" blocked")
			}
			w("\n")
		}
		if h.WinReason != "" {
			w("  Decision: %s\n", h.WinReason)
		}
		if h.UnusedDigits != "" {
			w("  Digits never analysed: %s\n", h.UnusedDigits)
		}
		if h.InterdigitTimeout {
			w("  Waits for the interdigit timeout (T302) first: a longer pattern could still match\n")
		}
		for _, p := range h.Potential {
			w("  Could still match: %s\n", p)
		}
		if t := h.Translation; t != nil {
			w("  Translation %s in %s: called %s -> %s, calling %s -> %s", t.Pattern, t.Partition,
				orDash(t.CalledBefore), orDash(t.CalledAfter), orDash(t.CallingBefore), orDash(t.CallingAfter))
			if t.DiscardDigits != "" {
				w(", discard %s (%s)", t.DiscardDigits, orDash(t.Discarded))
			}
			w("; next lookup with %s\n", t.NextCSS)
			for _, m := range t.Warnings {
				w("  Warning: %s\n", m)
			}
		}
	}
	w("\nResult: %s: %s\n", r.Outcome, r.Reason)
	if r.Emergency {
		w("Emergency services number: yes\n")
	}
	if b := r.Block; b != nil {
		w("Release cause: %s\n", orDash(b.ReleaseCause))
	}
	if rt := r.Route; rt != nil {
		w("Called %s, calling %s", orDash(rt.Called), orDash(rt.Calling))
		if rt.Discarded != "" {
			w(" (discarded %s)", rt.Discarded)
		}
		w("\n")
		for _, l := range rt.Legs {
			var chain []string
			for _, s := range []string{l.RouteList, l.RouteGroup, l.HuntList, l.LineGroup, l.DN, l.Device} {
				if s != "" {
					chain = append(chain, s)
				}
			}
			w("  %s", strings.Join(chain, " -> "))
			if l.Device != "" {
				status := l.Status
				if !l.Known {
					status = "registration unknown"
				}
				w(" [%s]", status)
			}
			if l.Called != "" && l.Called != rt.Called {
				w(" called %s", l.Called)
			}
			if l.Note != "" {
				w(" (%s)", l.Note)
			}
			w("\n")
		}
		for _, m := range rt.Warnings {
			w("  Warning: %s\n", m)
		}
	}
	for _, m := range r.Warnings {
		w("Warning: %s\n", m)
	}
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// Path is the decision path on one line: the digits and the CSSs, each hop's winning pattern
// with what a translation made of the digits, then the outcome and, for a route, every leg with
// its registration. Audit findings quote it as evidence, and `cucm-audit dial` prints the same
// line, so an auditor can replay a finding and compare.
func (r Result) Path() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s from line CSS %s, device CSS %s", orDash(r.Dialed), orDash(r.Origin.LineCSS), orDash(r.Origin.DeviceCSS))
	if r.Origin.EnBloc {
		b.WriteString(" (en bloc)")
	}
	b.WriteString(":")
	for _, h := range r.Hops {
		c, ok := h.Winner()
		if !ok {
			continue
		}
		fmt.Fprintf(&b, " %s in %s (%s)", c.Pattern, c.Partition, c.Usage)
		if t := h.Translation; t != nil {
			fmt.Fprintf(&b, " => %s via %s ->", orDash(t.CalledAfter), orDash(t.NextCSS))
		}
	}
	switch r.Outcome {
	case OutcomeRouted, OutcomeFeature:
		fmt.Fprintf(&b, " %s", r.Outcome)
		if rt := r.Route; rt != nil {
			fmt.Fprintf(&b, " as %s", orDash(rt.Called))
			var legs []string
			for _, l := range rt.Legs {
				var chain []string
				for _, s := range []string{l.RouteList, l.RouteGroup, l.HuntList, l.LineGroup, l.Device} {
					if s != "" {
						chain = append(chain, s)
					}
				}
				leg := strings.Join(chain, "/")
				switch {
				case l.Device != "" && !l.Known:
					leg += " [registration unknown]"
				case l.Device != "":
					leg += " [" + l.Status + "]"
				case l.Note != "":
					leg += " (" + l.Note + ")"
				}
				legs = append(legs, leg)
			}
			if len(legs) > 0 {
				fmt.Fprintf(&b, " to %s", strings.Join(legs, ", "))
			}
		}
	case OutcomeBlocked:
		b.WriteString(" Blocked")
		if bl := r.Block; bl != nil && bl.ReleaseCause != "" {
			fmt.Fprintf(&b, " (%s)", bl.ReleaseCause)
		}
	default:
		fmt.Fprintf(&b, " %s: %s", r.Outcome, r.Reason)
	}
	return b.String()
}
