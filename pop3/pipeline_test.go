package pop3_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pouchmail/pouch/pop3"
	"github.com/pouchmail/pouch/pop3/pop3test"
)

// message returns a small distinct message and its wire form.
func message(i int) (raw, wire string) {
	raw = fmt.Sprintf("Subject: %d\r\n\r\nbody %d\r\n.dot\r\n", i, i)
	return raw, "+OK\r\n" + strings.ReplaceAll(raw, "\r\n.", "\r\n..") + ".\r\n"
}

func retrMany(t *testing.T, c *pop3.Client, ids []int) (map[int]string, []int, error) {
	t.Helper()
	got := map[int]string{}
	var order []int
	err := c.RetrMany(context.Background(), ids, func(id int, r io.Reader) error {
		b, err := io.ReadAll(r)
		got[id] = string(b)
		order = append(order, id)
		return err
	})
	return got, order, err
}

func checkMessages(t *testing.T, got map[int]string, order []int, ids []int) {
	t.Helper()
	if len(order) != len(ids) {
		t.Fatalf("fn called for %v, want %v", order, ids)
	}
	for i, id := range ids {
		want, _ := message(id)
		if order[i] != id || got[id] != want {
			t.Errorf("message %d: got id %d %q, want %q", i, order[i], got[id], want)
		}
	}
}

// TestRetrManyPipelined: the server reads all three commands before it
// answers any, which only a pipelining client survives.
func TestRetrManyPipelined(t *testing.T) {
	script := []pop3test.Step{capa("PIPELINING"), pop3test.Expect("RETR 1"), pop3test.Expect("RETR 2"), pop3test.Expect("RETR 3")}
	for i := 1; i <= 3; i++ {
		_, wire := message(i)
		script = append(script, pop3test.Send(wire))
	}
	c, srv := login(t, nil, script...)
	got, order, err := retrMany(t, c, []int{1, 2, 3})
	if err != nil {
		t.Fatalf("RetrMany() = %v", err)
	}
	checkMessages(t, got, order, []int{1, 2, 3})
	wantClientBytes(t, c, srv, "USER bob\r\nPASS secret\r\nCAPA\r\nRETR 1\r\nRETR 2\r\nRETR 3\r\n")
}

// TestRetrManyLockstep: without PIPELINING, or with ForceLockstep, each
// command waits for the previous reply; the bytes are the same.
func TestRetrManyLockstep(t *testing.T) {
	for _, force := range []bool{false, true} {
		t.Run(fmt.Sprintf("force=%v", force), func(t *testing.T) {
			var script []pop3test.Step
			wantSent := "USER bob\r\nPASS secret\r\n"
			if !force {
				script = append(script, capa("TOP", "UIDL"))
				wantSent += "CAPA\r\n"
			}
			for i := 1; i <= 3; i++ {
				_, wire := message(i)
				script = append(script, pop3test.Expect("RETR "+strconv.Itoa(i)), pop3test.Quiet(50*time.Millisecond), pop3test.Send(wire))
				wantSent += "RETR " + strconv.Itoa(i) + "\r\n"
			}
			c, srv := login(t, &pop3.Options{Timeout: testTimeout, ForceLockstep: force}, script...)
			got, order, err := retrMany(t, c, []int{1, 2, 3})
			if err != nil {
				t.Fatalf("RetrMany() = %v", err)
			}
			checkMessages(t, got, order, []int{1, 2, 3})
			wantClientBytes(t, c, srv, wantSent)
		})
	}
}

// TestRetrManyWindow: no more than the window of commands is ever
// outstanding: the first burst fills it, and each reply lets exactly one
// more command go.
func TestRetrManyWindow(t *testing.T) {
	w := pop3.RetrWindow
	n := w + 24 // more than one window
	script := []pop3test.Step{capa("PIPELINING")}
	for i := 1; i <= w; i++ {
		script = append(script, pop3test.Expect("RETR "+strconv.Itoa(i)))
	}
	script = append(script, pop3test.Quiet(100*time.Millisecond))
	for i := 1; i <= n; i++ {
		_, wire := message(i)
		script = append(script, pop3test.Send(wire))
		if i+w <= n {
			script = append(script, pop3test.Expect("RETR "+strconv.Itoa(i+w)), pop3test.Quiet(10*time.Millisecond))
		}
	}
	c, _ := login(t, nil, script...)
	ids := make([]int, n)
	for i := range ids {
		ids[i] = i + 1
	}
	got, order, err := retrMany(t, c, ids)
	if err != nil {
		t.Fatalf("RetrMany() = %v", err)
	}
	checkMessages(t, got, order, ids)
}

