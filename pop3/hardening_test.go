package pop3_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/pouchmail/pouch/pop3"
	"github.com/pouchmail/pouch/pop3/pop3test"
)

func TestTop(t *testing.T) {
	c, srv := login(t, nil,
		pop3test.Exchange("TOP 1 0", "+OK", "Subject: hi", "..From dots", "", "."),
		pop3test.Exchange("TOP 2 3", "-ERR no such message"))
	var got []byte
	err := c.Top(context.Background(), 1, 0, func(r io.Reader) error {
		var err error
		got, err = io.ReadAll(r)
		return err
	})
	if err != nil || string(got) != "Subject: hi\r\n.From dots\r\n\r\n" {
		t.Errorf("Top(1, 0) = %q, %v", got, err)
	}
	err = c.Top(context.Background(), 2, 3, func(io.Reader) error { return nil })
	if e := asError(t, err); e.Command != "TOP" {
		t.Errorf("Top(2, 3) error command = %q, want TOP", e.Command)
	}
	for _, args := range [][2]int{{0, 1}, {1, -1}} {
		if err := c.Top(context.Background(), args[0], args[1], nil); !errors.Is(err, pop3.ErrInvalidArgument) {
			t.Errorf("Top(%d, %d) = %v, want ErrInvalidArgument", args[0], args[1], err)
		}
	}
	wantClientBytes(t, c, srv, "USER bob\r\nPASS secret\r\nTOP 1 0\r\nTOP 2 3\r\n")
}

func TestTopServerHangsUp(t *testing.T) {
	c, _ := login(t, nil, pop3test.Expect("TOP 1 10"), pop3test.Send("+OK\r\nSubject: x\r\n"), pop3test.Hangup())
	err := c.Top(context.Background(), 1, 10, func(r io.Reader) error { _, err := io.Copy(io.Discard, r); return err })
	if !errors.Is(err, io.ErrUnexpectedEOF) || !strings.Contains(err.Error(), "TOP") {
		t.Errorf("Top() = %v, want a TOP error wrapping io.ErrUnexpectedEOF", err)
	}
}

// TestStatBillion: counts and sizes are reported, never used to allocate.
func TestStatBillion(t *testing.T) {
	c, _ := login(t, nil, pop3test.Exchange("STAT", "+OK 1000000000 9000000000000000000"),
		pop3test.Exchange("LIST", "+OK 1000000000 messages", "1 120", "2 99", "."))
	n, size, err := c.Stat(context.Background())
	if err != nil || n != 1_000_000_000 || size != 9_000_000_000_000_000_000 {
		t.Fatalf("Stat() = %d, %d, %v", n, size, err)
	}
	list, err := c.ListAll(context.Background())
	if err != nil || len(list) != 2 {
		t.Errorf("ListAll() = %v, %v, want the 2 listed", list, err)
	}
}

// TestListSizesLie: the size in LIST is a hint; RETR delivers what comes.
func TestListSizesLie(t *testing.T) {
	big := strings.Repeat("x", 100<<10)
	c, _ := login(t, nil,
		pop3test.Exchange("LIST", "+OK", "1 10", "2 9223372036854775807", "."),
		pop3test.Exchange("RETR 1", "+OK", big, "."),
		pop3test.Exchange("RETR 2", "+OK", "tiny", "."))
	list, err := c.ListAll(context.Background())
	if err != nil || list[0].Size != 10 || list[1].Size != 9223372036854775807 {
		t.Fatalf("ListAll() = %v, %v", list, err)
	}
	for i, want := range []string{big + "\r\n", "tiny\r\n"} {
		id := i + 1
		var got []byte
		err := c.Retr(context.Background(), id, func(r io.Reader) error {
			var err error
			got, err = io.ReadAll(r)
			return err
		})
		if err != nil || string(got) != want {
			t.Errorf("Retr(%d) = %d bytes, %v; want %d bytes", id, len(got), err, len(want))
		}
	}
}

