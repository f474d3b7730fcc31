package collect

import (
	"log/slog"

	"github.com/cucm-audit/cucm-audit/collect/risport"
)

// cutDetector decides whether a RisPort answer may hold less than its query matched. An answer
// as big as the cap is cut. An answer below the cap that says it was cut (its StateInfo shows a
// node that found more than it returned) is taken as cut too, and once two such answers have
// the same size, that size is the cluster's real cap (below the MaxReturnedDevices asked for).
// A cluster whose StateInfo totals keep disagreeing with its answers in other ways is not
// believed any more: the answer size alone decides, and each answer whose claim is set aside
// is counted in ignored, so that its class is reported incomplete rather than complete.
type cutDetector struct {
	cap      int
	seen     map[int]int // sizes of answers below the cap that said they were cut
	distrust bool
	ignored  int
}

func (c *cutDetector) cut(ans *risport.Answer, log *slog.Logger) bool {
	e := ans.Entries()
	if e >= c.cap {
		return true
	}
	if e == 0 || !ans.Truncated() {
		return false
	}
	if c.distrust {
		c.ignored++
		return false
	}
	c.seen[e]++
	if c.seen[e] >= 2 {
		if e < c.cap {
			log.Warn("RisPort answers are cut below the MaxReturnedDevices asked for: planning with the cluster's real cap", "asked", c.cap, "cap", e)
			c.cap = e
		}
		return true
	}
	if len(c.seen) > 3 {
		c.distrust = true
		c.ignored++
		log.Warn("RisPort StateInfo totals do not match the answers; judging answers by their size only")
		return false
	}
	return true
}
