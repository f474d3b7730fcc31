package analyze

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/cucm-audit/cucm-audit/analyze/dialplan"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// This file is the dial-plan loader (DESIGN.md, "Dial-plan questions go through one engine"): it
// reads one snapshot's mirrored tables through the rule views into dialplan.Data, and answers a
// dialing question with the engine. `cucm-audit dial` and the MCP dial tool both call Dial.

// DialSchemaVersion is the version of the JSON document of a DialAnswer.
const DialSchemaVersion = 1

// ErrNoDialPlan is returned when the snapshot holds no mirrored dial plan (collected before the
// manifest existed, or its dial plan tables could not be read).
var ErrNoDialPlan = errors.New("snapshot holds no dial plan")

// DialRequest is one dialing question: from a device (and line), or with a CSS, the digits.
type DialRequest struct {
	// From is DEVICE or DEVICE/LINE, LINE being the button index (1, 2, ...) or the DN.
	From string
	// CSS analyses with this calling search space alone (DNA's "Calling Search Space" input),
	// instead of the line and device CSSs of From.
	CSS string
	// NoCSS analyses as a caller without any calling search space: only the <None> partition
	// (a forward whose CSS is not set).
	NoCSS  bool
	Digits string
	// EnBloc analyses the digits as one block (a SIP INVITE); otherwise one at a time, as a
	// phone keypad sends them.
	EnBloc bool
}

// DialOrigin is the calling device and line a question was asked from.
type DialOrigin struct {
	Device    string `json:"device,omitempty"`
	Line      int    `json:"line,omitempty"`
	DN        string `json:"dn,omitempty"`
	Partition string `json:"partition,omitempty"`
	LineCSS   string `json:"line_css,omitempty"`
	DeviceCSS string `json:"device_css,omitempty"`
	Status    string `json:"registration,omitempty"`
}

// DialAnswer is the answer to a DialRequest on one snapshot.
type DialAnswer struct {
	SchemaVersion int         `json:"schema_version"`
	SnapshotID    int64       `json:"snapshot_id"`
	Cluster       string      `json:"cluster"`
	TakenAt       string      `json:"taken_at"`
	From          *DialOrigin `json:"from,omitempty"`
	// Path is the decision path on one line, as audit findings quote it (dialplan.Result.Path).
	Path     string             `json:"path"`
	Result   dialplan.Result    `json:"result"`
	Problems []dialplan.Problem `json:"plan_problems,omitempty"`
}

// Invalid is the reason the dialed string cannot be analysed (a character no phone sends), ""
// when it could.
func (a *DialAnswer) Invalid() string {
	if a.Result.Outcome == dialplan.OutcomeInvalid {
		return a.Result.Reason
	}
	return ""
}

// Text is the answer as Cisco's Dialed Number Analyzer prints it, after a header naming the
// snapshot and the caller.
func (a DialAnswer) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Snapshot %d of cluster %s (%s)\n", a.SnapshotID, a.Cluster, a.TakenAt)
	if f := a.From; f != nil {
		fmt.Fprintf(&b, "From: %s line %d (%s in %s)", f.Device, f.Line, f.DN, orNone(f.Partition))
		if f.Status != "" {
			fmt.Fprintf(&b, ", %s", f.Status)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "Path: %s\n\n", a.Path)
	b.WriteString(a.Result.Text())
	if len(a.Problems) > 0 {
		fmt.Fprintf(&b, "\nDial plan problems (%d, left out of the analysis):\n", len(a.Problems))
		for _, p := range a.Problems {
			fmt.Fprintf(&b, "  %s in %s: %s\n", p.Pattern, orNone(p.Partition), p.Message)
		}
	}
	return b.String()
}

func orNone(p string) string {
	if p == "" {
		return dialplan.NonePartition
	}
	return p
}

// DialPlan is a snapshot's dial plan, loaded and indexed, with its callers.
type DialPlan struct {
	Plan    *dialplan.Plan
	meta    snapshot.Meta
	devices map[string]*dialDevice // by upper-case name
	reg     dialplan.RegistrationMap
	css     map[string]bool
}

type dialDevice struct {
	name, css string
	lines     []dialLine
}

type dialLine struct {
	index                  int
	dn, partition, lineCSS string
}

