// Package procmem reads a process's memory figures from Linux's /proc/PID/status, for the
// benchmarks that measure the window (bench/window).
package procmem

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Status returns a memory field of /proc/PID/status ("VmRSS", "VmHWM", "RssAnon", …) in MiB;
// pid 0 is the calling process.
func Status(pid int, field string) (float64, error) {
	proc := "self"
	if pid != 0 {
		proc = strconv.Itoa(pid)
	}
	data, err := os.ReadFile("/proc/" + proc + "/status")
	if err != nil {
		return 0, err
	}
	return parse(string(data), field)
}

func parse(status, field string) (float64, error) {
	for _, line := range strings.Split(status, "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			if err != nil {
				return 0, fmt.Errorf("%s: %v", field, err)
			}
			return kb / 1024, nil
		}
	}
	return 0, fmt.Errorf("no %s in the process's status", field)
}

// Settle waits until the resident set (VmRSS) has stayed within 1% for quiet, or limit has
// passed, and returns it in MiB. quiet is longer than the window's idle release (2 s after its
// work, app/ui/idle.go), so the figure is what the window holds once it is left alone.
func Settle(pid int, quiet, limit time.Duration) (float64, error) {
	last, err := Status(pid, "VmRSS")
	if err != nil {
		return 0, err
	}
	since := time.Now()
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); {
		time.Sleep(250 * time.Millisecond)
		now, err := Status(pid, "VmRSS")
		if err != nil {
			return 0, err
		}
		if now > last*1.01 || now < last*0.99 {
			last, since = now, time.Now()
			continue
		}
		if time.Since(since) >= quiet {
			break
		}
	}
	return last, nil
}
