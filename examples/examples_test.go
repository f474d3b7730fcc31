package examples_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cucm-audit/cucm-audit/collect/cucmsim"
	"github.com/cucm-audit/cucm-audit/examples"
)

func TestNames(t *testing.T) {
	if diff := cmp.Diff([]string{"demo", "megacluster", "tiny"}, examples.Names()); diff != "" {
		t.Errorf("Names (-want +got):\n%s", diff)
	}
	if _, err := examples.Scenario("demo.yaml"); err != nil {
		t.Error(err)
	}
	_, err := examples.Scenario("nope")
	if err == nil || !strings.Contains(err.Error(), `no shipped scenario "nope" (have demo, megacluster, tiny)`) {
		t.Errorf("unknown scenario: %v", err)
	}
}

// TestScenariosParse loads every shipped scenario strictly (building them is cucmsim's test).
func TestScenariosParse(t *testing.T) {
	for _, name := range examples.Names() {
		t.Run(name, func(t *testing.T) {
			data, err := examples.Scenario(name)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := cucmsim.ParseScenario(name+".yaml", data); err != nil {
				t.Fatal(err)
			}
		})
	}
}
