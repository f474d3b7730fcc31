package collect

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cucm-audit/cucm-audit/snapshot"
)

// summary is the one-line result for stderr.
func (r *run) summary(m snapshot.Meta, elapsed time.Duration) string {
	labels := []struct{ class, label string }{
		{"Phone", "phones"}, {"Gateway", "gateways"}, {"SIPTrunk", "SIP trunks"}, {"H323", "H.323 devices"},
		{"HuntList", "hunt lists"}, {"Cti", "CTI devices"}, {"VoiceMail", "voice mail ports"},
		{"MediaResources", "media resources"}, {"", "other devices"},
	}
	var parts []string
	for _, l := range labels {
		if n := r.axlCount[l.class]; n > 0 {
			parts = append(parts, thousands(n)+" "+l.label)
		}
	}
	if len(parts) == 0 {
		parts = append(parts, "no devices")
	}
	nodes := 0
	for _, st := range r.risNodes {
		if st.stored > 0 {
			nodes++
		}
	}
	waits := ""
	if st := r.c.risSOAP.Stats(); st.Waits > 0 || st.Retries > 0 {
		// Said, so that a slow run explains itself (another RisPort client shares the cluster's
		// per-minute budget; a node or proxy failed transiently).
		waits = fmt.Sprintf(", %d rate-control waits and %d retries", st.Waits, st.Retries)
	}
	return fmt.Sprintf("snapshot %d %s: %s in AXL; %s devices seen by RisPort on %d nodes; %d RisPort requests in %.1fs%s (total %.1fs)",
		m.ID, m.Status, strings.Join(parts, ", "), thousands(len(r.seen)), nodes, r.risReqs,
		r.risElapsed.Seconds(), waits, elapsed.Seconds())
}

func thousands(n int) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, ch := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(ch)
	}
	return b.String()
}