// TestRetrManyLarge streams big messages both ways while commands are in
// flight; pipelined and lockstep deliver identical bytes.
func TestRetrManyLarge(t *testing.T) {
	const n, size = 24, 256 << 10
	body := func(i int) []byte {
		line := bytes.Repeat([]byte{byte('a' + i%26)}, 998)
		var b bytes.Buffer
		fmt.Fprintf(&b, "Subject: %d\r\n\r\n", i)
		for b.Len() < size {
			b.WriteString(".")
			b.Write(line)
			b.WriteString("\r\n")
		}
		return b.Bytes()
	}
	run := func(lockstep bool) [][]byte {
		script := []pop3test.Step{capa("PIPELINING")}
		if lockstep {
			script = nil
		}
		for i := 1; i <= n; i++ {
			raw := body(i)
			script = append(script, pop3test.Expect("RETR "+strconv.Itoa(i)), pop3test.WriteFunc(func(w io.Writer) error {
				io.WriteString(w, "+OK\r\n")
				w.Write(bytes.ReplaceAll(raw, []byte("\r\n."), []byte("\r\n..")))
				_, err := io.WriteString(w, ".\r\n")
				return err
			}))
		}
		c, _ := login(t, &pop3.Options{Timeout: testTimeout, ForceLockstep: lockstep}, script...)
		var out [][]byte
		ids := make([]int, n)
		for i := range ids {
			ids[i] = i + 1
		}
		err := c.RetrMany(context.Background(), ids, func(id int, r io.Reader) error {
			b, err := io.ReadAll(r)
			out = append(out, b)
			return err
		})
		if err != nil {
			t.Fatalf("RetrMany(lockstep=%v) = %v", lockstep, err)
		}
		return out
	}
	p, l := run(false), run(true)
	for i := range n {
		if !bytes.Equal(p[i], l[i]) || !bytes.HasPrefix(p[i], []byte("Subject: ")) || !bytes.Contains(p[i], []byte("\r\n.")) {
			t.Fatalf("message %d differs between pipelined and lockstep (or lost its dot)", i+1)
		}
	}
}

func TestRetrManyRefusedMidway(t *testing.T) {
	_, wire1 := message(1)
	_, wire3 := message(3)
	_, wire4 := message(4)
	c, _ := login(t, nil, capa("PIPELINING"),
		pop3test.Expect("RETR 1"), pop3test.Expect("RETR 2"), pop3test.Expect("RETR 3"), pop3test.Expect("RETR 4"),
		pop3test.Send(wire1), pop3test.Reply("-ERR no such message"), pop3test.Send(wire3), pop3test.Send(wire4),
		pop3test.Exchange("NOOP", "+OK"))
	got, order, err := retrMany(t, c, []int{1, 2, 3, 4})
	if e := asError(t, err); e.Command != "RETR" || e.Text != "no such message" {
		t.Errorf("RetrMany() error = %+v", e)
	}
	checkMessages(t, got, order, []int{1})
	// The replies to RETR 3 and 4 were read, so the session is in step.
	if err := c.Noop(context.Background()); err != nil {
		t.Errorf("Noop() after refused RETR = %v, want nil", err)
	}
}

func TestRetrManyCallbackError(t *testing.T) {
	script := []pop3test.Step{capa("PIPELINING"), pop3test.Expect("RETR 1"), pop3test.Expect("RETR 2"), pop3test.Expect("RETR 3")}
	for i := 1; i <= 3; i++ {
		_, wire := message(i)
		script = append(script, pop3test.Send(wire))
	}
	script = append(script, pop3test.Exchange("NOOP", "+OK"))
	c, _ := login(t, nil, script...)
	errStop := errors.New("disk full")
	var calls []int
	err := c.RetrMany(context.Background(), []int{1, 2, 3}, func(id int, r io.Reader) error {
		calls = append(calls, id)
		if id == 2 {
			return errStop
		}
		_, err := io.Copy(io.Discard, r)
		return err
	})
	if !errors.Is(err, errStop) {
		t.Fatalf("RetrMany() = %v, want the callback's error", err)
	}
	if len(calls) != 2 {
		t.Errorf("fn called for %v, want [1 2]", calls)
	}
	if err := c.Noop(context.Background()); err != nil {
		t.Errorf("Noop() after callback error = %v, want nil", err)
	}
}

