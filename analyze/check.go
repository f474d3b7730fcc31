package analyze

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/cucm-audit/cucm-audit/snapshot"
)

// CheckFiles is `cucm-audit rules check`: it loads the packs of dirs beside the built-in ones,
// checks their SQL (Check), the end-of-life data of eol (the built-in data when "") and, when
// waivers is not "", that waiver file against the rules. It returns the rules and the waivers.
func CheckFiles(ctx context.Context, dirs []string, eol, waivers string) (*RuleSet, []WaiverEntry, error) {
	set, err := LoadRules(dirs...)
	if err != nil {
		return nil, nil, err
	}
	if err := Check(ctx, set); err != nil {
		return nil, nil, err
	}
	if _, err := LoadEOL(eol); err != nil {
		return nil, nil, err
	}
	if waivers == "" {
		return set, nil, nil
	}
	ws, err := LoadWaiversFor(set, waivers)
	if err != nil {
		return nil, nil, err
	}
	return set, ws, nil
}

// Check prepares every rule of set against the views of an empty scratch snapshot, so that
// `rules check` finds SQL errors without a database.
func Check(ctx context.Context, set *RuleSet) error {
	dir, err := os.MkdirTemp("", "cucm-audit-check-")
	if err != nil {
		return fmt.Errorf("checking rules: %w", err)
	}
	defer os.RemoveAll(dir)
	store, err := snapshot.Open(ctx, filepath.Join(dir, "check.db"))
	if err != nil {
		return fmt.Errorf("checking rules: %w", err)
	}
	defer store.Close()
	w, err := store.Begin(ctx, snapshot.Meta{ClusterID: "check"})
	if err != nil {
		return fmt.Errorf("checking rules: %w", err)
	}
	meta, err := w.Commit(ctx, snapshot.StatusComplete, "", "")
	if err != nil {
		return fmt.Errorf("checking rules: %w", err)
	}
	eol, err := LoadEOL("")
	if err != nil {
		return err
	}
	e, err := openEvaluator(ctx, store.Path(), meta, nil, eol, nil)
	if err != nil {
		return err
	}
	defer e.Close()
	params, err := resolveParams(set, set.Rules, nil)
	if err != nil {
		return err
	}
	ps, err := e.prepare(ctx, set.Rules, params)
	for _, p := range ps {
		p.stmt.Close()
	}
	return err
}
