package results

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/cucm-audit/cucm-audit/snapshot"
)

// ErrDifferentClusters is returned by DiffSnapshots when the two snapshots belong to different
// clusters and DiffOptions.Force is not set.
var ErrDifferentClusters = errors.New("refusing to compare snapshots of different clusters")

// Device fields a diff compares. Each name is what --ignore-fields and DiffOptions.Ignore take.
//
// AXL fields (class, model, protocol, description, device_pool, owner, css, location, lines) are
// compared when the device is configured in both snapshots; "configured" says it entered or left
// AXL while RisPort still saw it. RisPort fields follow rules that keep churn out:
//   - status is compared whenever RisPort's view of the device's class was complete on both sides
//     ("" = not seen by RisPort); a changed status carries the status reason in words.
//   - node is compared only when the device is Registered on both sides, so the order in which
//     several nodes list an unregistered device never counts.
//   - ip and active_load are compared only when both sides report a value: an empty RisPort value
//     means RisPort did not say, not that the value went away.
//   - status_reason, inactive_load, download_status, login_user, registration_attempts and
//     timestamp are volatile and ignored by default (DefaultIgnoredFields).
const (
	FieldConfigured           = "configured"
	FieldClass                = "class"
	FieldModel                = "model"
	FieldProtocol             = "protocol"
	FieldDescription          = "description"
	FieldDevicePool           = "device_pool"
	FieldOwner                = "owner"
	FieldCSS                  = "css"
	FieldLocation             = "location"
	FieldLines                = "lines"
	FieldStatus               = "status"
	FieldStatusReason         = "status_reason"
	FieldNode                 = "node"
	FieldIP                   = "ip"
	FieldActiveLoad           = "active_load"
	FieldInactiveLoad         = "inactive_load"
	FieldDownloadStatus       = "download_status"
	FieldLoginUser            = "login_user"
	FieldRegistrationAttempts = "registration_attempts"
	FieldTimestamp            = "timestamp"
)

// DiffFields returns every field name a diff knows, in the order changes are reported, in a
// fresh slice on every call.
func DiffFields() []string {
	return []string{
		FieldConfigured, FieldClass, FieldModel, FieldProtocol, FieldDescription, FieldDevicePool, FieldOwner,
		FieldCSS, FieldLocation, FieldLines, FieldStatus, FieldStatusReason, FieldNode, FieldIP, FieldActiveLoad,
		FieldInactiveLoad, FieldDownloadStatus, FieldLoginUser, FieldRegistrationAttempts, FieldTimestamp,
	}
}

// DefaultIgnoredFields returns the volatile fields that churn without meaning, in a fresh slice
// on every call: the RisPort TimeStamp and registration attempts move on every re-registration,
// the status reason of a device whose status did not change cycles between reset causes, the
// inactive load and download status follow TFTP housekeeping, and the Extension Mobility login
// user follows whoever sits at the desk.
func DefaultIgnoredFields() []string {
	return []string{
		FieldStatusReason, FieldInactiveLoad, FieldDownloadStatus, FieldLoginUser, FieldRegistrationAttempts, FieldTimestamp,
	}
}

// DiffOptions tunes DiffSnapshots.
type DiffOptions struct {
	// Ignore names the fields that never count as a change; nil means DefaultIgnoredFields.
	// Pass an empty non-nil slice to compare every field.
	Ignore []string
	// Force compares snapshots of different clusters instead of refusing.
	Force bool
}

// ParseIgnoreFields reads an --ignore-fields value: a comma-separated list of DiffFields that
// replaces the defaults, or, when it starts with "+", is added to them. "none" ignores nothing.
func ParseIgnoreFields(s string) ([]string, error) {
	s = strings.TrimSpace(s)
	if s == "none" {
		return []string{}, nil
	}
	var out []string
	if rest, ok := strings.CutPrefix(s, "+"); ok {
		out = DefaultIgnoredFields()
		s = rest
	} else {
		out = []string{}
	}
	known := DiffFields()
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !slices.Contains(known, f) {
			return nil, fmt.Errorf("unknown diff field %q: want some of %s", f, strings.Join(known, ", "))
		}
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out, nil
}

