package snapshot

import (
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestVocabularyMatchesCUCMAPI compares CUCM's words with the lists of CUCM-API.md (copied in
// testdata with its provenance): a word misspelt here ("Unregistered") would silently match no
// RisPort answer.
func TestVocabularyMatchesCUCMAPI(t *testing.T) {
	data, err := os.ReadFile("testdata/cucm-api-enums.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	enum := func(label string) []string {
		m := regexp.MustCompile(`(?m)^- ` + regexp.QuoteMeta(label) + ": `([^`]*)`").FindStringSubmatch(doc)
		if m == nil {
			t.Fatalf("no %q list in the copy of CUCM-API.md", label)
		}
		return slices.DeleteFunc(strings.Split(m[1], ", "), func(s string) bool { return s == "Any" })
	}
	for _, tt := range []struct {
		label string
		got   []string
	}{
		{"DeviceClass", DeviceClasses()},
		{"Status filter (CmDevRegStat)", RegStatuses()},
		{"Protocol", Protocols()},
	} {
		if diff := cmp.Diff(enum(tt.label), tt.got); diff != "" {
			t.Errorf("%s (-CUCM-API.md +vocabulary):\n%s", tt.label, diff)
		}
	}

	_, reasons, ok := strings.Cut(doc, "StatusReason codes")
	if !ok {
		t.Fatal("no StatusReason codes in the copy of CUCM-API.md")
	}
	want := map[int]string{}
	for _, m := range regexp.MustCompile(`(\d+)\s+([A-Za-z]+)`).FindAllStringSubmatch(reasons, -1) {
		code, _ := strconv.Atoi(m[1])
		want[code] = m[2]
	}
	if diff := cmp.Diff(want, StatusReasons()); diff != "" {
		t.Errorf("StatusReason codes (-CUCM-API.md +vocabulary):\n%s", diff)
	}
	if name, ok := StatusReason(14); !ok || name != "ConfigurationMismatch" {
		t.Errorf("StatusReason(14) = %q, %v", name, ok)
	}
	if _, ok := StatusReason(2); ok {
		t.Error("StatusReason(2) is named, but Cisco publishes no code 2")
	}
}

// TestVocabularyIsFresh: a caller changing a returned list must not change CUCM's words.
func TestVocabularyIsFresh(t *testing.T) {
	DeviceClasses()[0] = "Fone"
	RegStatuses()[1] = "Unregistered"
	delete(StatusReasons(), 14)
	if DeviceClasses()[0] != "Phone" || RegStatuses()[1] != "UnRegistered" {
		t.Error("a returned list shares its array with the vocabulary")
	}
	if _, ok := StatusReason(14); !ok {
		t.Error("the returned map is the vocabulary's own")
	}
}
