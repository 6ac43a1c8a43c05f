package engine

import (
	"testing"
	"time"
)

// SetRemoveLockWait shortens (or lengthens) how long removing an account waits for a running
// session, for the duration of the test.
func SetRemoveLockWait(t *testing.T, d time.Duration) {
	old := removeLockWait
	removeLockWait = d
	t.Cleanup(func() { removeLockWait = old })
}
