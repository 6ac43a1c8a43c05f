package pop3_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/pouchmail/pouch/pop3"
	"github.com/pouchmail/pouch/pop3/pop3test"
)

// retrAll runs Retr(1) and returns the bytes fn saw.
func retrAll(t *testing.T, c *pop3.Client) ([]byte, error) {
	t.Helper()
	var got []byte
	err := c.Retr(context.Background(), 1, func(r io.Reader) error {
		var err error
		got, err = io.ReadAll(r)
		return err
	})
	return got, err
}

func TestRetr(t *testing.T) {
	tests := []struct {
		name string
		wire string // after "+OK\r\n", including the terminator
		want string
	}{
		{
			name: "simple",
			wire: "Subject: hi\r\n\r\nHello\r\n.\r\n",
			want: "Subject: hi\r\n\r\nHello\r\n",
		},
		{
			name: "dot-stuffed",
			wire: "Subject: dots\r\n\r\n..leading dot\r\n...\r\n.x\r\n..\r\nmid.dle.\r\n.\r\n",
			want: "Subject: dots\r\n\r\n.leading dot\r\n..\r\nx\r\n.\r\nmid.dle.\r\n",
		},
		{
			name: "empty",
			wire: ".\r\n",
			want: "",
		},
		{
			name: "empty lines",
			wire: "\r\n\r\n\r\n.\r\n",
			want: "\r\n\r\n\r\n",
		},
		{
			// Line ends pass through untouched, even inconsistent ones.
			name: "line ends preserved",
			wire: "a\r\nb\nc\rd\r\n\n\r\r\n.\r\n",
			want: "a\r\nb\nc\rd\r\n\n\r\r\n",
		},
		{
			name: "stuffed dot before CR",
			wire: ".\r\r\n.\r\n",
			want: "\r\r\n",
		},
		{
			name: "sloppy terminator",
			wire: "body\n.\n",
			want: "body\n",
		},
		{
			name: "binary",
			wire: "\x00\x01\xff\xfe\r\n.\r\n",
			want: "\x00\x01\xff\xfe\r\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, wrap := range []struct {
				name string
				fn   func(io.Reader) io.Reader
			}{
				{"plain", func(r io.Reader) io.Reader { return r }},
				{"one byte", iotest.OneByteReader},
				{"half", iotest.HalfReader},
			} {
				t.Run(wrap.name, func(t *testing.T) {
					c, _ := login(t, nil,
						pop3test.Expect("RETR 1"),
						pop3test.Send("+OK message follows\r\n"+tt.wire),
						pop3test.Exchange("NOOP", "+OK"))
					var got []byte
					err := c.Retr(context.Background(), 1, func(r io.Reader) error {
						var err error
						got, err = io.ReadAll(wrap.fn(r))
						return err
					})
					if err != nil {
						t.Fatalf("Retr() = %v, want nil", err)
					}
					if string(got) != tt.want {
						t.Errorf("Retr() read %q, want %q", got, tt.want)
					}
					if err := c.Noop(context.Background()); err != nil {
						t.Errorf("Noop() after Retr = %v, want nil", err)
					}
				})
			}
		})
	}
}

func TestRetrReaderContract(t *testing.T) {
	body := "Subject: x\r\n\r\n" + strings.Repeat("line of text\r\n", 1000)
	c, _ := login(t, nil, pop3test.Expect("RETR 1"), pop3test.Send("+OK\r\n"+body+".\r\n"))
	err := c.Retr(context.Background(), 1, func(r io.Reader) error {
		return iotest.TestReader(r, []byte(body))
	})
	if err != nil {
		t.Errorf("Retr() = %v, want nil", err)
	}
}

func TestRetrLongLine(t *testing.T) {
	line := bytes.Repeat([]byte("x"), 200<<10)
	line[0] = '.' // stuffed, so the client must drop it
	wire := "+OK\r\n." + string(line) + "\r\n.\r\n"
	c, _ := login(t, nil, pop3test.Expect("RETR 1"), pop3test.Send(wire))
	got, err := retrAll(t, c)
	if err != nil {
		t.Fatalf("Retr() = %v, want nil", err)
	}
	if want := string(line) + "\r\n"; string(got) != want {
		t.Errorf("Retr() read %d bytes, want %d (first %q)", len(got), len(want), got[:min(len(got), 20)])
	}
}

