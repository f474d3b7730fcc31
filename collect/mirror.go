package collect

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/cucm-audit/cucm-audit/collect/axl"
	"github.com/cucm-audit/cucm-audit/collect/soap"
	"github.com/cucm-audit/cucm-audit/snapshot"
	"github.com/cucm-audit/cucm-audit/snapshot/manifest"
)

// This file mirrors the tables of the collection manifest (snapshot/manifest): each one read
// with the same keyset-paged machinery as the inventory (read, with its optional columns and
// notes), stored as the snapshot table cucm_<table>, and recorded as the coverage item
// table:<name>. A table the AXL user may not read or that the release lacks is recorded as such:
// the rules that require it are inconclusive, the others conclude.

// manifestOf is the manifest a collection mirrors: the configured one, else the built-in one.
func (c *Collector) manifestOf() *manifest.Manifest {
	if c.cfg.Manifest != nil {
		return c.cfg.Manifest
	}
	return manifest.Builtin()
}

// collectMirror reads every table of the manifest.
func (r *run) collectMirror(ctx context.Context) error {
	for _, t := range r.c.manifestOf().Tables {
		if err := r.mirrorTable(ctx, t); err != nil {
			return err
		}
	}
	return nil
}

// mirrorRead is the keyset-paged read of a manifest table: required columns always, optional
// ones dropped when CUCM answers that they do not exist.
func mirrorRead(t manifest.Table) axlRead {
	// The mirror's store keeps no row (mirrorTable), so their maps are reused.
	a := axlRead{table: t.Name, q: axl.Query{From: t.Name + " x", Key: "x." + t.Key, KeyName: t.Key, Reuse: true}}
	var sel []string
	for _, c := range t.Columns {
		expr := "x." + c.Name
		if c.Optional {
			a.optional = append(a.optional, optionalPart{name: c.Name, sel: expr})
			continue
		}
		sel = append(sel, expr)
	}
	a.q.Columns = strings.Join(sel, ", ")
	return a
}

func (r *run) mirrorTable(ctx context.Context, t manifest.Table) error {
	cols := make([]snapshot.MirrorColumn, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = snapshot.MirrorColumn{Name: c.Name, Type: string(c.Type), Index: c.Index}
	}
	mt, err := r.w.MirrorTable(ctx, t.Name, cols)
	if err != nil {
		return err
	}
	item := t.CoverageItem()
	notes := &itemNotes{}
	values := make([]any, len(t.Columns))
	// registrationdynamic's devices are the RisPort planner's predictor (see neverRegistered).
	regs := t.Name == "registrationdynamic" && slices.ContainsFunc(t.Columns, func(c manifest.Column) bool {
		return c.Name == "fkdevice" && !c.Optional
	})
	if regs {
		r.registered = map[uint64]struct{}{}
	}
	res, err := r.read(ctx, item, mirrorRead(t), notes, func(row axl.Row) error {
		for i, c := range t.Columns {
			values[i] = mirrorValue(c, row, notes, t.Name)
		}
		if regs {
			r.registered[pkidKey(row["fkdevice"])] = struct{}{}
		}
		return mt.Add(ctx, values...)
	})
	if err != nil {
		return err
	}
	failed := res.failed
	r.registeredOK = r.registeredOK || regs && failed == nil && notes.skipped == 0
	if failed != nil {
		if name, ok := axl.MissingTable(failed); ok && (name == t.Name || name == "") {
			reason := fmt.Sprintf("table %s is not in this CUCM release's database", t.Name)
			if t.Optional {
				// Expected on older releases: a note, not a gap in the snapshot, yet the rules that
				// need the table cannot conclude on it.
				return r.w.SetCoverage(ctx, snapshot.Coverage{Source: snapshot.SourceAXL, Item: item, Reason: reason})
			}
			failed = errors.New(reason)
		} else if denied(failed) {
			failed = fmt.Errorf("the AXL user may not read table %s (%w)", t.Name, failed)
		}
	}
	return r.axlCoverage(ctx, item, res.records, failed, notes)
}

// mirrorValue converts one answered value to its stored type; a column the read went without
// (an optional one this release lacks) is NULL, as is a number that does not parse (noted).
func mirrorValue(c manifest.Column, row axl.Row, notes *itemNotes, table string) any {
	v, ok := row[c.Name]
	if !ok {
		return nil
	}
	switch c.Type {
	case manifest.Integer:
		v = strings.TrimSpace(v)
		if v == "" {
			return nil
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			notes.add("%s.%s: %q is not a number, stored as NULL", table, c.Name, v)
			return nil
		}
		return n
	case manifest.Bool:
		if strings.TrimSpace(v) == "" {
			return nil
		}
		return truthy(v)
	}
	return v
}

// denied reports whether CUCM refused a read for want of privilege on a table: Informix's -272
// "No SELECT permission" (CUCM passes Informix errors through as the axlcode; the table name in
// the text is how the simulator and, as far as public traces show, CUCM word it).
func denied(err error) bool {
	var f *soap.Fault
	if !errors.As(err, &f) {
		return false
	}
	msg := strings.ToLower(f.AXLMessage + " " + f.String)
	return f.AXLCode == -272 || strings.Contains(msg, "no select permission")
}

// LoadManifests is the built-in manifest with the manifests at paths added, in order.
func LoadManifests(paths ...string) (*manifest.Manifest, error) {
	c := Config{Manifest: manifest.Builtin()}
	err := c.AddManifests(paths...)
	return c.Manifest, err
}

// configManifests loads the manifests a config file lists under collect:, nil when none.
func configManifests(configPath string, paths []string) (*manifest.Manifest, error) {
	if len(paths) == 0 {
		return nil, nil
	}
	abs := make([]string, len(paths))
	for i, p := range paths {
		if !filepath.IsAbs(p) {
			p = filepath.Join(filepath.Dir(configPath), p)
		}
		abs[i] = p
	}
	return LoadManifests(abs...)
}

// AddManifests adds the manifests at paths to the configuration's (the built-in one when none).
func (c *Config) AddManifests(paths ...string) error {
	if len(paths) == 0 {
		return nil
	}
	base := c.Manifest
	if base == nil {
		base = manifest.Builtin()
	}
	for _, p := range paths {
		u, err := manifest.Load(p)
		if err != nil {
			return configErrorf("%w", err)
		}
		if base, err = base.Merge(u); err != nil {
			return configErrorf("%w", err)
		}
	}
	c.Manifest = base
	return nil
}
