package pop3_test

import (
	"context"
	"errors"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pouchmail/pouch/pop3"
	"github.com/pouchmail/pouch/pop3/pop3test"
)

// Small bounds keep these tests short: each read must make progress within slowTimeout, and a
// reply must average minRate after that grace.
const (
	slowTimeout = 300 * time.Millisecond
	minRate     = 1000 // bytes/s
)

func slowOpts() *pop3.Options { return &pop3.Options{Timeout: slowTimeout, MinRate: minRate} }

// trickleBody answers +OK, then a 3-byte line every 100 ms (30 bytes/s) for ever: every read
// makes progress well within the timeout, yet the message never ends.
func trickleBody() pop3test.Step {
	return pop3test.Trickle(100*time.Millisecond, func(i int) string {
		if i == 1 {
			return "+OK"
		}
		return "x"
	}).AllowError()
}

// dripStatus sends a status line one byte every 100 ms (a 512-byte line would take a minute).
func dripStatus() pop3test.Step {
	return pop3test.Drip(100*time.Millisecond, strings.Split("+OK "+strings.Repeat("x", 400)+"\r\n", "")...).AllowError()
}

// bigReply is a 200 KB message sent at once: 200 s of credit at minRate, which must not carry
// over to the next reply of a batch.
var bigReply = "+OK\r\n" + strings.Repeat(strings.Repeat("x", 998)+"\r\n", 200) + ".\r\n"

const bigLen = 200 * 1000

// TestSlowReplyBounded: a reply that keeps trickling below Options.MinRate ends, after a
// grace of Options.Timeout, with a *SlowReplyError naming the setting; for RETR and TOP, in
// the status line or the body, alone or in a pipelined or lockstep batch after a fast message
// (each reply has its own bound), and for a pipelined DELE. The connection is closed.
func TestSlowReplyBounded(t *testing.T) {
	retr := func(c *pop3.Client) ([]int, error) {
		return nil, c.Retr(context.Background(), 1, func(r io.Reader) error { _, err := io.Copy(io.Discard, r); return err })
	}
	top := func(c *pop3.Client) ([]int, error) {
		return nil, c.Top(context.Background(), 1, 0, func(r io.Reader) error { _, err := io.Copy(io.Discard, r); return err })
	}
	// retrMany returns the ids delivered whole.
	retrMany := func(c *pop3.Client) ([]int, error) {
		var whole []int
		err := c.RetrMany(context.Background(), []int{1, 2}, func(id int, r io.Reader) error {
			n, err := io.Copy(io.Discard, r)
			if err == nil && n == bigLen {
				whole = append(whole, id)
			}
			return err
		})
		return whole, err
	}
	deleMany := func(c *pop3.Client) ([]int, error) { return nil, c.DeleMany(context.Background(), []int{1, 2}) }
	pipelined := []pop3test.Step{capa("PIPELINING"), pop3test.Expect("RETR 1"), pop3test.Expect("RETR 2"), pop3test.Send(bigReply)}
	lockstep := []pop3test.Step{capa("USER"), pop3test.Expect("RETR 1"), pop3test.Send(bigReply), pop3test.Expect("RETR 2")}
	tests := []struct {
		name      string
		script    []pop3test.Step
		run       func(c *pop3.Client) ([]int, error)
		cmd       string
		wantWhole []int
	}{
		{"RETR body", []pop3test.Step{pop3test.Expect("RETR 1"), trickleBody()}, retr, "RETR", nil},
		{"RETR status line", []pop3test.Step{pop3test.Expect("RETR 1"), dripStatus()}, retr, "RETR", nil},
		{"TOP body", []pop3test.Step{pop3test.Expect("TOP 1 0"), trickleBody()}, top, "TOP", nil},
		{"TOP status line", []pop3test.Step{pop3test.Expect("TOP 1 0"), dripStatus()}, top, "TOP", nil},
		{"RetrMany pipelined body", steps(pipelined, trickleBody()), retrMany, "RETR", []int{1}},
		{"RetrMany pipelined status line", steps(pipelined, dripStatus()), retrMany, "RETR", []int{1}},
		{"RetrMany lockstep body", steps(lockstep, trickleBody()), retrMany, "RETR", []int{1}},
		{"DeleMany pipelined", []pop3test.Step{capa("PIPELINING"), pop3test.Expect("DELE 1"), pop3test.Expect("DELE 2"),
			pop3test.Reply("+OK marked"), dripStatus()}, deleMany, "DELE", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel() // each waits on its server, not the CPU
			c, _ := login(t, slowOpts(), tt.script...)
			start := time.Now()
			var whole []int
			err := mustReturn(t, c, func() (err error) { whole, err = tt.run(c); return err })
			took := time.Since(start)
			var se *pop3.SlowReplyError
			if !errors.As(err, &se) {
				t.Fatalf("error = %v (%T), want a *pop3.SlowReplyError", err, err)
			}
			if se.Setting != "Options.MinRate" || se.Command != tt.cmd || !strings.Contains(err.Error(), "Options.MinRate") {
				t.Errorf("error = %v (setting %q, command %q); want one naming Options.MinRate for %s", err, se.Setting, se.Command, tt.cmd)
			}
			if !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Errorf("error = %v, want it to wrap os.ErrDeadlineExceeded", err)
			}
			// The grace plus what 30 bytes/s earn; far below the 200 s the first message of a
			// batch would lend the next if the bound were the batch's.
			if took > slowTimeout+2*time.Second {
				t.Errorf("took %v, want about %v", took, slowTimeout)
			}
			if !slices.Equal(whole, tt.wantWhole) {
				t.Errorf("messages delivered whole = %v, want %v", whole, tt.wantWhole)
			}
			wantClosed(t, c)
		})
	}
}

