package mcpserver

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/cucm-audit/cucm-audit/analyze/results"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// ---- device ----

// DeviceIn names one device.
type DeviceIn struct {
	SnapshotRef
	Name string `json:"name" jsonschema:"device name as configured in CUCM (e.g. SEP001122334455 or a gateway name), ignoring case"`
}

// AXLDevice is a device's configuration.
type AXLDevice struct {
	Name        string `json:"name"`
	Class       string `json:"class"`
	RisClass    string `json:"risport_class,omitempty"`
	Model       string `json:"model,omitempty"`
	Product     string `json:"product,omitempty"`
	Protocol    string `json:"protocol,omitempty"`
	Description string `json:"description,omitempty"`
	DevicePool  string `json:"device_pool,omitempty"`
	Owner       string `json:"owner,omitempty"`
	CSS         string `json:"css,omitempty"`
	Location    string `json:"location,omitempty"`
	IsActive    bool   `json:"is_active"`
}

// RisRow is what one node's RisPort reported about a device.
type RisRow struct {
	Node                 string `json:"node"`
	DeviceClass          string `json:"device_class"`
	Status               string `json:"status"`
	StatusReason         int    `json:"status_reason"`
	ReasonText           string `json:"status_reason_text"`
	Since                string `json:"since,omitempty"`
	Protocol             string `json:"protocol,omitempty"`
	IPv4                 string `json:"ipv4,omitempty"`
	IPAddresses          string `json:"ip_addresses,omitempty"`
	ActiveLoad           string `json:"active_load,omitempty"`
	InactiveLoad         string `json:"inactive_load,omitempty"`
	DownloadStatus       string `json:"download_status,omitempty"`
	DirNumber            string `json:"dir_number,omitempty"`
	LinesStatus          string `json:"lines_status,omitempty"`
	LoginUser            string `json:"login_user,omitempty"`
	RegistrationAttempts int    `json:"registration_attempts,omitempty"`
}

// DeviceOut is one device in full.
type DeviceOut struct {
	Snapshot      snapshot.Meta        `json:"snapshot"`
	Name          string               `json:"name"`
	InAXL         bool                 `json:"in_axl"`
	Config        *AXLDevice           `json:"config,omitempty"`
	Lines         []results.DeviceLine `json:"lines"`
	DevicePool    *results.DevicePool  `json:"device_pool,omitempty"`
	Status        string               `json:"status"`
	StatusMeaning string               `json:"status_meaning"`
	RisPort       []RisRow             `json:"risport"`
	Findings      []FindingRow         `json:"findings"`
	Notes         []string             `json:"notes"`
}