func TestRetrLarge(t *testing.T) {
	// 8 MB over many writes, with some lines far longer than the buffer.
	var want bytes.Buffer
	for i := 0; want.Len() < 8<<20; i++ {
		if i%100 == 0 {
			want.Write(bytes.Repeat([]byte("y"), 70<<10))
			want.WriteString("\r\n")
		}
		want.WriteString("a normal line of a large message\r\n")
	}
	c, _ := login(t, nil, pop3test.Expect("RETR 1"), pop3test.WriteFunc(func(w io.Writer) error {
		io.WriteString(w, "+OK\r\n")
		w.Write(want.Bytes())
		_, err := io.WriteString(w, ".\r\n")
		return err
	}))
	got, err := retrAll(t, c)
	if err != nil {
		t.Fatalf("Retr() = %v, want nil", err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Errorf("Retr() read %d bytes, want %d", len(got), want.Len())
	}
}

func TestRetrSlowButSteady(t *testing.T) {
	// The whole message takes longer than Timeout, but each chunk arrives
	// within it, so the deadline keeps moving, and on average (70 bytes/s)
	// above MinRate.
	const timeout = 300 * time.Millisecond
	script := []pop3test.Step{pop3test.Expect("RETR 1"), pop3test.Send("+OK\r\n")}
	for range 6 {
		script = append(script, pop3test.Stall(100*time.Millisecond), pop3test.Send("chunk\r\n"))
	}
	script = append(script, pop3test.Send(".\r\n"))
	c, _ := login(t, &pop3.Options{Timeout: timeout, MinRate: 20}, script...)
	got, err := retrAll(t, c)
	if err != nil {
		t.Fatalf("Retr() = %v, want nil", err)
	}
	if want := strings.Repeat("chunk\r\n", 6); string(got) != want {
		t.Errorf("Retr() read %q, want %q", got, want)
	}
}

func TestRetrStalls(t *testing.T) {
	c, _ := login(t, &pop3.Options{Timeout: 200 * time.Millisecond},
		pop3test.Expect("RETR 1"), pop3test.Send("+OK\r\npartial line"), pop3test.Stall(10*time.Second))
	start := time.Now()
	got, err := retrAll(t, c)
	if err == nil {
		t.Fatalf("Retr() = nil error, want a timeout")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Retr() took %v", d)
	}
	if string(got) != "partial line" {
		t.Errorf("fn read %q, want the partial data", got)
	}
	wantClosed(t, c)
}

func TestRetrServerHangsUp(t *testing.T) {
	c, _ := login(t, nil, pop3test.Expect("RETR 1"), pop3test.Send("+OK\r\nSubject: x\r\n\r\nbody"), pop3test.Hangup())
	got, err := retrAll(t, c)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("Retr() = %v, want io.ErrUnexpectedEOF", err)
	}
	if string(got) != "Subject: x\r\n\r\nbody" {
		t.Errorf("fn read %q", got)
	}
	wantClosed(t, c)
}

func TestRetrSwallowedErrorStillReported(t *testing.T) {
	c, _ := login(t, nil, pop3test.Expect("RETR 1"), pop3test.Send("+OK\r\nbody"), pop3test.Hangup())
	err := c.Retr(context.Background(), 1, func(r io.Reader) error {
		io.ReadAll(r) // ignores the error
		return nil
	})
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("Retr() = %v, want io.ErrUnexpectedEOF", err)
	}
}

func TestRetrEarlyReturnDrains(t *testing.T) {
	body := strings.Repeat("0123456789\r\n", 10000)
	c, srv := login(t, nil,
		pop3test.Expect("RETR 1"), pop3test.Send("+OK\r\n"+body+".\r\n"),
		pop3test.Expect("RETR 2"), pop3test.Send("+OK\r\n"+body+".\r\n"),
		pop3test.Exchange("NOOP", "+OK"))
	ctx := context.Background()
	err := c.Retr(ctx, 1, func(r io.Reader) error {
		_, err := io.ReadFull(r, make([]byte, 5))
		return err
	})
	if err != nil {
		t.Fatalf("Retr() = %v, want nil", err)
	}
	errStop := errors.New("stop")
	err = c.Retr(ctx, 2, func(r io.Reader) error { return errStop })
	if !errors.Is(err, errStop) {
		t.Fatalf("Retr() = %v, want fn's error", err)
	}
	if err := c.Noop(ctx); err != nil {
		t.Fatalf("Noop() after drained Retr = %v, want nil", err)
	}
	wantClientBytes(t, c, srv, "USER bob\r\nPASS secret\r\nRETR 1\r\nRETR 2\r\nNOOP\r\n")
}

