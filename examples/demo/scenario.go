package demo

import (
	"fmt"
	"os"

	"github.com/cucm-audit/cucm-audit/collect/cucmsim"
	"github.com/cucm-audit/cucm-audit/examples"
	"github.com/cucm-audit/cucm-audit/internal/cli"
)

// LoadScenario reads a scenario file, or a shipped scenario when no such file exists, for
// `cucm-audit sim` and the demo. The source it returns names the file or the shipped scenario.
func LoadScenario(arg string) (*cucmsim.Scenario, string, error) {
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