func (s *Server) device(ctx context.Context, _ *mcp.CallToolRequest, in DeviceIn) (*mcp.CallToolResult, DeviceOut, error) {
	var out DeviceOut
	if strings.TrimSpace(in.Name) == "" {
		return nil, out, errors.New("name is empty: give a device name (device_registration_status lists them)")
	}
	m, notes, err := s.snapshotFor(ctx, in.SnapshotRef)
	if err != nil {
		return nil, out, err
	}
	out.Snapshot, out.Notes = m, notes
	var d AXLDevice
	conf, ok, err := results.Configured(ctx, s.opts.Store, m.ID, in.Name)
	if err != nil {
		return nil, out, err
	}
	if ok {
		d = AXLDevice{Name: conf.Name, Class: conf.Class, RisClass: conf.RisClass, Model: conf.Model, Product: conf.Product,
			Protocol: conf.Protocol, Description: conf.Description, DevicePool: conf.DevicePool, Owner: conf.Owner,
			CSS: conf.CSS, Location: conf.Location, IsActive: conf.IsActive}
		out.InAXL, out.Config, out.Name = true, &d, d.Name
	}
	var risName string
	if out.RisPort, risName, err = s.risRows(ctx, m.ID, in.Name); err != nil {
		return nil, out, err
	}
	if !out.InAXL && len(out.RisPort) == 0 {
		return nil, out, s.noSuchDevice(ctx, m.ID, in.Name)
	}
	if out.Name == "" {
		out.Name = in.Name
		if risName != "" {
			out.Name = risName
		}
		out.Notes = append(out.Notes, "RisPort reported this device but AXL has no such device: it registers under a name CUCM's configuration does not know (or it was deleted after registering)")
	}
	if out.Lines, err = results.DeviceLines(ctx, s.opts.Store, m.ID, out.Name); err != nil {
		return nil, out, err
	}
	if out.InAXL && d.DevicePool != "" {
		if out.DevicePool, err = results.ReadDevicePool(ctx, s.opts.Store, m.ID, d.DevicePool); err != nil {
			return nil, out, err
		}
	}
	// The resolved status follows ris_latest: newest TimeStamp wins, Registered wins a tie.
	status, seen, err := results.ResolvedStatus(ctx, s.opts.Store, m.ID, out.Name)
	switch {
	case err != nil:
		return nil, out, err
	case !seen:
		out.Status = statusNeverSeen
	default:
		out.Status = status
	}
	out.StatusMeaning = statusMeanings[out.Status]
	if len(out.RisPort) > 1 {
		out.Notes = append(out.Notes, fmt.Sprintf("%d nodes reported this device; the status shown is the newest (Registered wins a tie)", len(out.RisPort)))
	}
	if out.InAXL && d.RisClass != "" {
		cov, err := s.opts.Store.Coverage(ctx, m.ID)
		if err != nil {
			return nil, out, err
		}
		if ok, why := classCoverage(cov)(d.RisClass); !ok {
			out.Notes = append(out.Notes, "RisPort data may be incomplete for this device: "+why)
		}
	} else if out.InAXL {
		out.Notes = append(out.Notes, fmt.Sprintf("RisPort does not track devices of class %s: no registration status exists for it", d.Class))
		out.Status, out.StatusMeaning = "", "not tracked by RisPort"
	}
	run, err := s.latestAnalysis(ctx, m.ID)
	if err != nil {
		return nil, out, err
	}
	out.Findings = []FindingRow{}
	if run == nil {
		out.Notes = append(out.Notes, "the snapshot has not been analysed: no findings are available")
	} else {
		found, err := s.findings(ctx, run.ID, results.FindingFilter{Entity: out.Name})
		if err != nil {
			return nil, out, err
		}
		for _, f := range found {
			out.Findings = append(out.Findings, FindingRow{RuleID: f.RuleID, Title: f.Title, Severity: f.Severity, Category: f.Category,
				Entity: f.Entity, Fingerprint: f.Fingerprint, Message: f.Message, Waived: f.Waived})
		}
	}
	out.Notes = nonNil(out.Notes)
	return nil, out, nil
}

func (s *Server) noSuchDevice(ctx context.Context, snapID int64, name string) error {
	near, err := results.SimilarDevices(ctx, s.opts.Store, snapID, name)
	if err != nil {
		return err
	}
	if len(near) > 0 {
		return fmt.Errorf("no device named %q in snapshot %d; similar names: %s", name, snapID, strings.Join(near, ", "))
	}
	return fmt.Errorf("no device named %q in snapshot %d (neither in AXL nor in RisPort); device_registration_status with name_filter finds names", name, snapID)
}

// risRows reads what every node's RisPort reported of a device, newest first, and the name
// RisPort gave it ("" when none listed it).
func (s *Server) risRows(ctx context.Context, snapID int64, name string) ([]RisRow, string, error) {
	stored, err := results.RisRows(ctx, s.opts.Store, snapID, name)
	if err != nil {
		return nil, "", err
	}
	out, risName := []RisRow{}, ""
	for _, r := range stored {
		if risName == "" {
			risName = r.Name
		}
		out = append(out, RisRow{Node: r.Node, DeviceClass: r.DeviceClass, Status: r.Status, StatusReason: r.StatusReason,
			ReasonText: reasonText(r.StatusReason), Since: epoch(r.TimeStamp), Protocol: r.Protocol, IPv4: r.IPv4,
			IPAddresses: r.IPAddresses, ActiveLoad: r.ActiveLoad, InactiveLoad: r.InactiveLoad, DownloadStatus: r.DownloadStatus,
			DirNumber: r.DirNumber, LinesStatus: r.LinesStatus, LoginUser: r.LoginUser, RegistrationAttempts: r.RegistrationAttempts})
	}
	return out, risName, nil
}

// ---- device_registration_status / summary ----

// registration reads every device RisPort tracks (by its AXL-side class or its RisPort class);
// a device RisPort did not list has status NeverSeen.
func (s *Server) registration(ctx context.Context, snapID int64) ([]results.Registration, error) {
	out, err := results.Registrations(ctx, s.opts.Store, snapID)
	for i := range out {
		if !out[i].InRis {
			out[i].Status = statusNeverSeen
		}
	}
	return out, err
}