// LoadDialPlan reads the dial plan of snapshot meta from the database at path.
func LoadDialPlan(ctx context.Context, path string, meta snapshot.Meta) (*DialPlan, error) {
	e, err := openEvaluator(ctx, path, meta, nil, nil, nil)
	if err != nil {
		return nil, err
	}
	defer e.Close()
	d, dp, err := loadDialData(ctx, e.conn, true)
	if err != nil {
		return nil, fmt.Errorf("loading the dial plan of snapshot %d: %w", meta.ID, err)
	}
	if len(d.Patterns) == 0 {
		return nil, fmt.Errorf("snapshot %d: %w (collect it again with this cucm-audit, which mirrors the dial plan tables; see `cucm-audit show` for its coverage)", meta.ID, ErrNoDialPlan)
	}
	dp.Plan = dialplan.NewPlan(d)
	dp.meta = meta
	return dp, nil
}

// Dial answers req on plan.
func (p *DialPlan) Dial(req DialRequest) (DialAnswer, error) {
	a := DialAnswer{SchemaVersion: DialSchemaVersion, SnapshotID: p.meta.ID, Cluster: p.meta.ClusterID,
		TakenAt: p.meta.StartedAt.UTC().Format("2006-01-02 15:04:05 UTC"), Problems: p.Plan.Problems()}
	if req.Digits == "" {
		return a, errors.New("no digits to dial")
	}
	o := dialplan.Origin{EnBloc: req.EnBloc}
	if req.From != "" {
		from, err := p.origin(req.From)
		if err != nil {
			return a, err
		}
		a.From = from
		o.LineCSS, o.DeviceCSS, o.CallingNumber = from.LineCSS, from.DeviceCSS, from.DN
	}
	if req.CSS != "" {
		if !p.css[req.CSS] {
			return a, fmt.Errorf("calling search space %q is not in snapshot %d", req.CSS, p.meta.ID)
		}
		o.LineCSS, o.DeviceCSS = "", req.CSS
	}
	if req.NoCSS {
		if req.CSS != "" {
			return a, errors.New("--no-css and --css exclude each other")
		}
		o.LineCSS, o.DeviceCSS = "", ""
	}
	if req.From == "" && req.CSS == "" && !req.NoCSS {
		return a, errors.New("say who dials: --from DEVICE[/LINE], --css NAME or --no-css")
	}
	a.Result = dialplan.Analyze(p.Plan, o, req.Digits)
	a.Path = a.Result.Path()
	return a, nil
}

