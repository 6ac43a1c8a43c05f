package engine_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/pouchmail/pouch/app/engine"
)

func TestOpenedFilesPrivateAndRemoved(t *testing.T) {
	base := t.TempDir()
	o := engine.NewOpenedFiles(base)
	p1, err := o.Write("report.pdf", []byte("%PDF-1"))
	if err != nil {
		t.Fatal(err)
	}
	p2, err := o.Write("../../report.pdf", []byte("%PDF-2"))
	if err != nil {
		t.Fatal(err)
	}
	if p1 == p2 || filepath.Base(p2) != "report.pdf" {
		t.Errorf("paths %s and %s: want two files named report.pdf", p1, p2)
	}
	for _, p := range []string{p1, p2} {
		if st, err := os.Stat(p); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, %v; want mode 0600", p, st, err)
		}
	}
	entries, _ := os.ReadDir(base)
	if len(entries) != 1 {
		t.Fatalf("%d entries in the temp dir, want one directory of this process", len(entries))
	}
	top := filepath.Join(base, entries[0].Name())
	if st, err := os.Stat(top); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("%s: %v, %v; want mode 0700", top, st, err)
	}
	if err := o.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(top); !os.IsNotExist(err) {
		t.Errorf("%s after Close: %v, want it gone", top, err)
	}
	if _, err := o.Write("x", nil); err == nil {
		t.Error("Write after Close = nil, want an error")
	}
}

func TestRemoveStaleOpened(t *testing.T) {
	base := t.TempDir()
	// A PID that no longer runs: a finished child's.
	child := exec.Command(os.Args[0], "-test.run=^$")
	if err := child.Run(); err != nil {
		t.Fatal(err)
	}
	dead := strconv.Itoa(child.Process.Pid)
	self := strconv.Itoa(os.Getpid())
	live := strconv.Itoa(os.Getppid())
	now := time.Now()
	dirs := map[string]struct {
		age  time.Duration
		gone bool
	}{
		"pouch-open-" + dead + "-1": {time.Minute, true},     // its process ended
		"pouch-open-" + self + "-2": {72 * time.Hour, false}, // ours, however old
		"pouch-open-" + live + "-3": {time.Minute, false},    // a running process's
		"pouch-open-" + live + "-4": {72 * time.Hour, true},  // unused for days: PIDs get reused
		"pouch-open-123456789":      {time.Minute, false},    // an older version's, recent
		"pouch-open-987654321":      {72 * time.Hour, true},  // an older version's, old
		"something-else-" + dead:    {72 * time.Hour, false}, // not ours
	}
	for name, d := range dirs {
		p := filepath.Join(base, name)
		if err := os.MkdirAll(filepath.Join(p, "sub"), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(p, "sub", "a.pdf"), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, now.Add(-d.age), now.Add(-d.age)); err != nil {
			t.Fatal(err)
		}
	}
	// A symlink with our prefix is never followed.
	target := t.TempDir()
	if err := os.Symlink(target, filepath.Join(base, "pouch-open-"+dead+"-link")); err != nil {
		t.Fatal(err)
	}

	want := 0
	for _, d := range dirs {
		if d.gone {
			want++
		}
	}
	if n := engine.RemoveStaleOpened(base, now); n != want {
		t.Errorf("RemoveStaleOpened() = %d, want %d", n, want)
	}
	for name, d := range dirs {
		_, err := os.Stat(filepath.Join(base, name))
		if gone := os.IsNotExist(err); gone != d.gone {
			t.Errorf("%s: removed = %v, want %v", name, gone, d.gone)
		}
	}
	if _, err := os.Stat(target); err != nil {
		t.Errorf("the symlink's target: %v", err)
	}
}
