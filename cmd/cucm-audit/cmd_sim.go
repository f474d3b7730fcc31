package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/cucm-audit/cucm-audit/collect/cucmsim"
	"github.com/cucm-audit/cucm-audit/examples"
	"github.com/cucm-audit/cucm-audit/examples/demo"
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
	sc, src, err := demo.LoadScenario(o.scenario)
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
	sim.WriteBanner(stderr, ln, src, o.certOut)

	if err := ln.Serve(ctx); err != nil {
		return fmt.Errorf("sim: %w", err)
	}
	sim.WriteStats(stderr)
	return nil
}
