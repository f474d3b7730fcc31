package collect

import (
	"errors"
	"strings"
	"testing"
)

// A client asking for more devices per answer than CUCM ever returns could take a silently
// capped answer for the whole class and report false orphans; the configuration refuses it.
func TestRisMaxDevicesAboveCUCMCapRefused(t *testing.T) {
	env := map[string]string{
		"AXL_URL": "https://cucm.example.org:8443/axl/", "AXL_USER": "u", "AXL_PASS": "p",
		"RISPORT_MAX_DEVICES": "2000",
	}
	_, err := ConfigFromEnv(func(k string) string { return env[k] })
	if err == nil || !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "RISPORT_MAX_DEVICES=2000") {
		t.Fatalf("ConfigFromEnv with RISPORT_MAX_DEVICES=2000 = %v, want a configuration error naming it", err)
	}
}
