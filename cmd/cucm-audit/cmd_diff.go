package main

import (
	"context"
	"errors"
	"io"
)

// runDiff is being written; this placeholder keeps the tree building meanwhile.
func runDiff(_ context.Context, _ []string, _, _ io.Writer) error {
	return errors.New("diff: not implemented yet")
}