// TestPipeliningBroken: a server that advertises PIPELINING but drops the
// commands sent ahead gives a clear error within the timeout, not a hang.
func TestPipeliningBroken(t *testing.T) {
	const timeout = 300 * time.Millisecond
	_, wire := message(1)
	c, _ := login(t, &pop3.Options{Timeout: timeout}, capa("PIPELINING"),
		pop3test.Expect("RETR 1"), pop3test.Send(wire), pop3test.Stall(10*time.Second))
	start := time.Now()
	_, order, err := retrMany(t, c, []int{1, 2, 3})
	if !errors.Is(err, os.ErrDeadlineExceeded) || !strings.Contains(err.Error(), "PIPELINING") || !strings.Contains(err.Error(), "ForceLockstep") {
		t.Errorf("RetrMany() = %v, want a deadline error naming PIPELINING and ForceLockstep", err)
	}
	if len(order) != 1 {
		t.Errorf("fn called for %v, want [1]", order)
	}
	if d := time.Since(start); d > timeout+2*time.Second {
		t.Errorf("RetrMany() took %v, want about %v", d, timeout)
	}
	wantClosed(t, c)
}

func TestPipeliningGarbage(t *testing.T) {
	c, _ := login(t, nil, capa("PIPELINING"), pop3test.Expect("DELE 1"), pop3test.Expect("DELE 2"),
		pop3test.Reply("+OK", "* 1 EXISTS").AllowError())
	err := c.DeleMany(context.Background(), []int{1, 2})
	asProtocolError(t, err)
	wantClosed(t, c)
}

func TestRetrManyServerHangsUp(t *testing.T) {
	_, wire := message(1)
	c, _ := login(t, nil, capa("PIPELINING"), pop3test.Expect("RETR 1"), pop3test.Send(wire),
		pop3test.Expect("RETR 2"), pop3test.Send("+OK\r\nSubject: half"), pop3test.Hangup())
	_, order, err := retrMany(t, c, []int{1, 2, 3})
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("RetrMany() = %v, want io.ErrUnexpectedEOF", err)
	}
	if len(order) != 2 {
		t.Errorf("fn called for %v, want [1 2]", order)
	}
	wantClosed(t, c)
}

func TestRetrManyContextCancel(t *testing.T) {
	c, _ := login(t, &pop3.Options{Timeout: time.Minute}, capa("PIPELINING"), pop3test.Expect("RETR 1"), pop3test.Stall(10*time.Second))
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := c.RetrMany(ctx, []int{1, 2}, func(int, io.Reader) error { return nil })
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("RetrMany() = %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("RetrMany() took %v", d)
	}
}

func TestRetrManyArguments(t *testing.T) {
	c, srv := login(t, nil)
	if err := c.RetrMany(context.Background(), []int{1, 0}, nil); !errors.Is(err, pop3.ErrInvalidArgument) {
		t.Errorf("RetrMany([1 0]) = %v, want ErrInvalidArgument", err)
	}
	if err := c.DeleMany(context.Background(), []int{-1}); !errors.Is(err, pop3.ErrInvalidArgument) {
		t.Errorf("DeleMany([-1]) = %v, want ErrInvalidArgument", err)
	}
	if err := c.RetrMany(context.Background(), nil, nil); err != nil {
		t.Errorf("RetrMany(nil) = %v, want nil", err)
	}
	if err := c.DeleMany(context.Background(), nil); err != nil {
		t.Errorf("DeleMany(nil) = %v, want nil", err)
	}
	wantClientBytes(t, c, srv, "USER bob\r\nPASS secret\r\n")
}

