package main

import (
	"context"
	"errors"
	"io"
)

// runDemo is being written; this placeholder keeps the tree building meanwhile.
func runDemo(_ context.Context, _ []string, _, _ io.Writer) error {
	return errors.New("demo: not implemented yet")
}
