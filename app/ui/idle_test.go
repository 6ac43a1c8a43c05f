package ui

import (
	"sync"
	"testing"
	"time"
)

// TestIdleRelease: the release runs only once the pokes have been quiet for the delay, once per
// burst; after stop, never. What is checked are the times of pokes and releases, so a slow
// machine that stalls mid-burst (a quiet period, then) cannot fail it.
func TestIdleRelease(t *testing.T) {
	const after = 200 * time.Millisecond
	var mu sync.Mutex
	var pokes, releases []time.Time
	r := newIdleRelease(after, func() {
		mu.Lock()
		releases = append(releases, time.Now())
		mu.Unlock()
	})
	poke := func() {
		mu.Lock()
		pokes = append(pokes, time.Now())
		mu.Unlock()
		r.poke()
	}
	// releasedSinceLastPoke reports how many releases came after the last poke.
	releasedSinceLastPoke := func() int {
		mu.Lock()
		defer mu.Unlock()
		n := 0
		for _, rt := range releases {
			if rt.After(pokes[len(pokes)-1]) {
				n++
			}
		}
		return n
	}
	waitRelease := func() {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); releasedSinceLastPoke() == 0; {
			if time.Now().After(deadline) {
				t.Fatal("no release after the pokes stopped")
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	for burst := 0; burst < 2; burst++ {
		for range 10 {
			poke()
			time.Sleep(10 * time.Millisecond)
		}
		waitRelease()
		time.Sleep(3 * after)
		if n := releasedSinceLastPoke(); n != 1 {
			t.Fatalf("burst %d: %d releases after its last poke, want 1", burst, n)
		}
	}
	// Never early: each release came at least the delay after the last poke before it.
	mu.Lock()
	for _, rt := range releases {
		var last time.Time
		for _, p := range pokes {
			if p.Before(rt) {
				last = p
			}
		}
		if rt.Sub(last) < after {
			t.Errorf("a release %v after a poke, want at least %v", rt.Sub(last), after)
		}
	}
	n := len(releases)
	mu.Unlock()
	r.stop()
	poke()
	time.Sleep(3 * after)
	mu.Lock()
	if len(releases) != n {
		t.Errorf("released after stop")
	}
	mu.Unlock()
	var none *idleRelease
	none.poke() // the tests' windows have none
	none.stop()
}
