package mcpserver

import (
	"context"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/cucm-audit/cucm-audit/analyze"
)

// DialIn is a dialing question on a snapshot's dial plan.
type DialIn struct {
	SnapshotRef
	From   string `json:"from,omitempty" jsonschema:"calling device name, optionally with its line as button index or DN: SEP001122334455/1; its line CSS and device CSS are searched"`
	CSS    string `json:"css,omitempty" jsonschema:"calling search space to analyse with instead of a device's (as in Dialed Number Analyzer)"`
	Digits string `json:"digits" jsonschema:"the dialed digits, e.g. 911, 9011441234567 or +14085551234"`
	EnBloc bool   `json:"en_bloc,omitempty" jsonschema:"analyse the digits as one block (a SIP INVITE) rather than one at a time from a keypad"`
}

// DialOut is the answer: the decision path as structured data and as Dialed Number Analyzer
// would print it.
type DialOut struct {
	Answer analyze.DialAnswer `json:"answer"`
	Text   string             `json:"text"`
}

func (s *Server) dial(ctx context.Context, _ *mcp.CallToolRequest, in DialIn) (*mcp.CallToolResult, DialOut, error) {
	var out DialOut
	m, _, err := s.snapshotFor(ctx, in.SnapshotRef)
	if err != nil {
		return nil, out, err
	}
	plan, err := analyze.LoadDialPlan(ctx, s.opts.Store.Path(), m)
	if err != nil {
		return nil, out, err
	}
	ans, err := plan.Dial(analyze.DialRequest{From: in.From, CSS: in.CSS, Digits: in.Digits, EnBloc: in.EnBloc})
	if err != nil {
		return nil, out, err
	}
	out.Answer, out.Text = ans, ans.Text()
	return nil, out, nil
}
