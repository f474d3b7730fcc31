package collect

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/cucm-audit/cucm-audit/internal/cli"
)

// Flags are the flags of collect, check and run that say where the configuration comes from:
// --config, --cluster, --verbose, --collect and (collect and run) --timeout and --profile.
type Flags struct {
	ConfigFile string
	Cluster    string
	Verbose    bool
	Manifests  manifestFiles
	// Timeout is the deadline of the whole collection; 0 keeps the configuration's.
	Timeout time.Duration
	// Profile is the file --profile writes a CPU profile of the command to ("": none).
	Profile string
}

// manifestFiles is the repeatable --collect flag: collection manifests added to the built-in one.
type manifestFiles []string

func (m *manifestFiles) String() string { return strings.Join(*m, ",") }

func (m *manifestFiles) Set(s string) error {
	*m = append(*m, s)
	return nil
}

// AddFlags registers the flags on fs; --timeout and --profile only for a command that collects.
func AddFlags(fs *flag.FlagSet, collects bool) *Flags {
	f := &Flags{}
	fs.StringVar(&f.ConfigFile, "config", "", "YAML file listing clusters (default: configuration from the environment, AXL_URL, AXL_USER, AXL_PASS or AXL_PASS_FILE, ...)")
	fs.StringVar(&f.Cluster, "cluster", "", "cluster name in --config")
	fs.BoolVar(&f.Verbose, "verbose", false, "log debug lines (retries, waits) to stderr")
	fs.Var(&f.Manifests, "collect", "collection manifest (YAML) adding CUCM tables or columns to the built-in one; repeatable")
	if collects {
		fs.DurationVar(&f.Timeout, "timeout", 0, "deadline of the whole collection, e.g. 30m: what is not read by then is stored as incomplete and the snapshot is partial (exit 4) (default: COLLECT_TIMEOUT or the config file's collect_timeout, else 2h)")
		// For an operator whose collection is slow to send to us (read with `go tool pprof`).
		fs.StringVar(&f.Profile, "profile", "", "write a CPU profile of the command to `FILE` (for a slow collection: send it with the issue; read it with go tool pprof)")
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

// Config checks the flags (usage errors, exit 2), reads the configuration from --config and
// --cluster, else from the environment, and applies --collect and --timeout.
func (f *Flags) Config(getenv func(string) string, toolVersion string) (Config, error) {
	var (
		cfg Config
		err error
	)
	if err := f.Check(); err != nil {
		return Config{}, cli.WithCode(cli.ExitUsage, err)
	}
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

// StartProfile starts the CPU profile --profile asked for and returns the function that ends
// it; with no path it does nothing. The file is created before the cluster is contacted, so a
// path that cannot be written fails at once.
func (f *Flags) StartProfile() (stop func() error, err error) {
	path := f.Profile
	if path == "" {
		return func() error { return nil }, nil
	}
	pf, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--profile: %w", err)
	}
	if err := pprof.StartCPUProfile(pf); err != nil {
		pf.Close()
		return nil, fmt.Errorf("--profile %s: %w", path, err)
	}
	return func() error {
		pprof.StopCPUProfile()
		if err := pf.Close(); err != nil {
			return fmt.Errorf("--profile %s: %w", path, err)
		}
		return nil
	}, nil
}
