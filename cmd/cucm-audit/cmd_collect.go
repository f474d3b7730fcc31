package main

import (
	"context"
	"errors"
	"io"
)

// runCollect is being written; this placeholder keeps the tree building meanwhile.
func runCollect(_ context.Context, _ []string, _, _ io.Writer) error {
	return errors.New("collect: not implemented yet")
}
