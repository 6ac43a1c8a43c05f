// Package window measures the window's memory on large archives, two ways:
//
//   - BenchmarkWindowRSS: the built binary under X (scripts/with-xvfb), its resident set read
//     from /proc once the list shows and again after a search matching every message. Under
//     Xvfb the window draws through Mesa's software OpenGL (llvmpipe), which brings its own
//     code and heap: libLLVM alone maps some 55 MiB (bench/RESULTS.md has the breakdown).
//
//   - BenchmarkWindowTestDriverRSS: the same window, started the same way (cli.Main), drawn
//     by Fyne's test driver instead of OpenGL: Pouch's own memory, without a renderer's
//     (app/ui's TestWindowMemoryProcess, run in a process of its own per archive).
//
//     scripts/with-xvfb go test -tags sqlite_fts5 -run x -bench . -benchtime 1x ./bench/window/
//
// Each size reports MiB-rss (after the search), MiB-rss-open (the list shown), MiB-peak (the
// process's high-water mark) and MiB-anon (the private part of MiB-rss: what the process itself
// allocated, without the shared libraries and the binary). The smallest size is the window's
// own baseline. The archives are synthetic (mailstoretest.Bulk), indexed and threaded before the
// window opens, as after a fetch; both benchmarks open the same ones.
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

	"github.com/pouchmail/pouch/internal/procmem"
	"github.com/pouchmail/pouch/mailstore"
	"github.com/pouchmail/pouch/mailstore/mailstoretest"
)

var (
	sizes = flag.String("window.sizes", "1000,100000,300000", "archive sizes to open, comma-separated")
	bin   = flag.String("window.bin", "", "the pouch binary; empty: built into a temporary directory")
	smaps = flag.String("window.smaps", "", "a directory to copy each run's /proc/PID/smaps into after the search, to see where the memory is")
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
	for _, n := range archiveSizes(b) {
		b.Run(fmt.Sprintf("messages=%d", n), func(b *testing.B) {
			dir := archive(b, n)
			b.ResetTimer()
			report(b, func() memory { return run(b, pouch, dir) })
		})
	}
}

// BenchmarkWindowTestDriverRSS measures the window drawn by Fyne's test driver: this builds
// app/ui's test binary and runs its TestWindowMemoryProcess on each archive.
func BenchmarkWindowTestDriverRSS(b *testing.B) {
	uiTest := filepath.Join(b.TempDir(), "ui.test")
	build := exec.Command("go", "test", "-c", "-tags", "sqlite_fts5", "-o", uiTest, "./app/ui")
	build.Dir = "../.."
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("go test -c: %v\n%s", err, out)
	}
	for _, n := range archiveSizes(b) {
		b.Run(fmt.Sprintf("messages=%d", n), func(b *testing.B) {
			dir := archive(b, n)
			b.ResetTimer()
			report(b, func() memory { return runTestDriver(b, uiTest, dir) })
		})
	}
}

// report runs measure b.N times and reports the largest figures.
func report(b *testing.B, measure func() memory) {
	var open, searched, peak, anon float64
	for range b.N {
		m := measure()
		open, searched, peak, anon = max(open, m.open), max(searched, m.searched), max(peak, m.peak), max(anon, m.anon)
	}
	b.ReportMetric(open, "MiB-rss-open")
	b.ReportMetric(searched, "MiB-rss")
	b.ReportMetric(peak, "MiB-peak")
	b.ReportMetric(anon, "MiB-anon")
}

// runTestDriver runs the test-driver window on dir in a process of its own and returns what it
// printed.
func runTestDriver(b *testing.B, uiTest, dir string) memory {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, uiTest, "-test.run", "^TestWindowMemoryProcess$", "-test.count", "1")
	home := b.TempDir()
	cmd.Env = append(os.Environ(), "POUCH_WINDOW_MEMORY_DIR="+dir, "HOME="+home, "XDG_CONFIG_HOME="+home, "DBUS_SESSION_BUS_ADDRESS=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("%s: %v\n%s", uiTest, err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		var m memory
		if _, err := fmt.Sscanf(line, "window-memory open=%g searched=%g peak=%g anon=%g", &m.open, &m.searched, &m.peak, &m.anon); err == nil {
			return m
		}
	}
	b.Fatalf("%s printed no figures:\n%s", uiTest, out)
	return memory{}
}

// archiveSizes is -window.sizes.
func archiveSizes(b *testing.B) []int {
	var ns []int
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			b.Fatalf("-window.sizes: %v", err)
		}
		ns = append(ns, n)
	}
	return ns
}

// archives holds the archive directories built so far, by size, for both benchmarks; TestMain
// removes them.
var archives = map[int]string{}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, dir := range archives {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}

// archive returns a directory with an archive of n messages indexed for search and threaded,
// as after a fetch, built the first time it is asked for.
func archive(b *testing.B, n int) string {
	b.Helper()
	if dir, ok := archives[n]; ok {
		return dir
	}
	dir, err := os.MkdirTemp("", "pouch-window-")
	if err != nil {
		b.Fatal(err)
	}
	archives[n] = dir
	path := filepath.Join(dir, "pouch.db")
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
	// Bulk stores messages unthreaded; a fetch threads each as it saves it. Left to the window,
	// the catch-up would run through the measurement (and does, at 300,000).
	if _, err := s.ThreadBackfill(ctx, 0); err != nil {
		b.Fatal(err)
	}
	return dir
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
	if *smaps != "" {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps", pid))
		if err != nil {
			b.Fatal(err)
		}
		name := filepath.Join(*smaps, strings.NewReplacer("/", "-", "=", "-").Replace(b.Name())+".smaps")
		if err := os.WriteFile(name, data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return m
}

// settle waits for the resident set to settle (procmem.Settle: 3 s within 1%, at most a
// minute) and returns it.
func settle(b *testing.B, pid int) float64 {
	b.Helper()
	rss, err := procmem.Settle(pid, 3*time.Second, time.Minute)
	if err != nil {
		b.Fatal(err)
	}
	return rss
}

// status reads a memory field of /proc/PID/status, in MiB.
func status(b *testing.B, pid int, field string) float64 {
	b.Helper()
	v, err := procmem.Status(pid, field)
	if err != nil {
		b.Fatal(err)
	}
	return v
}
