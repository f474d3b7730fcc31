package main

import (
	"context"
	"errors"
	"io"
)

// runRun is being written; this placeholder keeps the tree building meanwhile.
func runRun(_ context.Context, _ []string, _, _ io.Writer) error {
	return errors.New("run: not implemented yet")
}