// steadyReply is a message of n lines of 150 bytes sent one line every 100 ms: 1500 bytes/s,
// above minRate, and many times slowTimeout in all.
func steadyReply(n int) (pop3test.Step, string) {
	line := strings.Repeat("s", 148) + "\r\n"
	chunks := []string{"+OK\r\n"}
	for range n {
		chunks = append(chunks, line)
	}
	return pop3test.Drip(100*time.Millisecond, append(chunks, ".\r\n")...), strings.Repeat(line, n)
}

// TestSlowButSteadyReplySucceeds: a big message on a slow link, arriving above
// Options.MinRate, is delivered whole however long it takes, alone or pipelined.
func TestSlowButSteadyReplySucceeds(t *testing.T) {
	t.Run("Retr", func(t *testing.T) {
		t.Parallel()
		reply, want := steadyReply(20)
		c, srv := login(t, slowOpts(), pop3test.Expect("RETR 1"), reply)
		start := time.Now()
		var got []byte
		err := mustReturn(t, c, func() error {
			return c.Retr(context.Background(), 1, func(r io.Reader) (err error) { got, err = io.ReadAll(r); return err })
		})
		if err != nil || string(got) != want {
			t.Fatalf("Retr() = %d bytes, %v; want %d bytes", len(got), err, len(want))
		}
		if took := time.Since(start); took < 5*slowTimeout {
			t.Errorf("took %v: the reply was not slow enough to test the bound", took)
		}
		wantClientBytes(t, c, srv, "USER bob\r\nPASS secret\r\nRETR 1\r\n")
	})
	t.Run("RetrMany pipelined", func(t *testing.T) {
		t.Parallel()
		r1, want := steadyReply(10)
		r2, _ := steadyReply(10)
		c, srv := login(t, slowOpts(), capa("PIPELINING"), pop3test.Expect("RETR 1"), pop3test.Expect("RETR 2"), r1, r2)
		var got []string
		err := mustReturn(t, c, func() error {
			return c.RetrMany(context.Background(), []int{1, 2}, func(id int, r io.Reader) error {
				b, err := io.ReadAll(r)
				got = append(got, string(b))
				return err
			})
		})
		if err != nil || len(got) != 2 || got[0] != want || got[1] != want {
			t.Fatalf("RetrMany() = %d messages, %v; want 2 of %d bytes", len(got), err, len(want))
		}
		wantClientBytes(t, c, srv, "USER bob\r\nPASS secret\r\nCAPA\r\nRETR 1\r\nRETR 2\r\n")
	})
}

// TestSlowReplyCancelled: cancelling the context (SIGTERM does) ends a RETR or TOP that
// trickles, alone or pipelined, at once rather than after the rate bound; the connection is
// closed without QUIT, so the server deletes nothing.
func TestSlowReplyCancelled(t *testing.T) {
	read := func(r io.Reader) error { _, err := io.Copy(io.Discard, r); return err }
	tests := []struct {
		name   string
		script []pop3test.Step
		run    func(ctx context.Context, c *pop3.Client) error
	}{
		{"Retr", []pop3test.Step{pop3test.Expect("RETR 1"), trickleBody()},
			func(ctx context.Context, c *pop3.Client) error { return c.Retr(ctx, 1, read) }},
		{"Top", []pop3test.Step{pop3test.Expect("TOP 1 0"), trickleBody()},
			func(ctx context.Context, c *pop3.Client) error { return c.Top(ctx, 1, 0, read) }},
		{"RetrMany pipelined", []pop3test.Step{capa("PIPELINING"), pop3test.Expect("RETR 1"), pop3test.Expect("RETR 2"), trickleBody()},
			func(ctx context.Context, c *pop3.Client) error {
				return c.RetrMany(ctx, []int{1, 2}, func(_ int, r io.Reader) error { return read(r) })
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// Bounds of a minute: only the context can end the reply within the test.
			c, _ := login(t, &pop3.Options{Timeout: time.Minute, MinRate: 1}, tt.script...)
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(300*time.Millisecond, cancel)
			start := time.Now()
			err := mustReturn(t, c, func() error { return tt.run(ctx, c) })
			if !errors.Is(err, context.Canceled) {
				t.Errorf("error = %v, want context.Canceled", err)
			}
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("took %v after a cancel at 300ms", took)
			}
			wantClosed(t, c)
		})
	}
}
