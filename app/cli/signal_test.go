package cli_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pouchmail/pouch/app/cli"
)

// exitRecorder stands in for os.Exit: it records the code and wakes the test.
type exitRecorder struct {
	mu    sync.Mutex
	codes []int
	ch    chan int
}

func newExitRecorder() *exitRecorder { return &exitRecorder{ch: make(chan int, 4)} }

func (r *exitRecorder) exit(code int) {
	r.mu.Lock()
	r.codes = append(r.codes, code)
	r.mu.Unlock()
	r.ch <- code
}

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestFirstSignalCancelsSecondExits(t *testing.T) {
	for _, tc := range []struct {
		sig  os.Signal
		code int
	}{{syscall.SIGTERM, 143}, {os.Interrupt, 130}} {
		sigs := make(chan os.Signal, 1)
		rec := newExitRecorder()
		var stderr syncBuf
		in := cli.HandleSignals(context.Background(), sigs, cli.SignalOptions{Stderr: &stderr, Exit: rec.exit, Grace: time.Hour})

		sigs <- tc.sig
		select {
		case <-in.Context().Done():
		case <-time.After(5 * time.Second):
			t.Fatalf("%v: the context was not cancelled by the first signal", tc.sig)
		}
		select {
		case code := <-rec.ch:
			t.Fatalf("%v: the first signal exited (%d); want a clean stop", tc.sig, code)
		case <-time.After(50 * time.Millisecond):
		}
		if got := stderr.String(); strings.Count(got, "\n") != 1 || !strings.Contains(got, "stopping") {
			t.Errorf("%v: stderr = %q, want one line saying it is stopping", tc.sig, got)
		}
		if got := in.ExitCode(1); got != tc.code {
			t.Errorf("%v: ExitCode(1) after the signal = %d, want %d", tc.sig, got, tc.code)
		}

		sigs <- tc.sig
		select {
		case code := <-rec.ch:
			if code != tc.code {
				t.Errorf("%v: second signal exit code = %d, want %d", tc.sig, code, tc.code)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%v: the second signal did not exit", tc.sig)
		}
		in.Stop()
	}
}

// A clean stop that takes too long (something not watching the context) ends anyway.
func TestSignalGraceExits(t *testing.T) {
	sigs := make(chan os.Signal, 1)
	rec := newExitRecorder()
	in := cli.HandleSignals(context.Background(), sigs, cli.SignalOptions{Stderr: &syncBuf{}, Exit: rec.exit, Grace: 100 * time.Millisecond})
	defer in.Stop()
	sigs <- syscall.SIGTERM
	select {
	case code := <-rec.ch:
		if code != 143 {
			t.Errorf("exit code after the grace period = %d, want 143", code)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no exit after the grace period")
	}
}

func TestNoSignal(t *testing.T) {
	sigs := make(chan os.Signal, 1)
	rec := newExitRecorder()
	in := cli.HandleSignals(context.Background(), sigs, cli.SignalOptions{Exit: rec.exit, Grace: time.Millisecond})
	if in.Context().Err() != nil {
		t.Fatal("context cancelled without a signal")
	}
	if got := in.ExitCode(2); got != 2 {
		t.Errorf("ExitCode(2) without a signal = %d, want 2", got)
	}
	in.Stop()
	// After Stop nothing exits: main exits itself.
	sigs <- syscall.SIGTERM
	select {
	case code := <-rec.ch:
		t.Errorf("exit(%d) after Stop", code)
	case <-time.After(100 * time.Millisecond):
	}
}
