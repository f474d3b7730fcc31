package main

import (
	"context"
	"errors"
	"io"
)

// runShow is being written; this placeholder keeps the tree building meanwhile.
func runShow(_ context.Context, _ []string, _, _ io.Writer) error {
	return errors.New("show: not implemented yet")
}
