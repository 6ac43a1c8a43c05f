package engine_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/app/secrets"
	"github.com/pouchmail/pouch/mailstore"
)

// peakRSS reads the process's peak resident set size (VmHWM) in bytes.
func peakRSS() (int64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/self/status")
}

// TestBigMessageBoundedMemory fetches a 50 MB message in a child process and reads the
// child's peak RSS before and after: the growth must stay under 64 MB.
func TestBigMessageBoundedMemory(t *testing.T) {
	if dir := os.Getenv("POUCH_TEST_RSS_DIR"); dir != "" {
		rssChild(dir)
		return
	}
	if _, err := peakRSS(); err != nil {
		t.Skipf("no /proc/self/status: %v", err)
	}
	e, store, a, d, _ := setup(t, mailstore.SecurityNone)
	_ = e
	const size = 50 << 20
	line := strings.Repeat("0123456789", 7) + "abcdef\n" // 77 bytes
	var b bytes.Buffer
	b.WriteString("Subject: big\nContent-Type: text/plain\n\n")
	for b.Len() < size {
		b.WriteString(line)
	}
	if err := d.Deliver("alice", "big", b.Bytes()); err != nil {
		t.Fatal(err)
	}
	wire := bytes.ReplaceAll(b.Bytes(), []byte("\n"), []byte("\r\n"))
	sum := sha256.Sum256(wire)
	b.Reset()
	dir := filepath.Dir(store.Path())
	store.Close()

	cmd := exec.Command(os.Args[0], "-test.run=^TestBigMessageBoundedMemory$", "-test.v")
	cmd.Env = append(os.Environ(), "POUCH_TEST_RSS_DIR="+dir, "POUCH_TEST_RSS_ACCOUNT="+a.Name)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	var before, after int64
	var gotSum string
	for _, l := range strings.Split(string(out), "\n") {
		fmt.Sscanf(l, "rss before=%d after=%d sha256=%s", &before, &after, &gotSum)
	}
	if before == 0 || after == 0 {
		t.Fatalf("child output:\n%s", out)
	}
	growth := after - before
	t.Logf("50 MB message: peak RSS %d MB before, %d MB after, growth %.1f MB", before>>20, after>>20, float64(growth)/(1<<20))
	if gotSum != hex.EncodeToString(sum[:]) {
		t.Errorf("stored sha256 %s, want %x", gotSum, sum)
	}
	if growth >= 64<<20 {
		t.Errorf("peak RSS grew by %d MB, want < 64 MB", growth>>20)
	}
}

func rssChild(dir string) {
	ctx := context.Background()
	fail := func(err error) { fmt.Println("child error:", err); os.Exit(1) }
	store, err := mailstore.Open(ctx, filepath.Join(dir, "pouch.db"))
	if err != nil {
		fail(err)
	}
	defer store.Close()
	sec := secrets.NewMemory()
	_ = sec.Set(os.Getenv("POUCH_TEST_RSS_ACCOUNT"), "secret-pw")
	e := engine.New(store, sec, engine.Options{DataDir: dir, Timeout: time.Minute})
	a, err := e.Account(ctx, os.Getenv("POUCH_TEST_RSS_ACCOUNT"))
	if err != nil {
		fail(err)
	}
	before, err := peakRSS()
	if err != nil {
		fail(err)
	}
	res := e.Fetch(ctx, a, nil)
	if res.Err != nil || res.New != 1 {
		fail(fmt.Errorf("fetch = %+v", res))
	}
	after, _ := peakRSS()
	msgs, err := store.Messages(ctx, mailstore.Filter{})
	if err != nil || len(msgs) != 1 {
		fail(fmt.Errorf("messages: %v %d", err, len(msgs)))
	}
	if err := store.VerifyMessage(ctx, msgs[0].ID); err != nil {
		fail(err)
	}
	fmt.Printf("rss before=%d after=%d sha256=%s\n", before, after, msgs[0].SHA256)
}
