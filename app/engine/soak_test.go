package engine_test

import (
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"
)

// TestSoakHostileMaildrop drives the stateful server through sessions in which, at random,
// mail arrives (under new UIDLs or reused ones), messages change under their UIDL, other
// clients delete, the mailbox is renumbered and days pass, for leave-days 0 and N. After every
// session, every message Pouch deleted on the server is stored here, and every message a
// session was shown and still on the server then is stored here or still on the server.
func TestSoakHostileMaildrop(t *testing.T) {
	seeds := 12
	if testing.Short() {
		seeds = 3
	}
	for seed := range seeds {
		for _, leave := range []int{0, 2} {
			t.Run(fmt.Sprintf("seed%d/leave%d", seed, leave), func(t *testing.T) {
				soak(t, uint64(seed), leave, 12)
			})
		}
	}
}

// FuzzHostileMaildrop is the soak test with the fuzzer choosing the seed and the retention.
func FuzzHostileMaildrop(f *testing.F) {
	f.Add(uint64(1), uint8(0))
	f.Add(uint64(7), uint8(3))
	f.Fuzz(func(t *testing.T, seed uint64, leave uint8) {
		soak(t, seed, int(leave%5), 6)
	})
}

func soak(t *testing.T, seed uint64, leave, sessions int) {
	rnd := rand.New(rand.NewPCG(seed, 0x5eed))
	r := newDropRig(t, leave, false)
	used := map[string]bool{} // every UIDL the server has used
	var live []string         // UIDLs on the server now
	var gone []string         // UIDLs no longer on the server, ready for reuse
	next := 0
	newMsg := func() []byte {
		next++
		// Sizes vary so that some changed messages keep their size and others do not.
		pad := rnd.IntN(3)
		return []byte(fmt.Sprintf("Subject: m%d\r\nMessage-ID: <m%d@soak>\r\n\r\nbody %d%s\r\n", next, next, next%7, "xx"[:pad]))
	}
	refresh := func() {
		live = live[:0]
		for u := range r.drop.Messages() {
			live = append(live, u)
		}
		known := map[string]bool{}
		for _, u := range live {
			known[u] = true
		}
		gone = gone[:0]
		for u := range used {
			if !known[u] {
				gone = append(gone, u)
			}
		}
		slices.Sort(gone) // map order would make a seed's run irreproducible
		slices.Sort(live)
	}
	for s := range sessions {
		refresh()
		for range 1 + rnd.IntN(4) {
			switch op := rnd.IntN(10); {
			case op < 4 || len(live) == 0: // new mail, often under a reused UIDL
				u := strconv.Itoa(1000 + next)
				if len(gone) > 0 && rnd.IntN(2) == 0 {
					u = gone[rnd.IntN(len(gone))]
				}
				if _, dup := r.drop.Messages()[u]; !dup {
					r.drop.Add(u, newMsg())
					used[u] = true
				}
			case op < 6: // a message changes under its UIDL
				r.drop.Replace(live[rnd.IntN(len(live))], newMsg())
			case op < 7: // another client deletes one
				r.drop.Remove(live[rnd.IntN(len(live))])
			case op < 8:
				r.drop.Shuffle(rnd)
			default:
				r.clk.add(time.Duration(rnd.IntN(3*24)) * time.Hour)
			}
			refresh()
		}
		shown := map[[32]byte][]byte{}
		for _, b := range r.drop.Messages() {
			shown[sha256.Sum256(b)] = b
		}
		res := r.e.Fetch(t.Context(), r.a, nil)
		if res.Err != nil {
			t.Fatalf("session %d: %v", s, res.Err)
		}
		for _, b := range r.drop.Deleted() {
			if !r.stored(t, b) {
				t.Fatalf("session %d (seed %d, leave-days %d): Pouch deleted %q on the server without storing it (result %+v)",
					s, seed, leave, b[:20], res)
			}
		}
		onServer := map[[32]byte]bool{}
		for _, b := range r.drop.Messages() {
			onServer[sha256.Sum256(b)] = true
		}
		for sum, b := range shown {
			if !onServer[sum] && !r.stored(t, b) {
				t.Fatalf("session %d (seed %d, leave-days %d): message %q was shown to the session and is neither stored nor on the server (result %+v)",
					s, seed, leave, b[:20], res)
			}
		}
	}
	if rc, err := r.store.Check(t.Context(), false); err != nil || rc.Problems() != 0 {
		t.Errorf("check after the soak = %+v, %v", rc, err)
	}
}
