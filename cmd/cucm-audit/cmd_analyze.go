package main

import (
	"context"
	"errors"
	"io"
)

// runAnalyze is being written; this placeholder keeps the tree building meanwhile.
func runAnalyze(_ context.Context, _ []string, _, _ io.Writer) error {
	return errors.New("analyze: not implemented yet")
}