// DiffSnapshots compares two snapshots of one cluster: devices added, removed and changed field
// by field, findings new, resolved and persisting by fingerprint (from each snapshot's newest
// analysis), and registration counts by RisPort class. What it could not compare honestly (a
// snapshot without analysis, incomplete RisPort coverage) is said in Diff.Notes, never guessed.
func DiffSnapshots(ctx context.Context, store *snapshot.Store, beforeID, afterID int64, opts DiffOptions) (*Diff, error) {
	before, err := store.Get(ctx, beforeID)
	if err != nil {
		return nil, fmt.Errorf("diffing snapshots: %w", err)
	}
	after, err := store.Get(ctx, afterID)
	if err != nil {
		return nil, fmt.Errorf("diffing snapshots: %w", err)
	}
	if before.ClusterID != after.ClusterID && !opts.Force {
		return nil, fmt.Errorf("snapshot %d is of cluster %q and snapshot %d of cluster %q: %w",
			before.ID, before.ClusterID, after.ID, after.ClusterID, ErrDifferentClusters)
	}
	for _, m := range []snapshot.Meta{before, after} {
		if m.Status == snapshot.StatusFailed {
			return nil, fmt.Errorf("snapshot %d failed and holds no data (%s): pick another with `cucm-audit snapshots`", m.ID, m.Note)
		}
	}
	ignore := opts.Ignore
	if ignore == nil {
		ignore = DefaultIgnoredFields()
	}
	known := DiffFields()
	for _, f := range ignore {
		if !slices.Contains(known, f) {
			return nil, fmt.Errorf("unknown diff field %q: want some of %s", f, strings.Join(known, ", "))
		}
	}
	d := &Diff{Before: before, After: after, Ignored: slices.Clone(ignore)}
	sort.Strings(d.Ignored)
	if before.ClusterID != after.ClusterID {
		d.Notes = append(d.Notes, fmt.Sprintf("forced comparison of two different clusters: %q and %q", before.ClusterID, after.ClusterID))
	}
	db := store.DB()
	bs, err := loadDiffSide(ctx, db, before)
	if err != nil {
		return nil, err
	}
	as, err := loadDiffSide(ctx, db, after)
	if err != nil {
		return nil, err
	}
	diffDevices(d, bs, as, ignore)
	d.Registration = classDeltas(bs, as)
	if err := diffFindings(ctx, store, d); err != nil {
		return nil, err
	}
	return d, nil
}

// diffSide is one snapshot's devices as the diff sees them.
type diffSide struct {
	meta    snapshot.Meta
	devices map[string]*diffDevice
	// risGaps names incomplete RisPort coverage items; classGap tells whether a RisPort class
	// could have missed devices (its class query or any node was incomplete).
	risGaps  []string
	classGap map[string]bool
	nodeGap  bool
}

type diffDevice struct {
	ref      DeviceRef
	inAXL    bool
	inRis    bool
	risClass string
	fields   map[string]string
	reason   int
}

// risComplete reports whether RisPort's view of a class was complete in this snapshot, so that
// a device it did not see was really not there.
func (s *diffSide) risComplete(class string) bool {
	return !s.nodeGap && !s.classGap[class]
}

// stateKnown reports whether this side knows the device's registration state. On a side whose
// RisPort view of the class is incomplete, only a device seen Registered is known: one not seen,
// or seen UnRegistered by a node that answered, may be registered on the node that did not (a
// phone that failed over from the answering node to the silent one reads UnRegistered there).
func (dev *diffDevice) stateKnown(s *diffSide, class string) bool {
	return s.risComplete(class) || (dev.inRis && dev.fields[FieldStatus] == "Registered")
}

