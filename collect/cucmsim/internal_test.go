package cucmsim

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTranslateSQL(t *testing.T) {
	tests := []struct {
		name, in, want string
		wantErr        bool
	}{
		{"plain", "select name from device", "select name from device", false},
		{"first", "select first 3 * from enduser", "select * from enduser LIMIT 3", false},
		{"skip first", "SELECT SKIP 1000 FIRST 500 d.name FROM device d ORDER BY d.name", "SELECT d.name FROM device d ORDER BY d.name LIMIT 500 OFFSET 1000", false},
		{"skip only", "select skip 10 name from device", "select name from device LIMIT -1 OFFSET 10", false},
		{"unique", "select unique name from typemodel", "select DISTINCT name from typemodel", false},
		{"trailing semicolon", "select name from device;", "select name from device", false},
		{"comment", "-- hi\nselect name from device", "select name from device", false},
		{"update refused", "update device set name='x'", "", true},
		{"two statements", "select 1; delete from device", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := translateSQL(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" && !tt.wantErr {
				t.Errorf("translateSQL(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		p, s string
		want bool
	}{
		{"*", "SEP1", true}, {"SEP*", "sep0cd0", true}, {"*B2", "SEP0CD0F894A1B2", true},
		{"SEP*B2", "SEP0CD0F894A1B2", true}, {"SEP*", "AN123", false}, {"SEP1", "SEP1", true}, {"SEP1", "SEP12", false},
	}
	for _, tt := range tests {
		if got := globMatch(tt.p, tt.s); got != tt.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", tt.p, tt.s, got, tt.want)
		}
	}
}

func TestAllocate(t *testing.T) {
	got := allocate(147, []int{6, 6, 1, 1, 1})
	sum := 0
	for _, n := range got {
		sum += n
	}
	if sum != 147 {
		t.Fatalf("allocate sums to %d, want 147: %v", sum, got)
	}
}