func TestUIDL200Chars(t *testing.T) {
	long := strings.Repeat("u", 200)
	c, _ := login(t, nil, pop3test.Exchange("UIDL", "+OK", "1 "+long, "2 short", "."))
	got, err := c.UIDLAll(context.Background())
	if err != nil || len(got) != 2 || got[0].UID != long {
		t.Errorf("UIDLAll() = %v, %v, want the 200-character UID kept", got, err)
	}
}

// TestEndlessListing: a listing that never ends stops at the cap.
func TestEndlessListing(t *testing.T) {
	defer pop3.SetMaxListingEntries(1000)()
	c, _ := login(t, nil, pop3test.Expect("UIDL"), pop3test.WriteFunc(func(w io.Writer) error {
		io.WriteString(w, "+OK\r\n")
		for i := 1; ; i++ {
			if _, err := fmt.Fprintf(w, "%d %d\r\n", i, i); err != nil {
				return err
			}
		}
	}).AllowError())
	start := time.Now()
	_, err := c.UIDLAll(context.Background())
	pe := asProtocolError(t, err)
	if !strings.Contains(pe.Reason, "more than") {
		t.Errorf("Reason = %q", pe.Reason)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("UIDLAll() took %v", d)
	}
}

// TestEndlessMessage: a RETR reply that never ends is stopped by the
// caller's deadline, and memory stays flat while it streams.
func TestEndlessMessage(t *testing.T) {
	c, _ := login(t, &pop3.Options{Timeout: time.Minute}, pop3test.Expect("RETR 1"), pop3test.WriteFunc(func(w io.Writer) error {
		io.WriteString(w, "+OK\r\n")
		line := []byte(strings.Repeat("y", 1000) + "\r\n")
		for {
			if _, err := w.Write(line); err != nil {
				return err
			}
		}
	}).AllowError())
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
	defer cancel()
	var n int64
	start := time.Now()
	err := c.Retr(ctx, 1, func(r io.Reader) error {
		var err error
		n, err = io.Copy(io.Discard, r)
		return err
	})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Retr() = %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Retr() took %v", d)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if grew := int64(after.HeapAlloc) - int64(before.HeapAlloc); grew > 8<<20 {
		t.Errorf("heap grew by %d bytes while streaming %d bytes", grew, n)
	}
	t.Logf("streamed %d MB before the deadline", n>>20)
	wantClosed(t, c)
}

// TestServerNeverAnswers covers the commands added with AUTH and
// pipelining: each gives up after the timeout.
func TestServerNeverAnswers(t *testing.T) {
	const timeout = 200 * time.Millisecond
	tests := []struct {
		name   string
		script []pop3test.Step
		run    func(c *pop3.Client) error
	}{
		{"AUTH", []pop3test.Step{capa("SASL PLAIN"), pop3test.ExpectPrefix("AUTH PLAIN "), pop3test.Stall(10 * time.Second)},
			func(c *pop3.Client) error { return c.Auth(context.Background(), "bob", "secret", "PLAIN") }},
		{"SASL challenge", []pop3test.Step{capa("SASL CRAM-MD5"), pop3test.Exchange("AUTH CRAM-MD5", "+ "+b64("<1.2@x>")), pop3test.Stall(10 * time.Second)},
			func(c *pop3.Client) error { return c.Auth(context.Background(), "bob", "secret", "CRAM-MD5") }},
		{"APOP", []pop3test.Step{capa("USER"), pop3test.ExpectPrefix("APOP bob "), pop3test.Stall(10 * time.Second)},
			func(c *pop3.Client) error { return c.Auth(context.Background(), "bob", "secret", "APOP") }},
		{"TOP", []pop3test.Step{pop3test.Expect("TOP 1 0"), pop3test.Stall(10 * time.Second)},
			func(c *pop3.Client) error { return c.Top(context.Background(), 1, 0, nil) }},
		{"RETR", []pop3test.Step{pop3test.Expect("RETR 1"), pop3test.Stall(10 * time.Second)},
			func(c *pop3.Client) error { return c.Retr(context.Background(), 1, nil) }},
		{"RetrMany pipelined", []pop3test.Step{capa("PIPELINING"), pop3test.Expect("RETR 1"), pop3test.Stall(10 * time.Second)},
			func(c *pop3.Client) error { return c.RetrMany(context.Background(), []int{1}, nil) }},
		{"DeleMany lockstep", []pop3test.Step{capa("USER"), pop3test.Expect("DELE 1"), pop3test.Stall(10 * time.Second)},
			func(c *pop3.Client) error { return c.DeleMany(context.Background(), []int{1, 2}) }},
		{"CAPA before RetrMany", []pop3test.Step{pop3test.Expect("CAPA"), pop3test.Stall(10 * time.Second)},
			func(c *pop3.Client) error { return c.RetrMany(context.Background(), []int{1}, nil) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := dial(t, &pop3.Options{Timeout: timeout}, tt.script...)
			start := time.Now()
			err := tt.run(c)
			if !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Errorf("error = %v, want os.ErrDeadlineExceeded", err)
			}
			if errors.As(err, new(*pop3.SlowReplyError)) {
				t.Errorf("error = %v: silence reported as a slow reply", err)
			}
			if d := time.Since(start); d > timeout+2*time.Second {
				t.Errorf("took %v, want about %v", d, timeout)
			}
			wantClosed(t, c)
		})
	}
}