// origin resolves DEVICE or DEVICE/LINE (button index or DN) to its line and CSSs.
func (p *DialPlan) origin(from string) (*DialOrigin, error) {
	name, line, _ := strings.Cut(from, "/")
	d := p.devices[strings.ToUpper(name)]
	if d == nil {
		return nil, fmt.Errorf("device %q is not in snapshot %d", name, p.meta.ID)
	}
	o := &DialOrigin{Device: d.name, DeviceCSS: d.css, Status: p.reg[d.name]}
	if len(d.lines) == 0 {
		if line != "" {
			return nil, fmt.Errorf("device %s has no line", d.name)
		}
		return o, nil
	}
	pick := d.lines[0]
	if line != "" {
		found := false
		n, numeric := strconv.Atoi(line)
		for _, l := range d.lines {
			if numeric == nil && l.index == n || l.dn == line {
				pick, found = l, true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("device %s has no line %q", d.name, line)
		}
	}
	o.Line, o.DN, o.Partition, o.LineCSS = pick.index, pick.dn, pick.partition, pick.lineCSS
	return o, nil
}

// loadDialData reads the views into dialplan.Data, and the callers (every device with its lines,
// for `dial --from`) when callers is set; rules dial from CSSs and never need them.
//
// The big tables (numplan, devicenumplanmap: a row per line of a megacluster) are read without
// ORDER BY and without the correlated columns of the patterns view, and put in order here: it
// halves the load, which every analysis with the compliance packs pays once.
func loadDialData(ctx context.Context, conn *sql.Conn, callers bool) (dialplan.Data, *DialPlan, error) {
	var d dialplan.Data
	dp := &DialPlan{devices: map[string]*dialDevice{}, reg: dialplan.RegistrationMap{}}
	each := func(q string, fn func(*sql.Rows) error) error {
		rows, err := conn.QueryContext(ctx, q)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := fn(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	}
	// Which devices carry each number: a DN's phones, a pattern's route list, gateway, trunk or
	// hunt list.
	type carrier struct {
		index int64
		name  string
	}
	devicesOf := map[string][]carrier{}
	if err := each(`SELECT m.fknumplan, COALESCE(m.numplanindex, 0), d.name FROM devicenumplanmap m JOIN device d ON d.pkid = m.fkdevice`, func(r *sql.Rows) error {
		var np string
		var c carrier
		if err := r.Scan(&np, &c.index, &c.name); err != nil {
			return err
		}
		devicesOf[np] = append(devicesOf[np], c)
		return nil
	}); err != nil {
		return d, nil, err
	}
	// The patterns view's columns, without destination and device_count (devicesOf has them).
	if err := each(`SELECT np.pkid, np.dnorpattern, COALESCE(rp.name, ''), COALESCE(tpu.name, ''), COALESCE(np.description, ''),
		COALESCE(np.blockenable, 0), COALESCE(trc.name, ''), COALESCE(np.patternurgency, 0), COALESCE(ddi.name, ''),
		COALESCE(np.calledpartytransformationmask, ''), COALESCE(np.prefixdigitsout, ''), COALESCE(np.callingpartytransformationmask, ''),
		COALESCE(np.callingpartyprefixdigits, ''), COALESCE(tcss.name, ''), COALESCE(np.useoriginatorcss, 0),
		COALESCE(np.dontwaitforidtatsubsequenthops, 0), COALESCE(rf.name, ''), COALESCE(np.isemergencyservicenumber, 0)
		`+patternsFromSQL, func(r *sql.Rows) error {
		var p dialplan.Pattern
		var usage string
		if err := r.Scan(&p.ID, &p.Text, &p.Partition, &usage, &p.Description, &p.Blocked, &p.ReleaseCause, &p.Urgent,
			&p.DiscardDigits, &p.CalledMask, &p.PrefixDigits, &p.CallingMask, &p.CallingPrefix, &p.CSS, &p.UseOriginatorCSS,
			&p.DontWaitForIDT, &p.RouteFilter, &p.IsEmergency); err != nil {
			return err
		}
		p.Usage = dialplan.Usage(usage)
		if cs := devicesOf[p.ID]; len(cs) > 0 {
			// In button order, then by name (as the patterns view's destination).
			slices.SortFunc(cs, func(a, b carrier) int { return cmp.Or(cmp.Compare(a.index, b.index), cmp.Compare(a.name, b.name)) })
			if p.Usage == dialplan.UsageDevice {
				p.Devices = make([]string, len(cs))
				for i, c := range cs {
					p.Devices[i] = c.name
				}
			} else {
				p.Destination = cs[0].name
			}
		}
		d.Patterns = append(d.Patterns, p)
		return nil
	}); err != nil {
		return d, nil, err
	}
	slices.SortFunc(d.Patterns, func(a, b dialplan.Pattern) int {
		return cmp.Or(cmp.Compare(a.Partition, b.Partition), cmp.Compare(a.Text, b.Text), cmp.Compare(a.ID, b.ID))
	})
	if err := each(`SELECT css, partition FROM css_partitions ORDER BY css, position`, func(r *sql.Rows) error {
		var css, part string
		if err := r.Scan(&css, &part); err != nil {
			return err
		}
		if n := len(d.CSSes); n == 0 || d.CSSes[n-1].Name != css {
			d.CSSes = append(d.CSSes, dialplan.CSS{Name: css})
		}
		d.CSSes[len(d.CSSes)-1].Partitions = append(d.CSSes[len(d.CSSes)-1].Partitions, part)
		return nil
	}); err != nil {
		return d, nil, err
	}
	// A CSS without partitions still exists (it reaches <None> only).
	if err := each(`SELECT name FROM callingsearchspace WHERE pkid NOT IN (SELECT fkcallingsearchspace FROM callingsearchspacemember)`, func(r *sql.Rows) error {
		var css string
		if err := r.Scan(&css); err != nil {
			return err
		}
		d.CSSes = append(d.CSSes, dialplan.CSS{Name: css})
		return nil
	}); err != nil {
		return d, nil, err
	}
	// Route lists (members are route groups) and hunt lists (members are line groups).
	rls, hls := map[string]int{}, map[string]int{}
	if err := each(`SELECT d.name, COALESCE(rg.name, ''), COALESCE(lg.name, '') FROM routelist rl
		JOIN device d ON d.pkid = rl.fkdevice
		LEFT JOIN routegroup rg ON rg.pkid = rl.fkroutegroup
		LEFT JOIN linegroup lg ON lg.pkid = rl.fklinegroup
		ORDER BY d.name, rl.selectionorder`, func(r *sql.Rows) error {
		var list, rg, lg string
		if err := r.Scan(&list, &rg, &lg); err != nil {
			return err
		}
		switch {
		case rg != "":
			i, ok := rls[list]
			if !ok {
				i = len(d.RouteLists)
				rls[list] = i
				d.RouteLists = append(d.RouteLists, dialplan.RouteList{Name: list})
			}
			d.RouteLists[i].Members = append(d.RouteLists[i].Members, dialplan.RouteListMember{RouteGroup: rg})
		case lg != "":
			i, ok := hls[list]
			if !ok {
				i = len(d.HuntLists)
				hls[list] = i
				d.HuntLists = append(d.HuntLists, dialplan.HuntList{Name: list})
			}
			d.HuntLists[i].LineGroups = append(d.HuntLists[i].LineGroups, lg)
		}
		return nil
	}); err != nil {
		return d, nil, err
	}
	if err := each(`SELECT rg.name, COALESCE(tda.name, ''), COALESCE(d.name, '') FROM routegroup rg
		LEFT JOIN typedistributealgorithm tda ON tda.enum = rg.tkdistributealgorithm
		LEFT JOIN routegroupdevicemap m ON m.fkroutegroup = rg.pkid
		LEFT JOIN device d ON d.pkid = m.fkdevice
		ORDER BY rg.name, m.deviceselectionorder`, func(r *sql.Rows) error {
		var rg, algo, dev string
		if err := r.Scan(&rg, &algo, &dev); err != nil {
			return err
		}
		if n := len(d.RouteGroups); n == 0 || d.RouteGroups[n-1].Name != rg {
			d.RouteGroups = append(d.RouteGroups, dialplan.RouteGroup{Name: rg, Distribution: algo, Devices: []string{}})
		}
		if dev != "" {
			g := &d.RouteGroups[len(d.RouteGroups)-1]
			g.Devices = append(g.Devices, dev)
		}
		return nil
	}); err != nil {
		return d, nil, err
	}
	if err := each(`SELECT lg.name, COALESCE(tda.name, ''), COALESCE(np.dnorpattern, ''), COALESCE(rp.name, '') FROM linegroup lg
		LEFT JOIN typedistributealgorithm tda ON tda.enum = lg.tkdistributealgorithm
		LEFT JOIN linegroupnumplanmap m ON m.fklinegroup = lg.pkid
		LEFT JOIN numplan np ON np.pkid = m.fknumplan
		LEFT JOIN routepartition rp ON rp.pkid = np.fkroutepartition
		ORDER BY lg.name, m.lineselectionorder`, func(r *sql.Rows) error {
		var lg, algo, dn, part string
		if err := r.Scan(&lg, &algo, &dn, &part); err != nil {
			return err
		}
		if n := len(d.LineGroups); n == 0 || d.LineGroups[n-1].Name != lg {
			d.LineGroups = append(d.LineGroups, dialplan.LineGroup{Name: lg, Distribution: algo, Members: []dialplan.LineGroupMember{}})
		}
		if dn != "" {
			g := &d.LineGroups[len(d.LineGroups)-1]
			g.Members = append(g.Members, dialplan.LineGroupMember{DN: dn, Partition: part})
		}
		return nil
	}); err != nil {
		return d, nil, err
	}
	if !callers {
		return d, dp, nil
	}
	// Registration from the same snapshot's RisPort rows (the newest entry per device).
	if err := readRegistration(ctx, conn, dp.reg); err != nil {
		return d, nil, err
	}
	d.Registration = dp.reg
	// Callers: every device with its CSS and its lines (button order) with their line CSS.
	if err := each(`SELECT d.name, COALESCE(css.name, '') FROM device d LEFT JOIN callingsearchspace css ON css.pkid = d.fkcallingsearchspace`, func(r *sql.Rows) error {
		var name, css string
		if err := r.Scan(&name, &css); err != nil {
			return err
		}
		dp.devices[strings.ToUpper(name)] = &dialDevice{name: name, css: css}
		return nil
	}); err != nil {
		return d, nil, err
	}
	if err := each(`SELECT d.name, m.numplanindex, np.dnorpattern, COALESCE(rp.name, ''), COALESCE(lcss.name, '')
		FROM devicenumplanmap m JOIN device d ON d.pkid = m.fkdevice JOIN numplan np ON np.pkid = m.fknumplan
		JOIN typepatternusage tpu ON tpu.enum = np.tkpatternusage AND tpu.name = 'Device'
		LEFT JOIN routepartition rp ON rp.pkid = np.fkroutepartition
		LEFT JOIN callingsearchspace lcss ON lcss.pkid = np.fkcallingsearchspace_sharedlineappear
		ORDER BY d.name, m.numplanindex`, func(r *sql.Rows) error {
		var name string
		var l dialLine
		if err := r.Scan(&name, &l.index, &l.dn, &l.partition, &l.lineCSS); err != nil {
			return err
		}
		if dev := dp.devices[strings.ToUpper(name)]; dev != nil {
			dev.lines = append(dev.lines, l)
		}
		return nil
	}); err != nil {
		return d, nil, err
	}
	dp.css = map[string]bool{}
	for _, c := range d.CSSes {
		dp.css[c.Name] = true
	}
	return d, dp, nil
}
