package collect

import (
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"
)

// Flags are the flags of collect, check and run that say where the configuration comes from:
// --config, --cluster, --verbose, --collect and (collect and run) --timeout.
type Flags struct {
	ConfigFile string
	Cluster    string
	Verbose    bool
	Manifests  manifestFiles
	// Timeout is the deadline of the whole collection; 0 keeps the configuration's.
	Timeout time.Duration
}

// manifestFiles is the repeatable --collect flag: collection manifests added to the built-in one.
type manifestFiles []string

func (m *manifestFiles) String() string { return strings.Join(*m, ",") }

func (m *manifestFiles) Set(s string) error {
	*m = append(*m, s)
	return nil
}

// AddFlags registers the flags on fs, --timeout only withTimeout.
func AddFlags(fs *flag.FlagSet, withTimeout bool) *Flags {
	f := &Flags{}
	fs.StringVar(&f.ConfigFile, "config", "", "YAML file listing clusters (default: configuration from the environment, AXL_URL, AXL_USER, AXL_PASS or AXL_PASS_FILE, ...)")
	fs.StringVar(&f.Cluster, "cluster", "", "cluster name in --config")
	fs.BoolVar(&f.Verbose, "verbose", false, "log debug lines (retries, waits) to stderr")
	fs.Var(&f.Manifests, "collect", "collection manifest (YAML) adding CUCM tables or columns to the built-in one; repeatable")
	if withTimeout {
		fs.DurationVar(&f.Timeout, "timeout", 0, "deadline of the whole collection, e.g. 30m: what is not read by then is stored as incomplete and the snapshot is partial (exit 4) (default: COLLECT_TIMEOUT or the config file's collect_timeout, else 2h)")
	}
	return f
}

// Check validates the flags together; its errors are usage errors naming the flag.
func (f *Flags) Check() error {
	switch {
	case f.Cluster != "" && f.ConfigFile == "":
		return errors.New("--cluster needs --config")
	case f.Timeout < 0:
		return fmt.Errorf("--timeout %s: want a positive duration such as 30m", f.Timeout)
	}
	return nil
}

// Config reads the configuration from --config and --cluster, else from the environment, and
// applies --collect and --timeout.
func (f *Flags) Config(getenv func(string) string, toolVersion string) (Config, error) {
	var (
		cfg Config
		err error
	)
	if f.ConfigFile != "" {
		cfg, err = LoadConfigFile(f.ConfigFile, f.Cluster, getenv)
	} else {
		cfg, err = ConfigFromEnv(getenv)
	}
	cfg.ToolVersion = toolVersion
	if err == nil {
		err = cfg.AddManifests(f.Manifests...)
	}
	if f.Timeout > 0 {
		cfg.CollectTimeout = f.Timeout
	}
	return cfg, err
}
