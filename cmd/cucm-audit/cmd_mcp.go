package main

import (
	"context"
	"errors"
	"io"
)

// runMCP is being written; this placeholder keeps the tree building meanwhile.
func runMCP(_ context.Context, _ []string, _, _ io.Writer) error {
	return errors.New("mcp: not implemented yet")
}
