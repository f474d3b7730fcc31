package analyze

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"
	"sync"

	"github.com/mattn/go-sqlite3"

	"github.com/cucm-audit/cucm-audit/analyze/dialplan"
	"github.com/cucm-audit/cucm-audit/analyze/results"
)

// This file bridges rules to the digit analysis engine (DESIGN.md, "Dial-plan questions go
// through one engine"): SQL functions registered on the rule connection answer "what happens
// when this line dials these digits" with the same engine and the same path text as
// `cucm-audit dial`. The plan is loaded once per analysis, and only when a rule that calls one
// of these functions is about to run with its requirements met (the packs require the dial-plan
// tables, so a plan read in part is never analysed). Answers are cached per (line CSS, device
// CSS, digits, en bloc): 80,000 lines share a few CSS pairs.

// dialFuncNames are the SQL functions that need the snapshot's dial plan.
var dialFuncNames = []string{"dial_outcome", "dial_path", "dial_destinations", "dial_registered", "dial_called", "dial_emergency"}

// errNoDialPlanLoaded is a dial function called on a connection whose plan was not loaded: a
// rule calling them is run only after dialBridge.load.
var errNoDialPlanLoaded = errors.New("dial plan not loaded (a rule calling dial_* needs the dial-plan tables: see rules/README.md)")

// dialBridge answers the dial_* SQL functions of one evaluator.
type dialBridge struct {
	mu    sync.Mutex
	plan  *dialplan.Plan
	err   error // the load failed: every call fails with it
	cache map[dialKey]*dialAnswer

	// pending is the background load started by prefetch: closed when it is done, with its
	// plan (registration still to fill) or error in loaded and loadErr.
	pending chan struct{}
	loaded  *dialplan.Plan
	reg     dialplan.RegistrationMap
	loadErr error
}

type dialKey struct {
	lineCSS, deviceCSS, digits string
	enBloc                     bool
}

// dialAnswer is what the SQL functions return for one key, computed once.
type dialAnswer struct {
	outcome, path, destinations, called string
	registered                          int
	emergency                           bool
}

// usesDial reports whether a rule's query calls one of the dial functions.
func usesDial(q string) bool {
	for _, w := range scanSQL(q).words {
		for _, f := range dialFuncNames {
			if strings.EqualFold(w, f) {
				return true
			}
		}
	}
	return false
}

// loadDial makes the dial plan ready, once: it takes the plan prefetchDial loaded in the
// background (or reads it from the evaluator's views now) and fills its registration from this
// snapshot's RisPort rows.
func (e *evaluator) loadDial(ctx context.Context) error {
	b := e.dial
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.plan != nil || b.err != nil {
		return b.err
	}
	var plan *dialplan.Plan
	reg := dialplan.RegistrationMap{}
	if b.pending != nil {
		select {
		case <-b.pending:
		case <-ctx.Done():
			return ctx.Err()
		}
		if b.loadErr != nil {
			b.err = fmt.Errorf("loading the dial plan: %w", b.loadErr)
			return b.err
		}
		plan, reg = b.loaded, b.reg
	} else {
		d, _, err := loadDialData(ctx, e.conn, false)
		if err != nil {
			b.err = fmt.Errorf("loading the dial plan: %w", err)
			return b.err
		}
		d.Registration = reg
		plan = dialplan.NewPlan(d)
	}
	if err := readRegistration(ctx, e.conn, reg); err != nil {
		b.err = fmt.Errorf("loading the dial plan: %w", err)
		return b.err
	}
	b.plan = plan
	return nil
}

// prefetchDial starts loading the dial plan of snapshot id from path on a connection of its
// own, so that the load (a second or so on a megacluster) runs on the other core while the
// rules that do not dial run; loadDial waits for it. The plan's registration map stays empty
// until loadDial fills it from the evaluator's resolved RisPort rows.
func (e *evaluator) prefetchDial(ctx context.Context, path string, id int64) {
	b := e.dial
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.pending != nil || b.plan != nil || b.err != nil {
		return
	}
	b.pending = make(chan struct{})
	b.reg = dialplan.RegistrationMap{}
	go func() {
		defer close(b.pending)
		b.loaded, b.loadErr = loadDialPlanAlone(ctx, path, id, b.reg)
	}()
}

