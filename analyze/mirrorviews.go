package analyze

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/cucm-audit/cucm-audit/snapshot"
	"github.com/cucm-audit/cucm-audit/snapshot/manifest"
)

// The mirrored configuration as views (rules/README.md, "Mirrored CUCM tables"): one view per
// table of the built-in manifest, named as CUCM names the table (numplan, callingsearchspace,
// ...) and holding this snapshot's rows, plus the joined views below. A table an older database
// does not have, or a column it lacks, reads as empty or NULL, so a rule can always be prepared;
// whether the table was read is the coverage item table:<name> (requires: axl:table:<name>).
// Tables a user's manifest added get their view too, when their name is free.

// mirrorViewNames are the joined views over the mirrored tables, in documentation order.
var mirrorViewNames = []string{"patterns", "css_partitions", "line_forwards", "user_roles"}

// mirrorTableNames are the raw mirrored views every database has (the built-in manifest).
func mirrorTableNames() []string {
	var out []string
	for _, t := range manifest.Builtin().Tables {
		out = append(out, t.Name)
	}
	return out
}

// allViewNames are the relations a rule may name: the inventory views, the built-in mirrored
// tables, the joined views and the derived tables.
func allViewNames() []string {
	return slices.Concat(viewNames, mirrorTableNames(), mirrorViewNames, derivedNames())
}

// defineMirrorViews creates the mirrored views of snapshot id on conn; it returns the names of
// the extra views a user's manifest added.
func defineMirrorViews(ctx context.Context, q snapshot.Querier, exec func(string) error, id int64) ([]string, error) {
	have, err := snapshot.MirrorTablesOf(ctx, q)
	if err != nil {
		return nil, err
	}
	var extra []string
	define := func(name string, cols []string) error {
		stored := have[name]
		var sel []string
		for _, c := range cols {
			if slices.Contains(stored, c) {
				sel = append(sel, c)
			} else {
				sel = append(sel, "NULL AS "+c)
			}
		}
		var body string
		if stored == nil {
			body = fmt.Sprintf("SELECT %s WHERE 0", strings.Join(sel, ", "))
		} else {
			body = fmt.Sprintf("SELECT %s FROM main.%s%s WHERE snapshot_id = %d", strings.Join(sel, ", "), snapshot.MirrorPrefix, name, id)
		}
		return exec(fmt.Sprintf("CREATE TEMP VIEW %s AS %s", name, body))
	}
	builtin := manifest.Builtin()
	for _, t := range builtin.Tables {
		cols := make([]string, len(t.Columns))
		for i, c := range t.Columns {
			cols[i] = c.Name
		}
		// Columns a user's manifest added to a built-in table are visible too.
		for _, c := range have[t.Name] {
			if !slices.Contains(cols, c) {
				cols = append(cols, c)
			}
		}
		if err := define(t.Name, cols); err != nil {
			return nil, fmt.Errorf("defining view %s: %w", t.Name, err)
		}
	}
	taken := allViewNames()
	names := make([]string, 0, len(have))
	for n := range have {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if slices.Contains(taken, n) || slices.Contains(tablesReserved, n) {
			continue
		}
		if err := define(n, have[n]); err != nil {
			return nil, fmt.Errorf("defining view %s: %w", n, err)
		}
		extra = append(extra, n)
	}
	if err := exec(joinedViewsSQL); err != nil {
		return nil, fmt.Errorf("defining the joined views of the mirrored tables: %w", err)
	}
	return extra, nil
}

// tablesReserved are temporary tables of the evaluator that a mirrored view may not shadow.
var tablesReserved = []string{"snapshot", "status_reasons", "eol_models", "eol_releases", "history_snapshots", "ris", "ris_multi"}

// patternsFromSQL is the FROM clause of the patterns view, which the dial-plan loader reads
// too (without the view's correlated destination columns).
const patternsFromSQL = `FROM numplan np
LEFT JOIN routepartition rp ON rp.pkid = np.fkroutepartition
LEFT JOIN typepatternusage tpu ON tpu.enum = np.tkpatternusage
LEFT JOIN typereleasecausevalue trc ON trc.enum = np.tkreleasecausevalue AND np.blockenable = 1
LEFT JOIN digitdiscardinstruction ddi ON ddi.pkid = np.fkdigitdiscardinstruction
LEFT JOIN callingsearchspace tcss ON tcss.pkid = np.fkcallingsearchspace_translation
LEFT JOIN callingsearchspace lcss ON lcss.pkid = np.fkcallingsearchspace_sharedlineappear
LEFT JOIN routefilter rf ON rf.pkid = np.fkroutefilter`

