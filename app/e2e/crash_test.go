package e2e

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pouchmail/pouch/internal/testenv"
	"github.com/pouchmail/pouch/pop3/pop3test"
)

// retentionRow is one element of `retention --json`.
type retentionRow struct {
	Account     string     `json:"account"`
	UIDL        string     `json:"uidl"`
	FirstSeen   time.Time  `json:"first_seen"`
	DeleteAfter *time.Time `json:"delete_after"`
	Local       bool       `json:"local"`
}

// killPoints are the engine's checkpoints (POUCH_TEST_KILLPOINT); "" means a SIGKILL after a
// random delay instead, which lands anywhere, mid-RETR included.
var killPoints = []string{"retr", "commit", "dele", "quit-done", "", ""}

// namedKillPoints are the checkpoints every run must have killed pouch at least once.
var namedKillPoints = []string{"retr", "commit", "dele", "quit-done"}

// TestCrashSafety kills `pouch fetch` with SIGKILL at random moments against the real Dovecot,
// for leave-days 0 and 2 (time moved with POUCH_NOW), runs a normal fetch after each kill,
// and checks: every message is on the server or stored here, none is stored twice, and
// first-seen times never move. POUCH_CRASH_ITERATIONS (default 30 per retention setting)
// sets the count; scripts/crash-soak runs hundreds. A run whose kills did not land proves
// nothing, so at least half the rounds of each setting must end in a kill, and every named
// kill point must have killed pouch at least once.
func TestCrashSafety(t *testing.T) {
	iterations := 30
	if v, err := strconv.Atoi(os.Getenv("POUCH_CRASH_ITERATIONS")); err == nil && v > 0 {
		iterations = v
	}
	if iterations < len(namedKillPoints) {
		t.Fatalf("POUCH_CRASH_ITERATIONS=%d: at least %d rounds are needed to try every kill point", iterations, len(namedKillPoints))
	}
	kills := map[string]int{} // kill point ("" = random delay) -> kills that landed
	for _, leaveDays := range []int{0, 2} {
		t.Run(fmt.Sprintf("leave-days-%d", leaveDays), func(t *testing.T) {
			got := crashRun(t, leaveDays, iterations)
			n := 0
			for point, k := range got {
				kills[point] += k
				n += k
			}
			t.Logf("%d kills in %d rounds: %v", n, iterations, got)
			if 2*n < iterations {
				t.Errorf("only %d of %d rounds ended in a kill (by point: %v); want at least half", n, iterations, got)
			}
		})
	}
	t.Logf("kills by point: %v", kills)
	for _, point := range namedKillPoints {
		if kills[point] == 0 {
			t.Errorf("no fetch was killed at kill point %q (kills by point: %v)", point, kills)
		}
	}
}

// crashRun runs the rounds for one retention setting and returns the kills that landed, by
// kill point.
func crashRun(t *testing.T, leaveDays, iterations int) map[string]int {
	d := testenv.Dovecot(t, nil)
	c := newCLI(t)
	c.addAccount("home", d.PlainAddr, "secret-pw", "--security", "none", "--leave-days", strconv.Itoa(leaveDays))
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, uint64(leaveDays)))

	originals := map[string]string{} // delivered name -> sha256 of the CRLF form
	firstSeen := map[string]time.Time{}
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	killed := map[string]int{}
	// The first rounds try every named kill point once, at its first passing (which every
	// session with new mail reaches), so coverage does not depend on the dice.
	first := slices.Clone(namedKillPoints)
	rng.Shuffle(len(first), func(i, j int) { first[i], first[j] = first[j], first[i] })
	seq := 0
	for i := 0; i < iterations; i++ {
		// New mail each round: a small one and, now and then, a large (chunked) one.
		for k := 0; k < 2; k++ {
			seq++
			name := fmt.Sprintf("m%04d", seq)
			size := 200 + rng.IntN(4000)
			if rng.IntN(4) == 0 {
				size = 1<<20 + rng.IntN(1<<20)
			}
			raw := crashMessage(name, size)
			if err := d.Deliver("alice", name, raw); err != nil {
				t.Fatal(err)
			}
			originals[name] = wireHash(raw)
		}
		if leaveDays > 0 {
			now = now.Add(time.Duration(12+rng.IntN(24)) * time.Hour)
		}
		point, nth := killPoints[rng.IntN(len(killPoints))], 1
		if point == "retr" {
			// Each round brings two new messages: the kill lands at the first RETR or the second.
			// The other checkpoints are passed once per session here (one batch, one DELE
			// round, one QUIT), so a later passing would never come and no kill would land.
			nth = 1 + rng.IntN(2)
		}
		if i < len(first) {
			point, nth = first[i], 1
		}
		if c.killedFetch(now, point, nth, rng) {
			killed[point]++
		}
		r := c.runAt(now, "fetch", "--json")
		if r.code != 0 {
			t.Fatalf("round %d: fetch after the kill at %q: exit %d: %s %s", i, point, r.code, r.stdout, r.stderr)
		}
		checkCrashInvariants(t, c, d, originals, firstSeen, i, point)
	}
	return killed
}