// RegistrationIn filters the registration list.
type RegistrationIn struct {
	SnapshotRef
	DeviceClass string `json:"device_class,omitempty" jsonschema:"RisPort device class: Phone, Gateway, H323, Cti, VoiceMail, MediaResources, SIPTrunk, HuntList or Unknown (default: every class)"`
	Status      string `json:"status,omitempty" jsonschema:"registration status: Registered, UnRegistered, Rejected, PartiallyRegistered, Unknown, or NeverSeen for devices configured in AXL that RisPort did not report (default: every status)"`
	NameFilter  string `json:"name_filter,omitempty" jsonschema:"device name pattern with * and ? and [abc], ignoring case, e.g. SEP0011* or *GW*"`
	PageArgs
}

// RegistrationRow is one device's registration.
type RegistrationRow struct {
	Name         string `json:"name"`
	DeviceClass  string `json:"device_class"`
	AXLClass     string `json:"axl_class,omitempty"`
	Model        string `json:"model,omitempty"`
	Description  string `json:"description,omitempty"`
	Status       string `json:"status"`
	StatusReason int    `json:"status_reason"`
	ReasonText   string `json:"status_reason_text,omitempty"`
	Node         string `json:"node,omitempty"`
	IPv4         string `json:"ipv4,omitempty"`
	Since        string `json:"since,omitempty"`
	NodesSeen    int    `json:"nodes_seen"`
	InAXL        bool   `json:"in_axl"`
}

// RegistrationOut is one page of devices with their registration.
type RegistrationOut struct {
	Page
	Snapshot       snapshot.Meta     `json:"snapshot"`
	ByStatus       map[string]int    `json:"by_status"`
	Devices        []RegistrationRow `json:"devices"`
	StatusMeanings map[string]string `json:"status_meanings"`
	ReasonMeanings map[string]string `json:"status_reason_meanings"`
	Notes          []string          `json:"notes"`
}

func (s *Server) registrationStatus(ctx context.Context, _ *mcp.CallToolRequest, in RegistrationIn) (*mcp.CallToolResult, RegistrationOut, error) {
	var out RegistrationOut
	size, err := page(in.PageSize, in.Offset)
	if err != nil {
		return nil, out, err
	}
	class, status := "", ""
	if in.DeviceClass != "" {
		if class, err = canonical("device_class", in.DeviceClass, risClasses); err != nil {
			return nil, out, err
		}
	}
	if in.Status != "" {
		if status, err = canonical("status", in.Status, registrationStatuses); err != nil {
			return nil, out, err
		}
	}
	nameOK := anyMatch
	if in.NameFilter != "" {
		re, err := glob("name_filter", in.NameFilter)
		if err != nil {
			return nil, out, err
		}
		nameOK = re.MatchString
	}
	m, notes, err := s.snapshotFor(ctx, in.SnapshotRef)
	if err != nil {
		return nil, out, err
	}
	out.Snapshot, out.Notes = m, notes
	all, err := s.registration(ctx, m.ID)
	if err != nil {
		return nil, out, err
	}
	out.ByStatus = map[string]int{}
	var rows []RegistrationRow
	classes := map[string]bool{}
	for _, r := range all {
		if (class != "" && !strings.EqualFold(r.RisClass, class)) || !nameOK(r.Name) {
			continue
		}
		classes[r.RisClass] = true
		out.ByStatus[r.Status]++
		if status != "" && r.Status != status {
			continue
		}
		row := RegistrationRow{Name: r.Name, DeviceClass: r.RisClass, AXLClass: r.Class, Model: r.Model, Description: r.Description,
			Status: r.Status, StatusReason: r.Reason, Node: r.Node, IPv4: r.IPv4, Since: epoch(r.TimeStamp), NodesSeen: r.NodeRows, InAXL: r.InAXL}
		if r.InRis {
			row.ReasonText = reasonText(r.Reason)
		}
		rows = append(rows, row)
	}
	out.Devices, out.Page = slicePage(rows, size, in.Offset)
	out.StatusMeanings, out.ReasonMeanings = map[string]string{}, map[string]string{}
	for st := range out.ByStatus {
		out.StatusMeanings[st] = statusMeanings[st]
	}
	for _, r := range out.Devices {
		if r.ReasonText != "" {
			out.ReasonMeanings[fmt.Sprint(r.StatusReason)] = r.ReasonText
		}
	}
	if class != "" {
		classes[class] = true
	}
	gaps, err := s.classNotes(ctx, m, classes)
	if err != nil {
		return nil, out, err
	}
	out.Notes = append(out.Notes, gaps...)
	if out.ByStatus[statusNeverSeen] > 0 {
		out.Notes = append(out.Notes, "NeverSeen counts devices configured in AXL that no node reported; trust it only for classes whose RisPort coverage is complete")
	}
	return nil, out, nil
}

