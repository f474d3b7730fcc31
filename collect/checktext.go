package collect

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// neededRoles are the roles collect relies on: AXL read-only queries (with the login right of
// Standard AXL API Users) and RisPort (with the login right of Standard CCM Admin Users).
var neededRoles = []string{"Standard AXL Read Only API Access", "Standard RealtimeAndTraceCollection"}

// writeRoles grant changes to the cluster; an audit account needs none of them.
var writeRoles = []string{"Standard AXL API Access", "Standard CCMADMIN Administration", "Standard SERVICEABILITY",
	"Standard Admin Rep Tool Admin", "Standard CCM User Privilege Management", "Standard EM Authentication Proxy Rights"}

// grantsWrite reports whether a role lets its holder change the cluster.
func grantsWrite(role string) bool {
	return slices.Contains(writeRoles, role) || strings.HasPrefix(role, "Standard CCM ") && strings.HasSuffix(role, " Management")
}

// WriteText prints the report of `cucm-audit check` for the configuration cfg, each failure
// once.
func (rep CheckReport) WriteText(w io.Writer, cfg Config) {
	fmt.Fprintf(w, "cluster:   %s\n", cfg.Cluster)
	fmt.Fprintf(w, "AXL:       %s as %s\n", cfg.AXLURL, cfg.User)
	fmt.Fprintf(w, "RisPort:   %s\n", cfg.RisPortURL)
	fmt.Fprintf(w, "TLS:       %s\n", rep.TLS)
	fmt.Fprintf(w, "retries:   %s\n", rep.RetryPolicy)
	fmt.Fprintf(w, "rate:      %s\n", rep.RatePolicy)
	switch {
	case rep.AXLError != nil:
		fmt.Fprintln(w, "AXL:       FAILED (the error below says why)")
	case rep.SQLError != nil:
		fmt.Fprintf(w, "AXL:       CUCM version %s, AXL schema %s\n", rep.CUCMVersion, rep.AXLSchema)
		fmt.Fprintln(w, "AXL SQL:   FAILED (the error below says why)")
	default:
		fmt.Fprintf(w, "AXL:       ok, CUCM version %s, AXL schema %s; executeSQLQuery ok\n", rep.CUCMVersion, rep.AXLSchema)
	}
	if rep.AXLError == nil {
		switch {
		case rep.RolesError != nil:
			fmt.Fprintf(w, "roles:     cannot be read (%v); make sure %s has exactly %s\n", rep.RolesError, cfg.User, strings.Join(neededRoles, " and "))
		case len(rep.Roles) == 0:
			fmt.Fprintf(w, "roles:     none found for application user %s (an end user's roles are not listed); it needs %s\n", cfg.User, strings.Join(neededRoles, " and "))
		default:
			fmt.Fprintf(w, "roles:     %s\n", strings.Join(rep.Roles, ", "))
			for _, r := range neededRoles {
				if !slices.Contains(rep.Roles, r) {
					fmt.Fprintf(w, "           missing: %s (collect needs it; the calls above say whether the cluster insists)\n", r)
				}
			}
			for _, r := range rep.Roles {
				if grantsWrite(r) {
					fmt.Fprintf(w, "           WARNING: %s lets this user change the cluster; cucm-audit only reads: remove it\n", r)
				}
			}
		}
	}
	if rep.RisPortError != nil {
		fmt.Fprintln(w, "RisPort:   FAILED (the error below says why)")
	} else {
		nodes := "no node listed"
		if len(rep.RisNodes) > 0 {
			nodes = "nodes: " + strings.Join(rep.RisNodes, ", ")
		}
		fmt.Fprintf(w, "RisPort:   one Phone read (%s)\n", nodes)
	}
	for _, p := range rep.Partial {
		fmt.Fprintf(w, "PARTIAL:   %s\n", p)
	}
}