// crashMessage is a unique message of about size bytes.
func crashMessage(name string, size int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: crash@example.com\nSubject: %s\nMessage-ID: <%s@crash.example>\n\n", name, name)
	line := strings.Repeat(name, 19) + "\n"
	for b.Len() < size {
		b.WriteString(line)
	}
	return b.Bytes()
}

// runAt runs pouch with POUCH_NOW set.
func (c *cli) runAt(now time.Time, args ...string) result {
	saved := c.env
	c.env = append(append([]string{}, saved...), "POUCH_NOW="+now.Format(time.RFC3339))
	defer func() { c.env = saved }()
	return c.run("", args...)
}

// killedFetch runs `pouch fetch` and kills it: at the named checkpoint (its nth passing), or
// with SIGKILL after a random delay. It reports whether the process died by the kill.
func (c *cli) killedFetch(now time.Time, point string, nth int, rng *rand.Rand) bool {
	c.t.Helper()
	cmd := exec.Command(pouchBin, "--data-dir", c.dataDir, "fetch")
	cmd.Env = append(append([]string{}, c.env...), "POUCH_NOW="+now.Format(time.RFC3339))
	if point != "" {
		cmd.Env = append(cmd.Env, fmt.Sprintf("POUCH_TEST_KILLPOINT=%s:%d", point, nth))
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	if point == "" {
		time.Sleep(time.Duration(rng.IntN(250)) * time.Millisecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
	}
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); ok {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			return true
		}
		c.t.Fatalf("pouch fetch (kill at %q) failed without being killed: %v\n%s", point, err, out.String())
	}
	return false
}

func checkCrashInvariants(t *testing.T, c *cli, d *pop3test.Dovecot, originals map[string]string, firstSeen map[string]time.Time, round int, point string) {
	t.Helper()
	files, err := d.MaildirFiles("alice")
	if err != nil {
		t.Fatal(err)
	}
	msgs := decode[[]listed](t, c.ok("", "list", "--json"))
	stored := map[string]int{}
	for _, m := range msgs {
		stored[m.SHA256]++
	}
	for sum, n := range stored {
		if n > 1 {
			t.Errorf("round %d (kill at %q): message %s stored %d times", round, point, sum, n)
		}
	}
	for name, sum := range originals {
		if _, onServer := files[name]; !onServer && stored[sum] == 0 {
			t.Errorf("round %d (kill at %q): message %s LOST: neither on the server nor stored", round, point, name)
		}
	}
	rows := decode[[]retentionRow](t, c.ok("", "retention", "--json"))
	for _, r := range rows {
		if old, ok := firstSeen[r.UIDL]; ok && !r.FirstSeen.Equal(old) {
			t.Errorf("round %d (kill at %q): first seen of %s moved from %v to %v", round, point, r.UIDL, old, r.FirstSeen)
		}
		if _, ok := firstSeen[r.UIDL]; !ok {
			firstSeen[r.UIDL] = r.FirstSeen
		}
	}
}
