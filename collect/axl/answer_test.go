package axl_test

import (
	"strings"
	"testing"
)

// TestAnswerStructure: an executeSQLQuery or getCCMVersion answer that is not the operation's
// (another element, no return, rows that are not rows, no version) fails with a
// *soap.PayloadError; <return/> is a valid answer with no rows.
func TestAnswerStructure(t *testing.T) {
	const (
		env = `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>`
		end = `</soapenv:Body></soapenv:Envelope>`
		sql = `<ns:executeSQLQueryResponse xmlns:ns="http://www.cisco.com/AXL/API/15.0">`
		ver = `<ns:getCCMVersionResponse xmlns:ns="http://www.cisco.com/AXL/API/15.0">`
	)
	tests := []struct {
		name, body       string
		rows             int
		queryErr, verErr string // "" when that read succeeds
	}{
		{name: "no rows", body: sql + `<return/></ns:executeSQLQueryResponse>`, verErr: "holds <executeSQLQueryResponse>"},
		{name: "no rows, long form", body: sql + `<return></return></ns:executeSQLQueryResponse>`, verErr: "holds <executeSQLQueryResponse>"},
		{name: "two rows", body: sql + `<return><row><a>1</a></row><row><a/></row></return></ns:executeSQLQueryResponse>`, rows: 2, verErr: "holds <executeSQLQueryResponse>"},
		{name: "x", body: `<x/>`, queryErr: "holds <x> in no namespace", verErr: "holds <x>"},
		{name: "no return", body: sql + `</ns:executeSQLQueryResponse>`, queryErr: "no return element", verErr: "holds <executeSQLQueryResponse>"},
		{name: "not rows", body: sql + `<return><x/></return></ns:executeSQLQueryResponse>`, queryErr: "<x> where executeSQLQuery rows were expected", verErr: "holds"},
		{name: "row without columns", body: sql + `<return><row/></return></ns:executeSQLQueryResponse>`, queryErr: "no columns", verErr: "holds"},
		{name: "two returns", body: sql + `<return/><return/></ns:executeSQLQueryResponse>`, queryErr: "more than one return", verErr: "holds"},
		{name: "other namespace", body: `<ns:executeSQLQueryResponse xmlns:ns="http://example.com/AXL"><return/></ns:executeSQLQueryResponse>`,
			queryErr: "in namespace http://example.com/AXL", verErr: "holds"},
		{name: "version", body: ver + `<return><componentVersion><version>15.0.1.12900(234)</version></componentVersion></return></ns:getCCMVersionResponse>`,
			queryErr: "holds <getCCMVersionResponse>"},
		{name: "version without version", body: ver + `<return><componentVersion/></return></ns:getCCMVersionResponse>`,
			queryErr: "holds <getCCMVersionResponse>", verErr: "no return/componentVersion/version"},
		{name: "version elsewhere", body: ver + `<version>15.0</version></ns:getCCMVersionResponse>`,
			queryErr: "holds <getCCMVersionResponse>", verErr: "no return/componentVersion/version"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := query(t, 200, []byte(env+tc.body+end))
			check := func(what, got, want string) {
				t.Helper()
				if want == "" {
					if got != "" {
						t.Errorf("%s: err = %s", what, got)
					}
					return
				}
				if !strings.Contains(got, want) || !strings.Contains(got, "unexpected answer from cucm.invalid") {
					t.Errorf("%s: err = %q, want an unexpected answer naming the host and %q", what, got, want)
				}
			}
			check("Query", r.Err, tc.queryErr)
			check("CCMVersion", r.VErr, tc.verErr)
			if r.Err == "" && (r.N != tc.rows || len(r.Rows) != tc.rows) {
				t.Errorf("rows = %d (n %d), want %d", len(r.Rows), r.N, tc.rows)
			}
		})
	}
}
