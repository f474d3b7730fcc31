package snapshot

import (
	"fmt"
	"time"
)

// Status is the outcome of one collection.
type Status string

// The statuses a snapshot can have. A snapshot is written as failed first and only reaches
// complete or partial when its transaction commits.
const (
	StatusComplete Status = "complete"
	StatusPartial  Status = "partial"
	StatusFailed   Status = "failed"
)

// Meta describes one snapshot.
type Meta struct {
	ID        int64  `json:"id"`
	ClusterID string `json:"cluster_id"`
	AXLHost   string `json:"axl_host"`
	// AXLUser is the AXL user name the snapshot was collected with ("" before schema 7); never
	// a password.
	AXLUser     string    `json:"axl_user,omitempty"`
	CUCMVersion string    `json:"cucm_version"`
	ToolVersion string    `json:"tool_version"`
	StartedAt   time.Time `json:"started_at"`
	FinishedAt  time.Time `json:"finished_at"`
	Status      Status    `json:"status"`
	Note        string    `json:"note,omitempty"`
}

// Device is one configured device from AXL.
type Device struct {
	PKID        string
	Name        string
	Class       string // AXL typeclass name
	RisClass    string // RisPort DeviceClass, "" when RisPort does not track the class
	Model       string
	ModelEnum   int
	Product     string
	Protocol    string
	Description string
	DevicePool  string
	Owner       string
	CSS         string
	Location    string
	IsActive    bool
	// LoadOverride is the device's own firmware load (device.specialloadinformation), "" when it
	// runs the Device Defaults load of its model and protocol.
	LoadOverride string
	// RunOnAllNodes is set for trunks that run on every call-processing node at once.
	RunOnAllNodes bool
	// ProcessNode is the node a software media resource runs on (device.fkprocessnode).
	ProcessNode string
	// MGCPGateway is the domain name of the MGCP gateway an endpoint belongs to.
	MGCPGateway string
}

// PatternDestination is a route pattern, hunt pilot or other non-line pattern and the device
// it points at (a devicenumplanmap row whose numplan usage is not Device).
type PatternDestination struct {
	PatternPKID string
	Pattern     string
	Partition   string
	Usage       string // typepatternusage name: Route, Hunt Pilot, ...
	Device      string
}

// MGCPGateway is one MGCP gateway and the CallManager group its endpoints register to.
type MGCPGateway struct {
	DomainName  string
	Description string
	Product     string
	CMGroup     string
}

// DefaultLoad is the Device Defaults firmware load of one model and protocol.
type DefaultLoad struct {
	Model    string
	Protocol string
	Load     string
}

// Line is one directory number or pattern from numplan.
type Line struct {
	PKID        string
	DN          string
	Partition   string
	Description string
	Usage       string
}

// LineAppearance places a line on a device button.
type LineAppearance struct {
	Device    string
	Index     int
	LinePKID  string
	DN        string
	Partition string
	Label     string
	Display   string
}

// User is one end user.
type User struct {
	UserID     string
	FirstName  string
	LastName   string
	Mail       string
	Department string
	Status     string
}

// DevicePool is one device pool and the CallManager group it uses.
type DevicePool struct {
	Name     string
	CMGroup  string
	Region   string
	Location string
}

// CMGroupMember is one node of a CallManager group; Priority 1 is the primary.
type CMGroupMember struct {
	CMGroup  string
	Node     string
	Priority int
}

// Node is one CUCM server of the cluster.
type Node struct {
	Name        string
	Description string
	IsPublisher bool
	IsActive    bool
	Role        string // RoleUnifiedCM or RoleIMAndPresence
}

// Node roles (processnode.tkprocessnoderole). Only Unified CM nodes process calls and answer
// RisPort; IM and Presence nodes are recorded so that reports can name them as such.
const (
	RoleUnifiedCM     = "Unified CM"
	RoleIMAndPresence = "IM and Presence"
)

// RisDevice is one CmDevice entry as one node reported it.
type RisDevice struct {
	Node                 string
	Name                 string
	DeviceClass          string
	Model                int
	Product              int
	Status               string
	StatusReason         int
	Protocol             string
	Description          string
	DirNumber            string
	NumLines             int
	LinesStatus          string
	IPv4                 string
	IPAddresses          string
	ActiveLoad           string
	InactiveLoad         string
	DownloadStatus       string
	LoginUser            string
	TimeStamp            int64
	RegistrationAttempts int
	Httpd                string
	IsCtiControllable    bool
}

// NodeAnswer is what one node answered to the query for one device class.
type NodeAnswer struct {
	DeviceClass string
	Node        string
	ReturnCode  string
	Devices     int
}

// Coverage records how fully one source was read.
type Coverage struct {
	Source   string `json:"source"`   // SourceAXL or SourceRisPort
	Item     string `json:"item"`     // "devices", "class:Phone", "node:cucm-sub1", ...
	Complete bool   `json:"complete"` // false when anything is missing
	Reason   string `json:"reason,omitempty"`
	Records  int    `json:"records"`
}

// Coverage sources.
const (
	SourceAXL     = "axl"
	SourceRisPort = "risport"
)

// ClassItem is the coverage item for one RisPort device class.
func ClassItem(class string) string { return "class:" + class }

// NodeItem is the coverage item for one RisPort node.
func NodeItem(node string) string { return "node:" + node }

// String renders a snapshot in one line for logs and lists.
func (m Meta) String() string {
	return fmt.Sprintf("#%d %s %s %s", m.ID, m.ClusterID, m.StartedAt.UTC().Format(time.RFC3339), m.Status)
}
