// Package window measures the window's memory on large archives: the built binary under X
// (scripts/with-xvfb), its resident set read from /proc once the list shows and again after a
// search matching every message.
//
//	scripts/with-xvfb go test -tags sqlite_fts5 -run x -bench . -benchtime 1x ./bench/window/
//
// Each size reports MiB-rss (after the search), MiB-rss-open (the list shown), MiB-peak (the
// process's high-water mark) and MiB-anon (the private part of MiB-rss: what the process itself
// allocated, without the shared libraries and the binary; under Xvfb, Mesa's llvmpipe maps some
// 55 MiB of libLLVM). The smallest size is the window's own baseline. The archive is synthetic (mailstoretest.Bulk) and fully indexed
// before the window opens, as after a fetch.
package window

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pouchmail/pouch/mailstore"
	"github.com/pouchmail/pouch/mailstore/mailstoretest"
)

var (
	sizes = flag.String("window.sizes", "1000,100000,300000", "archive sizes to open, comma-separated")
	bin   = flag.String("window.bin", "", "the pouch binary; empty: built into a temporary directory")
)

func BenchmarkWindowRSS(b *testing.B) {
	if os.Getenv("DISPLAY") == "" {
		b.Skip("no DISPLAY: run under scripts/with-xvfb")
	}
	if _, err := exec.LookPath("xdotool"); err != nil {
		b.Skip("xdotool not installed")
	}
	pouch := *bin
	if pouch == "" {
		pouch = filepath.Join(b.TempDir(), "pouch")
		build := exec.Command("go", "build", "-tags", "sqlite_fts5", "-o", pouch, ".")
		build.Dir = "../.."
		if out, err := build.CombinedOutput(); err != nil {
			b.Fatalf("go build: %v\n%s", err, out)
		}
	}
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			b.Fatalf("-window.sizes: %v", err)
		}
		b.Run(fmt.Sprintf("messages=%d", n), func(b *testing.B) {
			dir := b.TempDir()
			archive(b, filepath.Join(dir, "pouch.db"), n)
			var open, searched, peak, anon float64
			b.ResetTimer()
			for range b.N {
				m := run(b, pouch, dir)
				open, searched, peak, anon = max(open, m.open), max(searched, m.searched), max(peak, m.peak), max(anon, m.anon)
			}
			b.ReportMetric(open, "MiB-rss-open")
			b.ReportMetric(searched, "MiB-rss")
			b.ReportMetric(peak, "MiB-peak")
			b.ReportMetric(anon, "MiB-anon")
		})
	}
}

// archive builds n messages and indexes them for search.
func archive(b *testing.B, path string, n int) {
	b.Helper()
	ctx := context.Background()
	if err := mailstoretest.Bulk(ctx, path, n); err != nil {
		b.Fatal(err)
	}
	s, err := mailstore.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if _, err := s.IndexAll(ctx, nil); err != nil {
		b.Fatal(err)
	}
}

// memory is one run's figures, in MiB.
type memory struct{ open, searched, peak, anon float64 }

// run opens the window on dir, waits for its memory to settle with the list shown, searches for
// a word every message holds, waits again, and returns the resident set at both points, the
// peak and the private part after the search.
func run(b *testing.B, pouch, dir string) memory {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	home := b.TempDir()
	cmd := exec.CommandContext(ctx, pouch, "--data-dir", dir)
	// A home of its own: Fyne's preferences, and no keyring to ask.
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+home, "DBUS_SESSION_BUS_ADDRESS=")
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	defer func() { _ = cmd.Process.Kill(); <-exited }()
	pid := cmd.Process.Pid
	var id string
	for id == "" {
		out, _ := exec.Command("xdotool", "search", "--onlyvisible", "--pid", strconv.Itoa(pid), "--name", "^Pouch$").Output()
		if f := strings.Fields(string(out)); len(f) > 0 {
			id = f[0]
		}
		select {
		case <-exited:
			b.Fatalf("pouch exited before its window appeared; output:\n%s", logs.String())
		case <-ctx.Done():
			b.Fatalf("no window appeared; output:\n%s", logs.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
	xdo := func(args ...string) {
		if out, err := exec.Command("xdotool", args...).CombinedOutput(); err != nil {
			b.Fatalf("xdotool %v: %v %s", args, err, out)
		}
	}
	xdo("windowsize", id, "1280", "800")
	xdo("windowmove", id, "0", "0")
	var m memory
	m.open = settle(b, pid)
	xdo("key", "--window", id, "ctrl+f")
	xdo("type", "--window", id, "--delay", "30", "something")
	m.searched = settle(b, pid)
	m.peak, m.anon = status(b, pid, "VmHWM"), status(b, pid, "RssAnon")
	return m
}

// settle waits until the resident set has stayed within 1% for two seconds (at most a minute)
// and returns it.
func settle(b *testing.B, pid int) float64 {
	b.Helper()
	last, since := status(b, pid, "VmRSS"), time.Now()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); {
		time.Sleep(250 * time.Millisecond)
		now := status(b, pid, "VmRSS")
		if now > last*1.01 || now < last*0.99 {
			last, since = now, time.Now()
			continue
		}
		if time.Since(since) >= 2*time.Second {
			break
		}
	}
	return last
}

// status reads a memory field of /proc/PID/status, in MiB.
func status(b *testing.B, pid int, field string) float64 {
	b.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb / 1024
		}
	}
	b.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}
