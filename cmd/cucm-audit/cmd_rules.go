package main

import (
	"context"
	"errors"
	"io"
)

// runRules is being written; this placeholder keeps the tree building meanwhile.
func runRules(_ context.Context, _ []string, _, _ io.Writer) error {
	return errors.New("rules: not implemented yet")
}
