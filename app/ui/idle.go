package ui

import (
	"sync"
	"time"
)

// idleRelease gives the heap the window freed back to the OS once its work has been quiet for
// a while. The Go runtime keeps freed pages for reuse and returns them only slowly; after a
// search at 100,000 messages that is some 8 MiB (bench/RESULTS.md, "The window's memory") that
// a window left open, or in the tray, for hours need not hold. The release is a collection of
// a few milliseconds, once per burst of work.
type idleRelease struct {
	after   time.Duration
	release func()

	mu    sync.Mutex
	timer *time.Timer
	done  bool
}

// idleReleaseAfter is how long the window's work must have been quiet before the release.
const idleReleaseAfter = 2 * time.Second

func newIdleRelease(after time.Duration, release func()) *idleRelease {
	return &idleRelease{after: after, release: release}
}

// poke records work; the release runs once the pokes have stopped for r.after. A nil r does
// nothing (the tests' windows).
func (r *idleRelease) poke() {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case r.done:
	case r.timer == nil:
		r.timer = time.AfterFunc(r.after, r.release)
	default:
		r.timer.Reset(r.after)
	}
}

// stop cancels a release not yet run; later pokes do nothing.
func (r *idleRelease) stop() {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done = true
	if r.timer != nil {
		r.timer.Stop()
	}
}
