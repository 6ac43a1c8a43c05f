package ui

import (
	"sync/atomic"
	"testing"
	"time"
)

// TestIdleRelease: the release runs once a burst of work has been quiet for the delay, not
// during it; each later burst earns one more; after stop, none.
func TestIdleRelease(t *testing.T) {
	var released atomic.Int32
	r := newIdleRelease(500*time.Millisecond, func() { released.Add(1) })
	count := func() int { return int(released.Load()) }
	waitFor := func(want int) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); count() != want; {
			if time.Now().After(deadline) {
				t.Fatalf("releases = %d, want %d", count(), want)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	// A burst longer than the delay: each poke puts the release off.
	for range 10 {
		r.poke()
		time.Sleep(20 * time.Millisecond)
	}
	if n := count(); n != 0 {
		t.Fatalf("released %d times during the work", n)
	}
	waitFor(1)
	time.Sleep(700 * time.Millisecond)
	if n := count(); n != 1 {
		t.Fatalf("released %d times after one burst, want 1", n)
	}
	r.poke()
	r.poke()
	waitFor(2)
	r.poke()
	r.stop()
	r.poke()
	time.Sleep(700 * time.Millisecond)
	if n := count(); n != 2 {
		t.Fatalf("released %d times after stop, want 2", n)
	}
	var none *idleRelease
	none.poke() // the tests' windows have none
	none.stop()
}
