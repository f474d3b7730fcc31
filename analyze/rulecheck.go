package analyze

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"text/template"

	"go.yaml.in/yaml/v3"

	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

var (
	ruleIDPattern    = regexp.MustCompile(`^[A-Z][A-Z0-9]*-[0-9]{3}$`)
	paramNamePattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
)

// RisClasses are the RisPort70 device classes a rule may require.
var risClasses = snapshot.DeviceClasses()

// axlItems are the AXL coverage items a rule may require.
var axlItems = []string{"devices", "lines", "line_appearances", "pattern_destinations", "users", "device_pools",
	"cm_groups", "nodes", "mgcp_gateways", "default_loads", "load_overrides", "version", "account"}

func buildRule(pe *packErrors, file string, rn ruleNode, rf ruleFile) *Rule {
	before := len(pe.errs)
	name := rn.name
	r := &Rule{
		ID: rf.ID, Title: strings.TrimSpace(rf.Title), Category: rf.Category,
		Description: strings.TrimSpace(rf.Description), Rationale: strings.TrimSpace(rf.Rationale),
		Remediation: strings.TrimSpace(rf.Remediation), References: rf.References, Controls: rf.Controls,
		Requires: rf.Requires, Query: strings.TrimSpace(rf.Query), Message: strings.TrimSpace(rf.Message),
		GroupBy: rf.GroupBy, File: file, Line: rn.node.Line,
	}
	for _, f := range []struct{ key, val string }{
		{"id", rf.ID}, {"title", r.Title}, {"severity", rf.Severity}, {"category", rf.Category},
		{"description", r.Description}, {"remediation", r.Remediation}, {"query", r.Query},
	} {
		if strings.TrimSpace(f.val) == "" {
			pe.add(rn.keyLine(f.key), name, "missing field %s", f.key)
		}
	}
	if rf.ID != "" && !ruleIDPattern.MatchString(rf.ID) {
		pe.add(rn.keyLine("id"), name, "id must look like AREA-NNN in capitals (e.g. REG-001)")
	}
	if rf.Severity != "" {
		sev, err := results.ParseSeverity(rf.Severity)
		if err != nil || rf.Severity != sev.String() {
			pe.add(rn.keyLine("severity"), name, "severity %q is not one of info, low, medium, high, critical", rf.Severity)
		}
		r.Severity = sev
	}
	for _, req := range rf.Requires {
		if msg := checkRequirement(req); msg != "" {
			pe.add(rn.keyLine("requires"), name, "requires %q: %s", req, msg)
		}
	}
	_, paramsNode := mapValue(rn.node, "params")
	names := make([]string, 0, len(rf.Params))
	for n := range rf.Params {
		names = append(names, n)
	}
	sort.Strings(names)
	declared := map[string]bool{}
	for _, n := range names {
		pf := rf.Params[n]
		line := rn.keyLine("params")
		if k, _ := mapValue(paramsNode, n); k != nil {
			line = k.Line
		}
		declared[n] = true
		if !paramNamePattern.MatchString(n) {
			pe.add(line, name, "param %s: name must be lower case letters, digits and _", n)
			continue
		}
		p := Param{Name: n, Type: ParamType(pf.Type), Description: pf.Description}
		switch p.Type {
		case ParamInt, ParamFloat, ParamString, ParamBool:
		case "":
			pe.add(line, name, "param %s: missing type (int, float, string or bool)", n)
			continue
		default:
			pe.add(line, name, "param %s: type %q is not one of int, float, string, bool", n, pf.Type)
			continue
		}
		if pf.Default.Kind == 0 {
			pe.add(line, name, "param %s: missing default", n)
			continue
		}
		if pf.Default.Kind != yaml.ScalarNode {
			pe.add(pf.Default.Line, name, "param %s: default must be a single %s value", n, p.Type)
			continue
		}
		v, err := parseParam(p.Type, pf.Default.Value)
		if err != nil {
			pe.add(pf.Default.Line, name, "param %s: default %s", n, err)
			continue
		}
		p.Default = v
		r.Params = append(r.Params, p)
	}
	if r.Query != "" {
		if msg := checkQueryText(r.Query, declared); msg != "" {
			pe.add(rn.keyLine("query"), name, "query %s", msg)
		}
	}
	seenGroup := map[string]bool{}
	for _, g := range rf.GroupBy {
		switch {
		case !paramNamePattern.MatchString(g):
			pe.add(rn.keyLine("group_by"), name, "group_by %q: a field name is lower case letters, digits and _", g)
		case seenGroup[g]:
			pe.add(rn.keyLine("group_by"), name, "group_by %q: named twice", g)
		case g == "entity":
			pe.add(rn.keyLine("group_by"), name, "group_by entity: every finding has its own entity, so nothing would group")
		}
		seenGroup[g] = true
	}
	if r.Message != "" {
		t, err := template.New(r.ID).Option("missingkey=error").Funcs(templateFuncs).Parse(r.Message)
		if err != nil {
			pe.add(rn.keyLine("message"), name, "message template: %s", strings.TrimPrefix(err.Error(), "template: "))
		}
		r.msg = t
	}
	if len(pe.errs) > before {
		return nil
	}
	return r
}

func checkRequirement(req string) string {
	src, item, ok := strings.Cut(req, ":")
	switch {
	case !ok:
		return "want axl:ITEM or risport:CLASS (e.g. axl:devices, risport:Phone, risport:*)"
	case src == "axl" && strings.HasPrefix(item, "table:"):
		return checkMirrorRequirement(strings.TrimPrefix(item, "table:"))
	case src == "axl":
		for _, a := range axlItems {
			if item == a {
				return ""
			}
		}
		return "unknown AXL item " + item + " (want one of " + strings.Join(axlItems, ", ") + ")"
	case src == "risport":
		if item == "*" {
			return ""
		}
		for _, c := range risClasses {
			if item == c {
				return ""
			}
		}
		return "unknown RisPort class " + item + " (want * or one of " + strings.Join(risClasses, ", ") + ")"
	}
	return "unknown source " + src + " (want axl or risport)"
}

// checkQueryText checks what can be checked without a database: one statement, a SELECT (or
// WITH … SELECT), and only declared parameters. Preparing against the views (Check, Run) does
// the rest; the read-only connection and its authorizer are the real guard.
func checkQueryText(q string, declared map[string]bool) string {
	toks := scanSQL(q)
	if len(toks.words) == 0 {
		return "is empty"
	}
	first := strings.ToUpper(toks.words[0])
	if first != "SELECT" && first != "WITH" && first != "VALUES" {
		return fmt.Sprintf("must be one SELECT statement, not %s", first)
	}
	if toks.extraStatement {
		return "must be one SELECT statement (found text after ;)"
	}
	for _, p := range toks.params {
		if !declared[p[1:]] {
			return fmt.Sprintf("uses parameter %s which is not declared under params", p)
		}
	}
	return ""
}
