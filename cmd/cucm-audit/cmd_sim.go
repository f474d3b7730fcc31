package main

import (
	"context"
	"errors"
	"io"
)

// runSim is being written; this placeholder keeps the tree building meanwhile.
func runSim(_ context.Context, _ []string, _, _ io.Writer) error {
	return errors.New("sim: not implemented yet")
}
