package main

import (
	"context"
	"errors"
	"io"
)

// runCheck is being written; this placeholder keeps the tree building meanwhile.
func runCheck(_ context.Context, _ []string, _, _ io.Writer) error {
	return errors.New("check: not implemented yet")
}