// TestHugeSASLChallenge: an over-long continuation line is refused like
// any other.
func TestHugeSASLChallenge(t *testing.T) {
	c, _ := dialGreeting(t, noStamp, nil, capa("SASL CRAM-MD5"), pop3test.Exchange("AUTH CRAM-MD5", "+ "+strings.Repeat("A", 1<<20)).AllowError())
	err := c.Auth(context.Background(), "bob", "secret", "CRAM-MD5")
	asProtocolError(t, err)
	wantClosed(t, c)
}

// TestListingBounded: a UIDL or LIST listing is bounded in bytes
// (Options.MaxListingBytes) and in total time (Options.ListingTimeout), even
// when every single read makes progress.
func TestListingBounded(t *testing.T) {
	endless := pop3test.WriteFunc(func(w io.Writer) error {
		io.WriteString(w, "+OK\r\n")
		for i := 1; ; i++ {
			if _, err := fmt.Fprintf(w, "%d %d\r\n", i, i); err != nil {
				return err
			}
		}
	}).AllowError()
	trickle := pop3test.Trickle(100*time.Millisecond, func(i int) string {
		if i == 1 {
			return "+OK"
		}
		return fmt.Sprintf("%d %d", i-1, i)
	}).AllowError()
	uidl := func(c *pop3.Client) error { _, err := c.UIDLAll(context.Background()); return err }
	list := func(c *pop3.Client) error { _, err := c.ListAll(context.Background()); return err }
	tests := []struct {
		name     string
		cmd      string
		reply    pop3test.Step
		run      func(c *pop3.Client) error
		deadline bool // a deadline error rather than a *ProtocolError
	}{
		{"UIDL endless", "UIDL", endless, uidl, false},
		{"LIST endless", "LIST", endless, list, false},
		{"UIDL trickle", "UIDL", trickle, uidl, true},
		{"LIST trickle", "LIST", trickle, list, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := &pop3.Options{Timeout: 500 * time.Millisecond, ListingTimeout: time.Second, MaxListingBytes: 1 << 20}
			if !tt.deadline {
				opts.ListingTimeout = time.Minute // the byte bound must end it
			}
			c, _ := login(t, opts, pop3test.Expect(tt.cmd), tt.reply)
			err := mustReturn(t, c, func() error { return tt.run(c) })
			if tt.deadline {
				if !errors.Is(err, os.ErrDeadlineExceeded) || !strings.Contains(err.Error(), "ListingTimeout") {
					t.Errorf("error = %v, want a deadline error naming Options.ListingTimeout", err)
				}
			} else if pe := asProtocolError(t, err); !strings.Contains(pe.Reason, "bytes") {
				t.Errorf("Reason = %q, want it to mention bytes", pe.Reason)
			}
			wantClosed(t, c)
		})
	}
}
