package analyze

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// A derived table is a relation several rules read that is costly to compute (the 70,000 lines
// of a megacluster with their CSSs), computed once per analysis instead of once per rule. Rules
// read it like a view. It exists from the start as an empty temporary table of the evaluator
// (so rules prepare against it) and is filled the first time a rule that names it is about to
// run: an analysis whose rules never read it never pays for it. Filling is the only write the
// evaluator makes after its setup, to its own temporary schema, with query_only lifted and the
// authorizer open for that one statement of ours and closed again before any rule runs.
type derivedTable struct {
	name   string
	create string // CREATE TEMP TABLE <name>
	fill   string // INSERT INTO temp.<name> SELECT ... over the views, then its indexes
}

// derivedTables are the derived tables of every evaluator, documented in rules/README.md with
// the joined views.
var derivedTables = []derivedTable{{
	name: "phone_lines",
	// Columns without a declared type keep the values of the mirrored tables as they are.
	create: `CREATE TEMP TABLE phone_lines (device, line, dn, class, pool, owner, line_css, device_css)`,
	fill: `INSERT INTO temp.phone_lines
SELECT d.name, m.numplanindex, n.dnorpattern, tc.name, COALESCE(ad.device_pool, ''), ad.owner,
       COALESCE(lc.name, ''), COALESCE(dc.name, '')
FROM device d
JOIN typeclass tc ON tc.enum = d.tkclass AND tc.name IN ('Phone', 'Device Profile')
JOIN devicenumplanmap m ON m.fkdevice = d.pkid
JOIN numplan n ON n.pkid = m.fknumplan
LEFT JOIN devices ad ON ad.name = d.name
LEFT JOIN callingsearchspace lc ON lc.pkid = n.fkcallingsearchspace_sharedlineappear
LEFT JOIN callingsearchspace dc ON dc.pkid = d.fkcallingsearchspace;
CREATE INDEX temp.phone_lines_css ON phone_lines (pool, line_css, device_css);
CREATE INDEX temp.phone_lines_unowned ON phone_lines (class, owner, line_css, device_css)`,
}}

// derivedNames are the names of the derived tables, in documentation order.
func derivedNames() []string {
	out := make([]string, len(derivedTables))
	for i, d := range derivedTables {
		out[i] = d.name
	}
	return out
}

// createDerived creates the derived tables, empty, during the evaluator's setup.
func (e *evaluator) createDerived(ctx context.Context) error {
	for _, d := range derivedTables {
		if _, err := e.conn.ExecContext(ctx, d.create); err != nil {
			return fmt.Errorf("creating %s: %w", d.name, err)
		}
	}
	return nil
}

// derivedFor fills the derived tables rule r reads that no earlier rule filled.
func (e *evaluator) derivedFor(ctx context.Context, r *Rule) error {
	words := scanSQL(r.Query).words
	for _, d := range derivedTables {
		if e.filled[d.name] || !slices.ContainsFunc(words, func(w string) bool { return strings.EqualFold(w, d.name) }) {
			continue
		}
		if err := e.fillDerived(ctx, d); err != nil {
			return fmt.Errorf("computing %s: %w", d.name, err)
		}
		e.filled[d.name] = true
	}
	return nil
}

// fillDerived fills one derived table and indexes it (indexing the rows at once costs less than
// keeping indexes up to date row by row; SQLite plans the rules prepared before again, with the
// indexes), then locks the connection again.
func (e *evaluator) fillDerived(ctx context.Context, d derivedTable) (err error) {
	e.filling = true
	defer func() {
		_, lockErr := e.conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA query_only = 1`)
		e.filling = false
		if err == nil {
			err = lockErr
		}
	}()
	_, err = e.conn.ExecContext(ctx, `PRAGMA query_only = 0; `+d.fill)
	return err
}
