package cli

import (
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// killPoint turns POUCH_TEST_KILLPOINT ("NAME" or "NAME:N", NAME one of the engine's
// Checkpoint* names, such as engine.CheckpointCommit) into an engine checkpoint that kills this process, as SIGKILL would,
// at the N-th time (default 1st) the session passes that point. The crash tests use it; ""
// gives nil (no hook).
func killPoint(spec string) func(string) {
	if spec == "" {
		return nil
	}
	name, nth, _ := strings.Cut(spec, ":")
	n, err := strconv.Atoi(nth)
	if err != nil || n < 1 {
		n = 1
	}
	var (
		mu   sync.Mutex
		hits int
	)
	return func(at string) {
		if at != name {
			return
		}
		mu.Lock()
		hits++
		now := hits == n
		mu.Unlock()
		if now {
			if p, err := os.FindProcess(os.Getpid()); err == nil {
				_ = p.Kill()
			}
			// The kill is asynchronous on some systems: go no further. A sleep, not select {}:
			// with every other goroutine waiting on this one (the commit runs on its own
			// goroutine), select {} would end the process with Go's deadlock error instead.
			time.Sleep(time.Hour)
		}
	}
}
