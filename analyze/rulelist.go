package analyze

import "github.com/cucm-audit/cucm-audit/analyze/results"

// List is the rule set as `rules list` shows it: grouped by pack, in load order.
func (set *RuleSet) List() results.RuleList {
	l := results.RuleList{SchemaVersion: results.RuleListSchemaVersion, Rules: len(set.Rules), Packs: []results.PackList{}}
	for _, p := range set.Packs {
		pl := results.PackList{Name: p.Name, Title: p.Title, Compliance: p.Compliance, File: p.File, Rules: []results.RuleInfo{}}
		for _, r := range set.PackRules(p.Name) {
			pl.Rules = append(pl.Rules, r.Info(nil))
		}
		pl.Count = len(pl.Rules)
		l.Packs = append(l.Packs, pl)
	}
	return l
}