// joinedViewsSQL joins the mirrored tables as Cisco's administration pages show them: names
// instead of pkids, enums by their type table's name (never by number, CUCM-API.md L).
const joinedViewsSQL = `
CREATE TEMP VIEW patterns AS
SELECT np.pkid, np.dnorpattern AS pattern, COALESCE(rp.name, '') AS partition,
       COALESCE(tpu.name, '') AS usage, np.tkpatternusage AS usage_enum, COALESCE(np.description, '') AS description,
       COALESCE(np.blockenable, 0) AS blocked, COALESCE(trc.name, '') AS release_cause,
       COALESCE(np.patternurgency, 0) AS urgent, COALESCE(ddi.name, '') AS discard_digits,
       COALESCE(np.calledpartytransformationmask, '') AS called_mask, COALESCE(np.prefixdigitsout, '') AS prefix_digits,
       COALESCE(np.callingpartytransformationmask, '') AS calling_mask, COALESCE(np.callingpartyprefixdigits, '') AS calling_prefix,
       COALESCE(tcss.name, '') AS css, COALESCE(np.useoriginatorcss, 0) AS use_originator_css,
       COALESCE(np.dontwaitforidtatsubsequenthops, 0) AS dont_wait_for_idt,
       COALESCE(rf.name, '') AS route_filter, COALESCE(np.isemergencyservicenumber, 0) AS is_emergency,
       COALESCE(lcss.name, '') AS line_css,
       COALESCE((SELECT d.name FROM devicenumplanmap m JOIN device d ON d.pkid = m.fkdevice
                 WHERE m.fknumplan = np.pkid ORDER BY m.numplanindex, d.name LIMIT 1), '') AS destination,
       (SELECT COUNT(*) FROM devicenumplanmap m WHERE m.fknumplan = np.pkid) AS device_count
` + patternsFromSQL + `;

CREATE TEMP VIEW css_partitions AS
SELECT css.name AS css, m.sortorder AS position, COALESCE(rp.name, '') AS partition
FROM callingsearchspace css
JOIN callingsearchspacemember m ON m.fkcallingsearchspace = css.pkid
LEFT JOIN routepartition rp ON rp.pkid = m.fkroutepartition;

CREATE TEMP VIEW line_forwards AS
SELECT np.pkid, np.dnorpattern AS dn, COALESCE(rp.name, '') AS partition, COALESCE(lcss.name, '') AS line_css,
       COALESCE(cfd.cfadestination, '') AS cfa_destination, COALESCE(cfd.cfavoicemailenabled, 0) AS cfa_voicemail,
       COALESCE(cfa.name, '') AS cfa_css,
       COALESCE(np.cfbdestination, '') AS cfb_destination, COALESCE(np.cfbvoicemailenabled, 0) AS cfb_voicemail, COALESCE(cfb.name, '') AS cfb_css,
       COALESCE(np.cfbintdestination, '') AS cfbint_destination, COALESCE(np.cfbintvoicemailenabled, 0) AS cfbint_voicemail, COALESCE(cfbint.name, '') AS cfbint_css,
       COALESCE(np.cfnadestination, '') AS cfna_destination, COALESCE(np.cfnavoicemailenabled, 0) AS cfna_voicemail, COALESCE(cfna.name, '') AS cfna_css,
       COALESCE(np.cfnaintdestination, '') AS cfnaint_destination, COALESCE(np.cfnaintvoicemailenabled, 0) AS cfnaint_voicemail, COALESCE(cfnaint.name, '') AS cfnaint_css,
       COALESCE(np.cfurdestination, '') AS cfur_destination, COALESCE(np.cfurvoicemailenabled, 0) AS cfur_voicemail, COALESCE(cfur.name, '') AS cfur_css,
       COALESCE(np.cfurintdestination, '') AS cfurint_destination, COALESCE(np.cfurintvoicemailenabled, 0) AS cfurint_voicemail, COALESCE(cfurint.name, '') AS cfurint_css
FROM numplan np
JOIN typepatternusage tpu ON tpu.enum = np.tkpatternusage AND tpu.name = 'Device'
LEFT JOIN routepartition rp ON rp.pkid = np.fkroutepartition
LEFT JOIN callingsearchspace lcss ON lcss.pkid = np.fkcallingsearchspace_sharedlineappear
LEFT JOIN callforwarddynamic cfd ON cfd.fknumplan = np.pkid
LEFT JOIN callingsearchspace cfa ON cfa.pkid = cfd.fkcallingsearchspace_cfa
LEFT JOIN callingsearchspace cfb ON cfb.pkid = np.fkcallingsearchspace_cfb
LEFT JOIN callingsearchspace cfbint ON cfbint.pkid = np.fkcallingsearchspace_cfbint
LEFT JOIN callingsearchspace cfna ON cfna.pkid = np.fkcallingsearchspace_cfna
LEFT JOIN callingsearchspace cfnaint ON cfnaint.pkid = np.fkcallingsearchspace_cfnaint
LEFT JOIN callingsearchspace cfur ON cfur.pkid = np.fkcallingsearchspace_cfur
LEFT JOIN callingsearchspace cfurint ON cfurint.pkid = np.fkcallingsearchspace_cfurint;

CREATE TEMP VIEW user_roles AS
SELECT 'end' AS user_type, eu.userid AS user, COALESCE(dg.name, '') AS access_group, COALESCE(fr.name, '') AS role
FROM enduser eu
LEFT JOIN enduserdirgroupmap m ON m.fkenduser = eu.pkid
LEFT JOIN dirgroup dg ON dg.pkid = m.fkdirgroup
LEFT JOIN functionroledirgroupmap frm ON frm.fkdirgroup = dg.pkid
LEFT JOIN functionrole fr ON fr.pkid = frm.fkfunctionrole
UNION ALL
SELECT 'application', au.name, COALESCE(dg.name, ''), COALESCE(fr.name, '')
FROM applicationuser au
LEFT JOIN applicationuserdirgroupmap m ON m.fkapplicationuser = au.pkid
LEFT JOIN dirgroup dg ON dg.pkid = m.fkdirgroup
LEFT JOIN functionroledirgroupmap frm ON frm.fkdirgroup = dg.pkid
LEFT JOIN functionrole fr ON fr.pkid = frm.fkfunctionrole;
`

// checkMirrorRequirement checks the table of a requirement axl:table:<name>: a CUCM table name.
// Any name is accepted (a user's manifest may add tables); a rule whose table was not read is
// inconclusive ("no coverage record").
func checkMirrorRequirement(table string) string {
	if table == "" || strings.Trim(table, "abcdefghijklmnopqrstuvwxyz0123456789_") != "" {
		return "want axl:table:<CUCM table> in lower case, e.g. axl:table:numplan"
	}
	return ""
}