func TestDeleMany(t *testing.T) {
	for _, pipelining := range []bool{true, false} {
		t.Run(fmt.Sprintf("pipelining=%v", pipelining), func(t *testing.T) {
			var script []pop3test.Step
			if pipelining {
				script = append(script, capa("PIPELINING"))
				for i := 1; i <= 5; i++ {
					script = append(script, pop3test.Expect("DELE "+strconv.Itoa(i)))
				}
				script = append(script, pop3test.Reply("+OK", "+OK", "+OK", "+OK", "+OK"))
			} else {
				script = append(script, capa("UIDL"))
				for i := 1; i <= 5; i++ {
					script = append(script, pop3test.Expect("DELE "+strconv.Itoa(i)), pop3test.Quiet(20*time.Millisecond), pop3test.Reply("+OK marked"))
				}
			}
			c, srv := login(t, nil, script...)
			if err := c.DeleMany(context.Background(), []int{1, 2, 3, 4, 5}); err != nil {
				t.Fatalf("DeleMany() = %v", err)
			}
			wantClientBytes(t, c, srv, "USER bob\r\nPASS secret\r\nCAPA\r\nDELE 1\r\nDELE 2\r\nDELE 3\r\nDELE 4\r\nDELE 5\r\n")
		})
	}
}

func TestDeleManyRefused(t *testing.T) {
	c, _ := login(t, nil, capa("PIPELINING"),
		pop3test.Expect("DELE 1"), pop3test.Expect("DELE 2"), pop3test.Expect("DELE 3"),
		pop3test.Reply("+OK", "-ERR [SYS/TEMP] message locked", "+OK"),
		pop3test.Exchange("RSET", "+OK"))
	err := c.DeleMany(context.Background(), []int{1, 2, 3})
	e := asError(t, err)
	if e.Command != "DELE" || e.Action() != pop3.ActionRetryLater {
		t.Errorf("DeleMany() error = %+v, want DELE retry-later", e)
	}
	if err := c.Rset(context.Background()); err != nil {
		t.Errorf("Rset() after refused DELE = %v", err)
	}
}

func TestRetrManyTranscript(t *testing.T) {
	var buf bytes.Buffer
	_, wire1 := message(1)
	_, wire2 := message(2)
	c, _ := login(t, &pop3.Options{Timeout: testTimeout, DebugWriter: &buf}, capa("PIPELINING"),
		pop3test.Expect("RETR 1"), pop3test.Expect("RETR 2"), pop3test.Send(wire1+wire2))
	if _, _, err := retrMany(t, c, []int{1, 2}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"C: RETR 1\n", "C: RETR 2\n", "S: +OK\nS: [28 octets of message data]\nS: .\n"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("transcript lacks %q:\n%s", want, buf.String())
		}
	}
}

// TestDeleManyLongNumbers: a full window of long commands overflows the
// write buffer; the count of commands sent, needed to stay in step after a
// refusal, must stay exact.
func TestDeleManyLongNumbers(t *testing.T) {
	const base = 2147480000
	w := pop3.DeleWindow
	script := []pop3test.Step{capa("PIPELINING")}
	for i := range w {
		script = append(script, pop3test.Expect("DELE "+strconv.Itoa(base+i)))
	}
	replies := []string{"+OK", "-ERR no such message"}
	for range w - 2 {
		replies = append(replies, "+OK")
	}
	script = append(script, pop3test.Reply(replies...), pop3test.Exchange("NOOP", "+OK"))
	c, _ := login(t, nil, script...)
	ids := make([]int, w) // exactly one window, so which commands are sent is certain
	for i := range ids {
		ids[i] = base + i
	}
	err := c.DeleMany(context.Background(), ids)
	if e := asError(t, err); e.Command != "DELE" {
		t.Errorf("DeleMany() error = %+v", e)
	}
	if err := c.Noop(context.Background()); err != nil {
		t.Errorf("Noop() after refused DELE = %v, want nil (client out of step)", err)
	}
}

// TestPipelineRepliesAhead: the server answers the first command with a
// reply for every message at once, then resets the connection. The replies
// beyond the commands sent are a protocol error, found promptly: the batch
// must not wait for commands that can no longer be sent.
func TestPipelineRepliesAhead(t *testing.T) {
	const n = 2000
	ids := make([]int, n)
	for i := range ids {
		ids[i] = i + 1
	}
	tests := []struct {
		name  string
		cmd   string
		reply string
		run   func(c *pop3.Client) error
	}{
		{"RetrMany", "RETR 1", "+OK\r\nbody\r\n.\r\n", func(c *pop3.Client) error {
			return c.RetrMany(context.Background(), ids, func(_ int, r io.Reader) error {
				_, err := io.Copy(io.Discard, r)
				return err
			})
		}},
		{"DeleMany", "DELE 1", "+OK\r\n", func(c *pop3.Client) error {
			return c.DeleMany(context.Background(), ids)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := login(t, nil, capa("PIPELINING"), pop3test.Expect(tt.cmd),
				pop3test.Send(strings.Repeat(tt.reply, n)).AllowError(), pop3test.Reset().AllowError())
			err := mustReturn(t, c, func() error { return tt.run(c) })
			pe := asProtocolError(t, err)
			if !strings.Contains(pe.Reason, "ahead") {
				t.Errorf("Reason = %q, want it to say the server replied ahead", pe.Reason)
			}
			wantClosed(t, c)
		})
	}
}

