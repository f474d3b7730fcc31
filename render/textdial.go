package render

import (
	"io"

	"github.com/cucm-audit/cucm-audit/analyze"
)

// DialText prints a dial answer for `cucm-audit dial`, as Cisco's Dialed Number Analyzer
// lays it out (analyze.DialAnswer.Text).
func DialText(a analyze.DialAnswer) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := io.WriteString(w, a.Text())
		return err
	}
}
