//go:build unix

package migrate

import (
	"errors"
	"syscall"
)

// processAlive reports whether a process with that pid exists on this
// machine (signal 0 checks without sending anything; EPERM means it exists
// but belongs to someone else).
func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