// TestPipelineCancel: a pipelined batch whose server stops answering
// returns ctx's error soon after ctx is cancelled, long before the timeout.
func TestPipelineCancel(t *testing.T) {
	_, wire := message(1)
	tests := []struct {
		name   string
		script []pop3test.Step
		run    func(ctx context.Context, c *pop3.Client) error
	}{
		{"RetrMany", []pop3test.Step{pop3test.Expect("RETR 1"), pop3test.Send(wire)}, func(ctx context.Context, c *pop3.Client) error {
			return c.RetrMany(ctx, []int{1, 2, 3}, func(_ int, r io.Reader) error {
				_, err := io.Copy(io.Discard, r)
				return err
			})
		}},
		{"RetrMany mid-message", []pop3test.Step{pop3test.Expect("RETR 1"), pop3test.Send("+OK\r\nSubject: half")}, func(ctx context.Context, c *pop3.Client) error {
			return c.RetrMany(ctx, []int{1, 2, 3}, func(_ int, r io.Reader) error {
				_, err := io.Copy(io.Discard, r)
				return err
			})
		}},
		{"DeleMany", []pop3test.Step{pop3test.Expect("DELE 1"), pop3test.Reply("+OK")}, func(ctx context.Context, c *pop3.Client) error {
			return c.DeleMany(ctx, []int{1, 2, 3})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			script := append([]pop3test.Step{capa("PIPELINING")}, tt.script...)
			script = append(script, pop3test.Stall(time.Minute))
			c, _ := login(t, &pop3.Options{Timeout: time.Minute}, script...)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			time.AfterFunc(200*time.Millisecond, cancel)
			err := mustReturn(t, c, func() error { return tt.run(ctx, c) })
			if !errors.Is(err, context.Canceled) {
				t.Errorf("error = %v, want context.Canceled", err)
			}
			wantClosed(t, c)
		})
	}
}

// TestRetrManyDrainBounded: after the callback fails, what is left to throw away (the rest of
// the message and the replies already asked for) is read only up to Options.MaxDrainBytes;
// past it the connection is closed, not read on. Within it the session stays usable.
func TestRetrManyDrainBounded(t *testing.T) {
	big := "+OK\r\n" + strings.Repeat(strings.Repeat("x", 998)+"\r\n", 200) + ".\r\n" // 200 KB
	for _, tc := range []struct {
		name   string
		limit  int64
		closed bool
	}{
		{"over the limit", 8 << 10, true},
		{"within the limit", 1 << 20, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			script := []pop3test.Step{capa("PIPELINING"), pop3test.Expect("RETR 1"), pop3test.Expect("RETR 2"),
				pop3test.Send(big), pop3test.Send(big)}
			if !tc.closed {
				script = append(script, pop3test.Exchange("NOOP", "+OK"))
			} else {
				script[len(script)-1] = script[len(script)-1].AllowError()
				script[len(script)-2] = script[len(script)-2].AllowError()
			}
			c, _ := login(t, &pop3.Options{MaxDrainBytes: tc.limit}, script...)
			errStop := errors.New("too large")
			err := mustReturn(t, c, func() error {
				return c.RetrMany(context.Background(), []int{1, 2}, func(id int, r io.Reader) error {
					r.Read(make([]byte, 10))
					return errStop
				})
			})
			var de *pop3.DrainLimitError
			if !errors.Is(err, errStop) || errors.As(err, &de) != tc.closed {
				t.Fatalf("RetrMany() = %v; want the callback's error, drain limit hit: %v", err, tc.closed)
			}
			if c.Closed() != tc.closed {
				t.Errorf("Closed() = %v, want %v", c.Closed(), tc.closed)
			}
			if !tc.closed {
				if err := c.Noop(context.Background()); err != nil {
					t.Errorf("Noop() after a drain within the limit = %v", err)
				}
			}
		})
	}
}
