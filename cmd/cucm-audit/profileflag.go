package main

import (
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
)

// profileFlag registers --profile of collect and run: a CPU profile of the command, for an
// operator whose collection is slow to send to us (read with `go tool pprof`).
func profileFlag(fs *flag.FlagSet) *string {
	return fs.String("profile", "", "write a CPU profile of the command to `FILE` (for a slow collection: send it with the issue; read it with go tool pprof)")
}

// startProfile starts the CPU profile --profile asked for and returns the function that ends
// it; with no path it does nothing. The file is created before the cluster is contacted, so a
// path that cannot be written fails at once.
func startProfile(path string) (stop func() error, err error) {
	if path == "" {
		return func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("--profile %s: %w", path, err)
	}
	return func() error {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			return fmt.Errorf("--profile %s: %w", path, err)
		}
		return nil
	}, nil
}
