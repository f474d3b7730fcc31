// Package loopback tells whether a host stays on this machine: the one test behind every
// "only on loopback" rule (plain-HTTP AXL, SMTP login without TLS, MCP over HTTP without TLS).
package loopback

import (
	"net"
	"strings"
)

// Host reports whether host (a name or an address, without port; an IPv6 address may be in
// brackets) is localhost or a loopback address (127.0.0.0/8, ::1). Other names are not
// resolved: a name that happens to resolve to a loopback address does not count.
func Host(host string) bool {
	if strings.EqualFold(strings.TrimSuffix(host, "."), "localhost") {
		return true
	}
	if inner, ok := strings.CutPrefix(host, "["); ok {
		if host, ok = strings.CutSuffix(inner, "]"); !ok {
			return false
		}
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
