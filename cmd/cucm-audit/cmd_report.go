package main

import (
	"context"
	"errors"
	"io"
)

// runReport is being written; this placeholder keeps the tree building meanwhile.
func runReport(_ context.Context, _ []string, _, _ io.Writer) error {
	return errors.New("report: not implemented yet")
}
