package results

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseIgnoreFields(t *testing.T) {
	tests := []struct {
		in      string
		want    []string
		wantErr string
	}{
		{in: "ip,node", want: []string{"ip", "node"}},
		{in: "none", want: []string{}},
		{in: "", want: []string{}},
		{in: "+ip", want: append(append([]string{}, DefaultIgnoredFields()...), "ip")},
		{in: "+timestamp", want: DefaultIgnoredFields()},
		{in: "ip,colour", wantErr: `unknown diff field "colour": want some of configured, class, model`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseIgnoreFields(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want prefix %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestListsFresh: the severity and diff-field lists are functions returning fresh slices, so a
// caller that sorts or appends to one (cmd diff starts its --ignore-fields from the defaults)
// cannot change what the next caller sees.
func TestListsFresh(t *testing.T) {
	s := Severities()
	s[0] = SeverityInfo
	if diff := cmp.Diff([]Severity{SeverityCritical, SeverityHigh, SeverityMedium, SeverityLow, SeverityInfo}, Severities()); diff != "" {
		t.Errorf("Severities() after a caller changed its copy (-want +got):\n%s", diff)
	}
	f := DiffFields()
	f[0] = "changed"
	if got := DiffFields()[0]; got != FieldConfigured {
		t.Errorf("DiffFields()[0] = %q after a caller changed its copy, want %q", got, FieldConfigured)
	}
	want := []string{FieldStatusReason, FieldInactiveLoad, FieldDownloadStatus, FieldLoginUser, FieldRegistrationAttempts, FieldTimestamp}
	ig := DefaultIgnoredFields()
	slices.Sort(ig)
	ig[0] = FieldIP
	plus, err := ParseIgnoreFields("+ip")
	if err != nil {
		t.Fatal(err)
	}
	plus[0] = FieldNode
	if diff := cmp.Diff(want, DefaultIgnoredFields()); diff != "" {
		t.Errorf("DefaultIgnoredFields() after callers changed their copies (-want +got):\n%s", diff)
	}
}
