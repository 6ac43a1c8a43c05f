//go:build !unix

package engine

import "os"

// processAlive reports whether a process with this PID exists; on Windows FindProcess opens
// it and fails when there is none.
func processAlive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	_ = p.Release()
	return true
}