// loadDialPlanAlone reads the dial plan of snapshot id on a read-only connection holding only
// the mirrored views, with reg as its (not yet filled) registration.
func loadDialPlanAlone(ctx context.Context, path string, id int64, reg dialplan.RegistrationMap) (*dialplan.Plan, error) {
	db, err := sql.Open("sqlite3", roDSN(path))
	if err != nil {
		return nil, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA cache_size = -131072; PRAGMA mmap_size = 268435456`); err != nil {
		return nil, err
	}
	if _, err := defineMirrorViews(ctx, conn, func(q string) error {
		_, err := conn.ExecContext(ctx, q)
		return err
	}, id); err != nil {
		return nil, err
	}
	d, _, err := loadDialData(ctx, conn, false)
	if err != nil {
		return nil, err
	}
	d.Registration = reg
	return dialplan.NewPlan(d), nil
}

// readRegistration fills reg with the status of every device RisPort returned (the newest
// entry per device, as the ris view resolves it).
func readRegistration(ctx context.Context, conn *sql.Conn, reg dialplan.RegistrationMap) error {
	rows, err := conn.QueryContext(ctx, `SELECT name, status FROM ris`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var name, status string
		if err := rows.Scan(&name, &status); err != nil {
			return err
		}
		reg[name] = status
	}
	return rows.Err()
}

// ready reports whether the rules that dial can run without waiting: no background load was
// started (the plan loads when the first of them needs it, if any does) or it is done.
func (b *dialBridge) ready() bool {
	b.mu.Lock()
	pending := b.pending
	b.mu.Unlock()
	if pending == nil {
		return true
	}
	select {
	case <-pending:
		return true
	default:
		return false
	}
}

// waitDial waits for a background load that no rule took, so that its connection is closed
// before the evaluator's database is.
func (e *evaluator) waitDial() {
	if b := e.dial; b.pending != nil {
		<-b.pending
	}
}

// answer analyses one key, from the cache when it was asked before.
func (b *dialBridge) answer(lineCSS, deviceCSS, digits string, enBloc bool) (*dialAnswer, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err != nil {
		return nil, b.err
	}
	if b.plan == nil {
		return nil, errNoDialPlanLoaded
	}
	k := dialKey{lineCSS, deviceCSS, digits, enBloc}
	if a, ok := b.cache[k]; ok {
		return a, nil
	}
	res := dialplan.Analyze(b.plan, dialplan.Origin{LineCSS: lineCSS, DeviceCSS: deviceCSS, EnBloc: k.enBloc}, digits)
	a := &dialAnswer{outcome: outcomeWord(res.Outcome), path: res.Path(), emergency: res.Emergency}
	if rt := res.Route; rt != nil && res.Outcome == dialplan.OutcomeRouted {
		a.called = rt.Called
		var dests []string
		for _, l := range rt.Legs {
			if l.Device == "" {
				continue
			}
			st := l.Status
			if !l.Known {
				st = "registration unknown"
			}
			if st == "Registered" {
				a.registered++
			}
			dests = append(dests, l.Device+" ["+st+"]")
		}
		a.destinations = strings.Join(dests, ", ")
	}
	if b.cache == nil {
		b.cache = map[dialKey]*dialAnswer{}
	}
	b.cache[k] = a
	return a, nil
}

// outcomeWord is the outcome as rules test it.
func outcomeWord(o dialplan.Outcome) string {
	switch o {
	case dialplan.OutcomeRouted:
		return "routed"
	case dialplan.OutcomeFeature:
		return "feature"
	case dialplan.OutcomeBlocked:
		return "blocked"
	case dialplan.OutcomeNoMatch:
		return "no-match"
	case dialplan.OutcomeLoop:
		return "loop"
	}
	return "invalid"
}

// patternCache holds parsed pattern lists of pattern_match, by their text.
type patternCache struct {
	mu    sync.Mutex
	lists map[string][]*dialplan.Parsed
}

func (c *patternCache) match(list, digits string) (bool, error) {
	c.mu.Lock()
	ps, ok := c.lists[list]
	if !ok {
		for _, t := range splitList(list) {
			p, err := dialplan.Parse(t)
			if err != nil {
				c.mu.Unlock()
				return false, fmt.Errorf("pattern_match: %q: %w", t, err)
			}
			ps = append(ps, p)
		}
		if c.lists == nil {
			c.lists = map[string][]*dialplan.Parsed{}
		}
		c.lists[list] = ps
	}
	c.mu.Unlock()
	for _, p := range ps {
		if p.Match(digits) {
			return true, nil
		}
	}
	return false, nil
}

// splitList splits a comma-separated parameter list, trimming blanks and dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// pickByGlob reads a "GLOB=VALUE; GLOB=VALUE" map and returns the value of the first glob that
// matches key (path.Match syntax, case sensitive), else fallback. The value may itself be a
// comma list (DP_Vienna*=112,999).
func pickByGlob(spec, key, fallback string) (string, error) {
	for _, entry := range strings.Split(spec, ";") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		glob, val, ok := strings.Cut(entry, "=")
		if !ok {
			return "", fmt.Errorf("pick_by_glob: %q is not GLOB=VALUE", entry)
		}
		m, err := path.Match(strings.TrimSpace(glob), key)
		if err != nil {
			return "", fmt.Errorf("pick_by_glob: %q: %w", glob, err)
		}
		if m {
			return strings.TrimSpace(val), nil
		}
	}
	return fallback, nil
}

// listJSON turns a comma list into a JSON array, for json_each.
func listJSON(s string) string {
	items := splitList(s)
	if items == nil {
		items = []string{}
	}
	b, _ := json.Marshal(items)
	return string(b)
}

// registerRuleFuncs registers the SQL functions rules may call on a rule connection (the
// evaluator's, with the bridge; the view checker's, with nil: there they are never called).
func registerRuleFuncs(c *sqlite3.SQLiteConn, b *dialBridge) error {
	if b == nil {
		b = &dialBridge{err: errNoDialPlanLoaded}
	}
	pc := &patternCache{}
	// Arguments arrive as SQLite values (NULL, text, integer): NULL is "" and 0, so a rule need
	// not COALESCE a missing CSS.
	get := func(l, d, digits, enBloc any) (*dialAnswer, error) {
		return b.answer(argText(l), argText(d), argText(digits), truthy(enBloc))
	}
	funcs := map[string]any{
		"dial_outcome": func(l, d, digits, enBloc any) (string, error) {
			a, err := get(l, d, digits, enBloc)
			if err != nil {
				return "", err
			}
			return a.outcome, nil
		},
		"dial_path": func(l, d, digits, enBloc any) (string, error) {
			a, err := get(l, d, digits, enBloc)
			if err != nil {
				return "", err
			}
			return a.path, nil
		},
		"dial_destinations": func(l, d, digits, enBloc any) (string, error) {
			a, err := get(l, d, digits, enBloc)
			if err != nil {
				return "", err
			}
			return a.destinations, nil
		},
		"dial_registered": func(l, d, digits, enBloc any) (int64, error) {
			a, err := get(l, d, digits, enBloc)
			if err != nil {
				return 0, err
			}
			return int64(a.registered), nil
		},
		"dial_called": func(l, d, digits, enBloc any) (string, error) {
			a, err := get(l, d, digits, enBloc)
			if err != nil {
				return "", err
			}
			return a.called, nil
		},
		"dial_emergency": func(l, d, digits, enBloc any) (int64, error) {
			a, err := get(l, d, digits, enBloc)
			if err != nil || !a.emergency {
				return 0, err
			}
			return 1, nil
		},
		"pattern_match": func(list, digits any) (int64, error) {
			ok, err := pc.match(argText(list), argText(digits))
			if err != nil || !ok {
				return 0, err
			}
			return 1, nil
		},
		"pick_by_glob": func(spec, key, fallback any) (string, error) {
			return pickByGlob(argText(spec), argText(key), argText(fallback))
		},
		"list_json": func(list any) string { return listJSON(argText(list)) },
		"sh_arg":    func(v any) string { return ShellArg(argText(v)) },
	}
	for name, fn := range funcs {
		if err := c.RegisterFunc(name, fn, true); err != nil {
			return fmt.Errorf("registering SQL function %s: %w", name, err)
		}
	}
	return nil
}

// ShellArg quotes s for a POSIX shell when it holds anything but letters, digits and
// -_.,:/+@%=: the replay commands in findings must run as printed, whatever a CSS is named.
func ShellArg(s string) string {
	plain := s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.,:/+@%=", r)) {
			plain = false
			break
		}
	}
	if plain {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// truthy is an SQLite value as a boolean: non-zero numbers and "1"/"true" text.
func truthy(v any) bool {
	switch x := v.(type) {
	case int64:
		return x != 0
	case float64:
		return x != 0
	case bool:
		return x
	}
	t := strings.ToLower(argText(v))
	return t == "1" || t == "true"
}

// argText is an SQLite function argument as text; NULL (a nil []byte) is "".
func argText(v any) string {
	if b, ok := v.([]byte); ok {
		return string(b)
	}
	return results.ValueText(v)
}

// dialFor loads the dial plan before the first rule that calls a dial function runs.
func (e *evaluator) dialFor(ctx context.Context, r *Rule) error {
	if !usesDial(r.Query) {
		return nil
	}
	return e.loadDial(ctx)
}