// classNotes names the classes among those given whose RisPort coverage is incomplete.
func (s *Server) classNotes(ctx context.Context, m snapshot.Meta, classes map[string]bool) ([]string, error) {
	cov, err := s.opts.Store.Coverage(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	complete := classCoverage(cov)
	names := make([]string, 0, len(classes))
	for c := range classes {
		names = append(names, c)
	}
	sort.Strings(names)
	notes := []string{}
	for _, c := range names {
		if ok, why := complete(c); !ok {
			notes = append(notes, why)
		}
	}
	if m.Status != snapshot.StatusComplete {
		notes = append(notes, fmt.Sprintf("snapshot %d is %s", m.ID, m.Status))
	}
	return notes, nil
}

// RegistrationSummaryIn selects the snapshot.
type RegistrationSummaryIn struct {
	SnapshotRef
}

// ClassRegistration compares AXL and RisPort for one RisPort device class.
type ClassRegistration struct {
	DeviceClass         string  `json:"device_class"`
	Configured          int     `json:"configured"`
	Seen                int     `json:"seen"`
	Registered          int     `json:"registered"`
	UnRegistered        int     `json:"unregistered"`
	Rejected            int     `json:"rejected"`
	PartiallyRegistered int     `json:"partially_registered"`
	Unknown             int     `json:"unknown"`
	NeverSeen           int     `json:"never_seen"`
	NotInAXL            int     `json:"not_in_axl"`
	RegistrationRate    float64 `json:"registration_rate"`
	Complete            bool    `json:"complete"`
	Gap                 string  `json:"gap,omitempty"`
}

// RegistrationSummaryOut is the class × status table.
type RegistrationSummaryOut struct {
	Snapshot       snapshot.Meta       `json:"snapshot"`
	Classes        []ClassRegistration `json:"classes"`
	StatusMeanings map[string]string   `json:"status_meanings"`
	Notes          []string            `json:"notes"`
}

func (s *Server) registrationSummary(ctx context.Context, _ *mcp.CallToolRequest, in RegistrationSummaryIn) (*mcp.CallToolResult, RegistrationSummaryOut, error) {
	var out RegistrationSummaryOut
	m, notes, err := s.snapshotFor(ctx, in.SnapshotRef)
	if err != nil {
		return nil, out, err
	}
	out.Snapshot, out.Notes = m, notes
	all, err := s.registration(ctx, m.ID)
	if err != nil {
		return nil, out, err
	}
	cov, err := s.opts.Store.Coverage(ctx, m.ID)
	if err != nil {
		return nil, out, err
	}
	complete := classCoverage(cov)
	byClass := map[string]*ClassRegistration{}
	var order []string
	for _, r := range all {
		c := byClass[r.RisClass]
		if c == nil {
			c = &ClassRegistration{DeviceClass: r.RisClass}
			byClass[r.RisClass] = c
			order = append(order, r.RisClass)
		}
		if r.InAXL {
			c.Configured++
		} else {
			c.NotInAXL++
		}
		if r.InRis {
			c.Seen++
		}
		switch r.Status {
		case "Registered":
			c.Registered++
		case "UnRegistered":
			c.UnRegistered++
		case "Rejected":
			c.Rejected++
		case "PartiallyRegistered":
			c.PartiallyRegistered++
		case statusNeverSeen:
			c.NeverSeen++
		default:
			c.Unknown++
		}
	}
	sort.Strings(order)
	out.Classes = []ClassRegistration{}
	out.Notes = nonNil(out.Notes)
	for _, name := range order {
		c := byClass[name]
		if c.Configured > 0 {
			c.RegistrationRate = float64(c.Registered) / float64(c.Configured)
		}
		c.Complete, c.Gap = complete(name)
		if !c.Complete {
			out.Notes = append(out.Notes, c.Gap+": its never_seen and registration figures may be understated")
		}
		out.Classes = append(out.Classes, *c)
	}
	out.StatusMeanings = statusMeanings
	if m.Status != snapshot.StatusComplete {
		out.Notes = append(out.Notes, fmt.Sprintf("snapshot %d is %s", m.ID, m.Status))
	}
	return nil, out, nil
}
