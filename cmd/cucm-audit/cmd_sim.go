package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/cucm-audit/cucm-audit/collect/cucmsim"
	"github.com/cucm-audit/cucm-audit/examples"
	"github.com/cucm-audit/cucm-audit/internal/cli"
)

// simOptions are the flags of `cucm-audit sim`.
type simOptions struct {
	scenario string
	listen   string
	tls      bool
	certOut  string
}

func runSim(ctx context.Context, args []string, _, stderr io.Writer) error {
	var o simOptions
	fs := cli.NewFlagSet("sim", "sim --scenario FILE|NAME [--listen ADDR] [--tls [--cert-out FILE]]", stderr)
	fs.StringVar(&o.scenario, "scenario", "demo", "scenario YAML file, or the name of a shipped one ("+fmt.Sprint(examples.Names())+")")
	fs.StringVar(&o.listen, "listen", "127.0.0.1:8443", "address to listen on")
	fs.BoolVar(&o.tls, "tls", false, "serve HTTPS with a self-signed certificate for localhost/127.0.0.1 made at start")
	fs.StringVar(&o.certOut, "cert-out", "", "with --tls, write the certificate (PEM) here so clients can use it as AXL_CA_FILE")
	if err := cli.Parse(fs, args, false); err != nil {
		return err
	}
	if o.certOut != "" && !o.tls {
		return cli.UsageErrorf("sim: --cert-out needs --tls")
	}
	sc, src, err := loadSimScenario(o.scenario)
	if err != nil {
		return err
	}
	sim, err := cucmsim.New(sc)
	if err != nil {
		return fmt.Errorf("sim: %w", err)
	}
	defer sim.Close()

	ln, err := sim.Listen(o.listen, o.tls)
	if err != nil {
		return fmt.Errorf("sim: %w (pick another --listen address)", err)
	}
	if o.certOut != "" {
		if err := os.WriteFile(o.certOut, ln.CertPEM, 0o644); err != nil {
			ln.Shutdown(ctx)
			return fmt.Errorf("sim: writing --cert-out: %w", err)
		}
	}
	base := ln.URL
	user, _ := sim.Credentials()
	fmt.Fprintf(stderr, "cucm-audit sim: scenario %s (%s), CUCM %s\n", sc.Cluster.Name, src, sc.Version)
	fmt.Fprintf(stderr, "  AXL:      %s%s\n", base, cucmsim.AXLPath)
	fmt.Fprintf(stderr, "  RisPort:  %s%s\n", base, cucmsim.RisPortPath)
	fmt.Fprintf(stderr, "  user:     %s (password: credentials.password in %s)\n", user, src)
	if o.certOut != "" {
		fmt.Fprintf(stderr, "  CA file:  %s\n", o.certOut)
	}
	fmt.Fprintln(stderr, "Serving until interrupted (Ctrl-C).")

	if err := ln.Serve(ctx); err != nil {
		return fmt.Errorf("sim: %w", err)
	}
	st := sim.Stats()
	fmt.Fprintf(stderr, "cucm-audit sim: served %d AXL and %d RisPort requests (%d RateControl faults, %d injected 503s)\n",
		st.Requests["axl"], st.Requests["risport"], st.RateControlFaults, st.HTTP503)
	return nil
}

// loadSimScenario reads a scenario file, or a shipped scenario when no such file exists.
func loadSimScenario(arg string) (*cucmsim.Scenario, string, error) {
	if _, err := os.Stat(arg); err == nil {
		sc, err := cucmsim.LoadScenario(arg)
		if err != nil {
			return nil, "", fmt.Errorf("sim: %w", err)
		}
		return sc, arg, nil
	}
	data, err := examples.Scenario(arg)
	if err != nil {
		return nil, "", cli.UsageErrorf("sim: --scenario %q is neither a file nor a shipped scenario: %w", arg, err)
	}
	sc, err := cucmsim.ParseScenario(arg+".yaml", data)
	if err != nil {
		return nil, "", fmt.Errorf("sim: %w", err)
	}
	return sc, "shipped scenario " + arg, nil
}
