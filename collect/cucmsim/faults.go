package cucmsim

import (
	"errors"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Faults are the simulator's knobs. Every rate is deterministic from the scenario seed.
// Zero values mean "off", except where DefaultFaults says otherwise.
type Faults struct {
	RisPortRateLimit       int           `yaml:"risport_rate_limit"`       // requests per window, 0 = unlimited
	RisPortRateWindow      time.Duration `yaml:"risport_rate_window"`      // fixed window length
	RisPortMaxDevices      int           `yaml:"risport_max_devices"`      // cap of devices per answer
	RisPortStateInfoPaging bool          `yaml:"risport_stateinfo_paging"` // continue with StateInfo
	RisPortLegacyShape     bool          `yaml:"risport_legacy_shape"`     // old answer without selectCmDeviceReturn
	RisPortEmptyNodes      string        `yaml:"risport_empty_nodes"`      // "notfound" (default) or "nil"
	NodesNotResponding     []string      `yaml:"nodes_not_responding"`
	NodesNotFound          []string      `yaml:"nodes_not_found"`
	NodesSilent            []string      `yaml:"nodes_silent"`    // left out of every answer: no CmNode item, not in StateInfo
	ClassesFailing         []string      `yaml:"classes_failing"` // RisPort classes whose queries (and DeviceClass Any queries) answer 500

	HTTP503Rate      float64       `yaml:"http_503_rate"`  // 0..1 of requests answer 503
	HTTP503Burst     int           `yaml:"http_503_burst"` // the first N requests answer 503
	SlowResponse     time.Duration `yaml:"slow_response"`
	WrongCredentials bool          `yaml:"wrong_credentials"` // every request answers 401
	TruncateBodyRate float64       `yaml:"truncate_body_rate"`
	HTMLErrorRate    float64       `yaml:"html_error_rate"` // an HTML page with status 200

	AXLMaxRows         int           `yaml:"axl_max_rows"`  // rows past which executeSQLQuery is "too large"
	AXLMaxBytes        int           `yaml:"axl_max_bytes"` // response bytes past which it is "too large"
	AXLMemoryFaultRate float64       `yaml:"axl_memory_fault_rate"`
	AXLSessionExpired  bool          `yaml:"axl_session_expired"` // every JSESSIONIDSSO cookie answers 404
	AXLSessionTimeout  time.Duration `yaml:"axl_session_timeout"` // idle timeout of a session
	// AXLTablesDenied are tables the AXL user may not read: a query naming one answers Informix's
	// privilege error -272 "No SELECT permission" naming the table.
	AXLTablesDenied []string `yaml:"axl_tables_denied"`
}

// DefaultFaults are the knobs of a well-behaved cluster with CUCM's real limits.
func DefaultFaults() Faults {
	return Faults{
		RisPortRateLimit:  15,
		RisPortRateWindow: 60 * time.Second,
		RisPortMaxDevices: 1000,
		RisPortEmptyNodes: "notfound",
		AXLMaxRows:        100000,
		AXLMaxBytes:       8 << 20,
		AXLSessionTimeout: 30 * time.Minute,
	}
}

// Validate checks faults set at run time (SetFaults) the way the loader checks the YAML.
func (f Faults) Validate(nodeNames []string) error {
	nodes := map[string]bool{}
	for _, n := range nodeNames {
		nodes[n] = true
	}
	v := &validator{file: "", root: &yaml.Node{}}
	v.faults(&f, nodes, []any{"faults"})
	if len(v.errs) > 0 {
		return errors.New(strings.Join(v.errs, "\n"))
	}
	return nil
}