func TestRetrDrainFails(t *testing.T) {
	c, _ := login(t, nil, pop3test.Expect("RETR 1"), pop3test.Send("+OK\r\nfirst line\r\nsecond"), pop3test.Hangup())
	err := c.Retr(context.Background(), 1, func(r io.Reader) error {
		_, err := io.ReadFull(r, make([]byte, 3))
		return err
	})
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("Retr() = %v, want io.ErrUnexpectedEOF from draining", err)
	}
	wantClosed(t, c)
}

func TestRetrRefused(t *testing.T) {
	c, _ := login(t, nil, pop3test.Exchange("RETR 9", "-ERR no such message"), pop3test.Exchange("NOOP", "+OK"))
	called := false
	err := c.Retr(context.Background(), 9, func(io.Reader) error { called = true; return nil })
	if e := asError(t, err); e.Command != "RETR" || e.Text != "no such message" {
		t.Errorf("Retr() error = %+v", e)
	}
	if called {
		t.Error("fn was called for a -ERR reply")
	}
	if err := c.Noop(context.Background()); err != nil {
		t.Errorf("Noop() = %v, want nil", err)
	}
}

func TestRetrCallbackCannotReenter(t *testing.T) {
	c, _ := login(t, nil, pop3test.Expect("RETR 1"), pop3test.Send("+OK\r\nbody\r\n.\r\n"), pop3test.Exchange("NOOP", "+OK"))
	var inner error
	err := c.Retr(context.Background(), 1, func(r io.Reader) error {
		inner = c.Noop(context.Background())
		return nil
	})
	if err != nil {
		t.Errorf("Retr() = %v, want nil", err)
	}
	if inner == nil {
		t.Error("Noop() inside the callback = nil, want an error")
	}
	if err := c.Noop(context.Background()); err != nil {
		t.Errorf("Noop() after Retr = %v, want nil", err)
	}
}

func TestRetrReaderInvalidAfterCallback(t *testing.T) {
	c, _ := login(t, nil, pop3test.Expect("RETR 1"), pop3test.Send("+OK\r\nbody\r\n.\r\n"))
	var kept io.Reader
	if err := c.Retr(context.Background(), 1, func(r io.Reader) error { kept = r; return nil }); err != nil {
		t.Fatalf("Retr() = %v", err)
	}
	if n, err := kept.Read(make([]byte, 10)); n != 0 || err == nil || err == io.EOF {
		t.Errorf("Read() after callback = %d, %v, want 0 and an error", n, err)
	}
}

func TestRetrContextCancel(t *testing.T) {
	c, _ := login(t, &pop3.Options{Timeout: time.Minute},
		pop3test.Expect("RETR 1"), pop3test.Send("+OK\r\nsome"), pop3test.Stall(10*time.Second))
	ctx, cancel := context.WithCancel(context.Background())
	err := c.Retr(ctx, 1, func(r io.Reader) error {
		time.AfterFunc(100*time.Millisecond, cancel)
		_, err := io.ReadAll(r)
		return err
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Retr() = %v, want context.Canceled", err)
	}
	wantClosed(t, c)
}

func TestRetrTranscriptSummarizesBody(t *testing.T) {
	var debug bytes.Buffer
	c, _ := dial(t, &pop3.Options{Timeout: testTimeout, DebugWriter: &debug},
		pop3test.Expect("RETR 1"), pop3test.Send("+OK 9 octets\r\nsecret\r\n.\r\n"))
	if _, err := retrAll(t, c); err != nil {
		t.Fatalf("Retr() = %v", err)
	}
	want := "S: " + greeting + "\nC: RETR 1\nS: +OK 9 octets\nS: [8 octets of message data]\nS: .\n"
	if got := debug.String(); got != want {
		t.Errorf("transcript:\n%q\nwant:\n%q", got, want)
	}
}
