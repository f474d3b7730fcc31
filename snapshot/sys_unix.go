//go:build unix

package snapshot

import (
	"errors"
	"syscall"
)

// dirWritable reports whether this process may create files in dir.
func dirWritable(dir string) bool {
	return syscall.Access(dir, 0x2 /* W_OK */) == nil
}

// processAlive reports whether a process with this id runs on this host. A process of another
// user (EPERM) is alive too.
func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