func loadDiffSide(ctx context.Context, db *sql.DB, m snapshot.Meta) (*diffSide, error) {
	s := &diffSide{meta: m, devices: map[string]*diffDevice{}, classGap: map[string]bool{}}
	wrap := func(what string, err error) error {
		return fmt.Errorf("reading %s of snapshot %d for the diff: %w", what, m.ID, err)
	}
	rows, err := db.QueryContext(ctx, `SELECT name, class, ris_class, model, protocol, description, device_pool,
		owner, css, location FROM axl_device WHERE snapshot_id = ?`, m.ID)
	if err != nil {
		return nil, wrap("devices", err)
	}
	for rows.Next() {
		var name, class, risClass, model, protocol, desc, pool, owner, css, loc string
		if err := rows.Scan(&name, &class, &risClass, &model, &protocol, &desc, &pool, &owner, &css, &loc); err != nil {
			rows.Close()
			return nil, wrap("devices", err)
		}
		refClass := class
		if risClass != "" {
			refClass = risClass
		}
		s.devices[name] = &diffDevice{
			ref: DeviceRef{Name: name, Class: refClass, Model: model}, inAXL: true, risClass: risClass,
			fields: map[string]string{
				FieldClass: class, FieldModel: model, FieldProtocol: protocol, FieldDescription: desc,
				FieldDevicePool: pool, FieldOwner: owner, FieldCSS: css, FieldLocation: loc,
			},
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, wrap("devices", err)
	}

	rows, err = db.QueryContext(ctx, `SELECT device, line_index, dn, partition FROM axl_line_appearance
		WHERE snapshot_id = ? ORDER BY device, line_index`, m.ID)
	if err != nil {
		return nil, wrap("line appearances", err)
	}
	lines := map[string][]string{}
	for rows.Next() {
		var dev, dn, part string
		var idx int
		if err := rows.Scan(&dev, &idx, &dn, &part); err != nil {
			rows.Close()
			return nil, wrap("line appearances", err)
		}
		l := strconv.Itoa(idx) + ":" + dn
		if part != "" {
			l += "/" + part
		}
		lines[dev] = append(lines[dev], l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, wrap("line appearances", err)
	}
	for _, dev := range s.devices {
		dev.fields[FieldLines] = strings.Join(lines[dev.ref.Name], ", ")
	}

	rows, err = db.QueryContext(ctx, `SELECT name, device_class, status, status_reason, node, ipv4, ip_addresses,
		active_load, inactive_load, download_status, login_user, registration_attempts, timestamp, description,
		protocol, model FROM ris_latest WHERE snapshot_id = ?`, m.ID)
	if err != nil {
		return nil, wrap("RisPort devices", err)
	}
	for rows.Next() {
		var name, class, status, node, ipv4, ips, load, inactive, download, login, desc, protocol string
		var reason, attempts, model int
		var ts int64
		if err := rows.Scan(&name, &class, &status, &reason, &node, &ipv4, &ips, &load, &inactive, &download,
			&login, &attempts, &ts, &desc, &protocol, &model); err != nil {
			rows.Close()
			return nil, wrap("RisPort devices", err)
		}
		dev := s.devices[name]
		if dev == nil {
			// RisPort reports it, AXL does not know it.
			dev = &diffDevice{ref: DeviceRef{Name: name, Class: class}, fields: map[string]string{}}
			s.devices[name] = dev
		}
		dev.inRis = true
		dev.risClass = class
		ip := ipv4
		if ip == "" {
			ip = ips
		}
		dev.reason = reason
		dev.fields[FieldStatus] = status
		dev.fields[FieldStatusReason] = StatusReasonText(reason)
		dev.fields[FieldNode] = node
		dev.fields[FieldIP] = ip
		dev.fields[FieldActiveLoad] = load
		dev.fields[FieldInactiveLoad] = inactive
		dev.fields[FieldDownloadStatus] = download
		dev.fields[FieldLoginUser] = login
		dev.fields[FieldRegistrationAttempts] = strconv.Itoa(attempts)
		dev.fields[FieldTimestamp] = strconv.FormatInt(ts, 10)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, wrap("RisPort devices", err)
	}

	cov, err := db.QueryContext(ctx, `SELECT item FROM coverage WHERE snapshot_id = ? AND source = ? AND complete = 0
		ORDER BY item`, m.ID, snapshot.SourceRisPort)
	if err != nil {
		return nil, wrap("coverage", err)
	}
	for cov.Next() {
		var item string
		if err := cov.Scan(&item); err != nil {
			cov.Close()
			return nil, wrap("coverage", err)
		}
		s.risGaps = append(s.risGaps, item)
		if class, ok := strings.CutPrefix(item, "class:"); ok {
			s.classGap[class] = true
		} else {
			s.nodeGap = true
		}
	}
	cov.Close()
	return s, cov.Err()
}

func diffDevices(d *Diff, bs, as *diffSide, ignore []string) {
	ignored := map[string]bool{}
	for _, f := range ignore {
		ignored[f] = true
	}
	fieldOrder := DiffFields()
	uncompared := 0
	for name, b := range bs.devices {
		a, ok := as.devices[name]
		if !ok {
			d.Removed = append(d.Removed, b.ref)
			continue
		}
		var changes []FieldChange
		add := func(field, before, after string) {
			if !ignored[field] && before != after {
				changes = append(changes, FieldChange{Field: field, Before: before, After: after})
			}
		}
		if b.inAXL != a.inAXL {
			add(FieldConfigured, yesNo(b.inAXL), yesNo(a.inAXL))
		}
		if b.inAXL && a.inAXL {
			for _, f := range []string{FieldClass, FieldModel, FieldProtocol, FieldDescription, FieldDevicePool,
				FieldOwner, FieldCSS, FieldLocation, FieldLines} {
				add(f, b.fields[f], a.fields[f])
			}
		}
		class := a.risClass
		if class == "" {
			class = b.risClass
		}
		switch {
		case class == "":
			// A device class RisPort does not track: nothing to compare.
		case !b.stateKnown(bs, class) || !a.stateKnown(as, class):
			if b.inRis || a.inRis {
				uncompared++
			}
		default:
			bst, ast := b.fields[FieldStatus], a.fields[FieldStatus]
			if bst != ast && !ignored[FieldStatus] {
				changes = append(changes, FieldChange{Field: FieldStatus, Before: statusText(b), After: statusText(a)})
			}
			if b.inRis && a.inRis {
				if bst == ast {
					add(FieldStatusReason, b.fields[FieldStatusReason], a.fields[FieldStatusReason])
				}
				if bst == "Registered" && ast == "Registered" {
					add(FieldNode, b.fields[FieldNode], a.fields[FieldNode])
				}
				for _, f := range []string{FieldIP, FieldActiveLoad, FieldInactiveLoad, FieldDownloadStatus} {
					if b.fields[f] != "" && a.fields[f] != "" {
						add(f, b.fields[f], a.fields[f])
					}
				}
				for _, f := range []string{FieldLoginUser, FieldRegistrationAttempts, FieldTimestamp} {
					add(f, b.fields[f], a.fields[f])
				}
			}
		}
		if len(changes) > 0 {
			sort.SliceStable(changes, func(i, j int) bool {
				return slices.Index(fieldOrder, changes[i].Field) < slices.Index(fieldOrder, changes[j].Field)
			})
			ref := a.ref
			if ref.Model == "" {
				ref.Model = b.ref.Model
			}
			d.Changed = append(d.Changed, DeviceChange{DeviceRef: ref, Fields: changes, Where: changeWhere(b, a)})
		}
	}
	for name, a := range as.devices {
		if _, ok := bs.devices[name]; !ok {
			d.Added = append(d.Added, a.ref)
		}
	}
	sortRefs(d.Added)
	sortRefs(d.Removed)
	sort.Slice(d.Changed, func(i, j int) bool { return d.Changed[i].Name < d.Changed[j].Name })
	for _, s := range []*diffSide{bs, as} {
		if len(s.risGaps) > 0 {
			d.Notes = append(d.Notes, fmt.Sprintf("snapshot %d has incomplete RisPort coverage (%s): devices it did not see are not reported as changed",
				s.meta.ID, strings.Join(s.risGaps, ", ")))
		}
	}
	if uncompared > 0 {
		d.Notes = append(d.Notes, fmt.Sprintf("registration of %d devices not compared: RisPort could not see them completely on one side", uncompared))
	}
}

// changeWhere locates a changed device so a failure can be found: its device pool, location,
// owner, description and model from the later snapshot's configuration, and the node and IP
// RisPort reported it on (the later snapshot's when it reported one, else the earlier's: a
// phone that broke is usually not seen any more, and where it was is where to look).
func changeWhere(b, a *diffDevice) *Where {
	pick := func(f string) string {
		if v := a.fields[f]; v != "" {
			return v
		}
		return b.fields[f]
	}
	model := a.ref.Model
	if model == "" {
		model = b.ref.Model
	}
	w := &Where{DevicePool: pick(FieldDevicePool), Location: pick(FieldLocation), Owner: pick(FieldOwner),
		Node: pick(FieldNode), IP: pick(FieldIP), Description: pick(FieldDescription), Model: model}
	if *w == (Where{}) {
		return nil
	}
	return w
}

func sortRefs(refs []DeviceRef) {
	sort.Slice(refs, func(i, j int) bool {
		if refs[i].Class != refs[j].Class {
			return refs[i].Class < refs[j].Class
		}
		return refs[i].Name < refs[j].Name
	})
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// statusText is a device's RisPort status for a status change: "Rejected (ConfigurationMismatch)",
// "Registered", or "not seen" when RisPort did not report the device.
func statusText(dev *diffDevice) string {
	if !dev.inRis {
		return "not seen"
	}
	st := dev.fields[FieldStatus]
	if st != "Registered" && dev.reason != 0 {
		return st + " (" + StatusReasonText(dev.reason) + ")"
	}
	return st
}

// classDeltas counts devices per RisPort class on both sides, and flags each side whose
// RisPort view of the class had a gap: there the counts are at least what was seen, not exact.
func classDeltas(bs, as *diffSide) []ClassDelta {
	by := map[string]*ClassDelta{}
	get := func(c string) *ClassDelta {
		if by[c] == nil {
			by[c] = &ClassDelta{Class: c, IncompleteBefore: !bs.risComplete(c), IncompleteAfter: !as.risComplete(c)}
		}
		return by[c]
	}
	for _, side := range []struct {
		s      *diffSide
		before bool
	}{{bs, true}, {as, false}} {
		for _, dev := range side.s.devices {
			if dev.risClass == "" {
				continue
			}
			cd := get(dev.risClass)
			reg := dev.inRis && dev.fields[FieldStatus] == "Registered"
			switch {
			case side.before:
				cd.ConfiguredBefore += b2i(dev.inAXL)
				cd.SeenBefore += b2i(dev.inRis)
				cd.RegisteredBefore += b2i(reg)
			default:
				cd.ConfiguredAfter += b2i(dev.inAXL)
				cd.SeenAfter += b2i(dev.inRis)
				cd.RegisteredAfter += b2i(reg)
			}
		}
	}
	out := make([]ClassDelta, 0, len(by))
	for _, cd := range by {
		out = append(out, *cd)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Class < out[j].Class })
	return out
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
