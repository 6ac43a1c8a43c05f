package pop3_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/pouchmail/pouch/pop3"
	"github.com/pouchmail/pouch/pop3/pop3test"
)

func TestGreeting(t *testing.T) {
	tests := []struct {
		name    string
		server  []pop3test.Step
		check   func(t *testing.T, err error)
		wantMsg string
	}{
		{
			name:   "ok",
			server: []pop3test.Step{pop3test.Reply("+OK Dovecot ready.")},
		},
		{
			name:   "err with code",
			server: []pop3test.Step{pop3test.Reply("-ERR [SYS/TEMP] too many connections")},
			check: func(t *testing.T, err error) {
				e := asError(t, err)
				if e.Command != "greeting" || e.Code != "SYS/TEMP" || e.Text != "too many connections" || !e.Temporary() {
					t.Errorf("error = %+v, want greeting/SYS/TEMP/temporary", e)
				}
			},
		},
		{
			name:   "garbage",
			server: []pop3test.Step{pop3test.Reply("220 smtp.example.com ESMTP")},
			check: func(t *testing.T, err error) {
				pe := asProtocolError(t, err)
				if !strings.Contains(pe.Excerpt, "ESMTP") {
					t.Errorf("Excerpt = %q, want the line", pe.Excerpt)
				}
			},
		},
		{
			name:   "hangup",
			server: []pop3test.Step{pop3test.Send("+OK partial"), pop3test.Hangup()},
			check: func(t *testing.T, err error) {
				if !errors.Is(err, io.ErrUnexpectedEOF) {
					t.Errorf("error = %v, want io.ErrUnexpectedEOF", err)
				}
			},
		},
		{
			name:   "okay is not ok",
			server: []pop3test.Step{pop3test.Reply("+OKAY")},
			check:  func(t *testing.T, err error) { asProtocolError(t, err) },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := pop3test.NewServer(t, tt.server...)
			c, err := pop3.Dial(context.Background(), srv.Addr(), &pop3.Options{Timeout: testTimeout})
			if tt.check == nil {
				if err != nil {
					t.Fatalf("Dial() = %v, want nil", err)
				}
				c.Close()
				return
			}
			if err == nil {
				c.Close()
				t.Fatalf("Dial() = nil error, want one")
			}
			if !strings.HasPrefix(err.Error(), "pop3: ") {
				t.Errorf("error %q lacks the pop3: prefix", err)
			}
			tt.check(t, err)
		})
	}
}

func TestGreetingText(t *testing.T) {
	c, _ := dial(t, nil)
	if got, want := c.Greeting(), "POP3 ready <1896.697170952@dbc.mtview.ca.us>"; got != want {
		t.Errorf("Greeting() = %q, want %q", got, want)
	}
}

func TestLogin(t *testing.T) {
	c, srv := dial(t, nil, loginSteps...)
	if err := c.Login(context.Background(), "bob", "secret"); err != nil {
		t.Fatalf("Login() = %v, want nil", err)
	}
	wantClientBytes(t, c, srv, "USER bob\r\nPASS secret\r\n")
}

func TestLoginRefused(t *testing.T) {
	tests := []struct {
		name       string
		userReply  string
		passReply  string // "" if PASS is not sent
		command    string
		code       pop3.RespCode
		text       string
		authFailed bool
		temporary  bool
	}{
		{"auth code", "+OK", "-ERR [AUTH] Authentication failed.", "PASS", "AUTH", "Authentication failed.", true, false},
		{"in use", "+OK", "-ERR [IN-USE] Mailbox is locked by another POP3 session", "PASS", "IN-USE", "Mailbox is locked by another POP3 session", false, true},
		{"login delay", "+OK", "-ERR [LOGIN-DELAY] wait 15 minutes", "PASS", "LOGIN-DELAY", "wait 15 minutes", false, true},
		{"sys temp", "+OK", "-ERR [SYS/TEMP] disk full", "PASS", "SYS/TEMP", "disk full", false, true},
		{"sys perm", "+OK", "-ERR [SYS/PERM] account disabled", "PASS", "SYS/PERM", "account disabled", false, false},
		{"no code", "+OK", "-ERR invalid password", "PASS", "", "invalid password", true, false},
		{"unknown user", "-ERR no such mailbox", "", "USER", "", "no such mailbox", true, false},
		{"bracket not a code", "+OK", "-ERR [not a code] hmm", "PASS", "", "[not a code] hmm", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			script := []pop3test.Step{pop3test.Exchange("USER bob", tt.userReply)}
			if tt.passReply != "" {
				script = append(script, pop3test.Exchange("PASS secret", tt.passReply))
			}
			script = append(script, pop3test.Exchange("QUIT", "+OK bye"))
			c, _ := dial(t, nil, script...)
			err := c.Login(context.Background(), "bob", "secret")
			e := asError(t, err)
			if e.Command != tt.command || e.Code != tt.code || e.Text != tt.text {
				t.Errorf("Login() error = %+v, want Command %q Code %q Text %q", e, tt.command, tt.code, tt.text)
			}
			if e.AuthFailed() != tt.authFailed || e.Temporary() != tt.temporary {
				t.Errorf("AuthFailed() = %v, Temporary() = %v, want %v, %v", e.AuthFailed(), e.Temporary(), tt.authFailed, tt.temporary)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("error %q contains the password", err)
			}
			// A refusal leaves the session usable.
			if err := c.Quit(context.Background()); err != nil {
				t.Errorf("Quit() after refused login = %v, want nil", err)
			}
		})
	}
}

func TestStat(t *testing.T) {
	c, _ := login(t, nil, pop3test.Exchange("STAT", "+OK 2 320"))
	n, size, err := c.Stat(context.Background())
	if err != nil || n != 2 || size != 320 {
		t.Errorf("Stat() = %d, %d, %v, want 2, 320, nil", n, size, err)
	}
}

func TestStatMalformed(t *testing.T) {
	for _, reply := range []string{"+OK", "+OK two 320", "+OK 2 -1", "+OK 99999999999999999999 1"} {
		t.Run(reply, func(t *testing.T) {
			c, _ := login(t, nil, pop3test.Exchange("STAT", reply))
			_, _, err := c.Stat(context.Background())
			asProtocolError(t, err)
			wantClosed(t, c)
		})
	}
}

func TestUIDLAll(t *testing.T) {
	// Extra spaces and a UID over RFC 1939's 70 octets are tolerated.
	c, _ := login(t, nil, pop3test.Exchange("UIDL", "+OK",
		"1 whqtswO00WBw418f9t5JxYwZ",
		"2  QhdPYR:00WBw1Ph7x7",
		"3 "+strings.Repeat("u", 100),
		".",
	))
	got, err := c.UIDLAll(context.Background())
	if err != nil {
		t.Fatalf("UIDLAll() = %v, want nil", err)
	}
	want := []pop3.UIDL{{1, "whqtswO00WBw418f9t5JxYwZ"}, {2, "QhdPYR:00WBw1Ph7x7"}, {3, strings.Repeat("u", 100)}}
	if len(got) != len(want) {
		t.Fatalf("UIDLAll() = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("UIDLAll()[%d] = %v, want %v", i, got[i], want[i])
		}
	}
}

func TestUIDLAllEmpty(t *testing.T) {
	c, _ := login(t, nil, pop3test.Exchange("UIDL", "+OK", "."))
	got, err := c.UIDLAll(context.Background())
	if err != nil || len(got) != 0 {
		t.Errorf("UIDLAll() = %v, %v, want empty, nil", got, err)
	}
}

func TestUIDLAllBad(t *testing.T) {
	tests := []struct{ name, line string }{
		{"control char", "1 abc\x01def"},
		{"escape sequence", "1 abc\x1b[2J"},
		{"NUL", "1 abc\x00"},
		{"space inside", "1 abc def"},
		{"non-ASCII", "1 abcé"},
		{"too long", "1 " + strings.Repeat("u", 600)},
		{"no uid", "1"},
		{"zero id", "0 abc"},
		{"negative id", "-1 abc"},
		{"huge id", "99999999999999999999 abc"},
		{"id not a number", "one abc"},
		{"duplicate id", "1 abc\r\n1 abd"},
		{"dot-stuffed", "..1 abc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := login(t, nil, pop3test.Exchange("UIDL", "+OK", tt.line, "."))
			got, err := c.UIDLAll(context.Background())
			if err == nil {
				t.Fatalf("UIDLAll() = %v, nil; want a ProtocolError", got)
			}
			pe := asProtocolError(t, err)
			if len(pe.Excerpt) > 100 {
				t.Errorf("Excerpt is %d bytes, want it short", len(pe.Excerpt))
			}
			wantClosed(t, c)
		})
	}
}

// TestUIDLAllDuplicateUID: messages sharing a unique-id are left out and named; the rest of
// the listing comes back and the session stays usable.
func TestUIDLAllDuplicateUID(t *testing.T) {
	c, _ := login(t, nil, pop3test.Exchange("UIDL", "+OK", "1 abc", "2 xyz", "3 abc", "."), pop3test.Exchange("NOOP", "+OK"))
	got, err := c.UIDLAll(context.Background())
	var dup *pop3.DuplicateUIDLError
	if !errors.As(err, &dup) || len(dup.Messages) != 2 || dup.Messages[1].ID != 3 {
		t.Fatalf("UIDLAll() error = %v, want the two messages sharing abc", err)
	}
	if len(got) != 1 || got[0].UID != "xyz" {
		t.Errorf("UIDLAll() = %v, want only xyz", got)
	}
	if err := c.Noop(context.Background()); err != nil {
		t.Errorf("Noop() after a duplicate UID = %v", err)
	}
}

func TestUIDLRefused(t *testing.T) {
	c, _ := login(t, nil, pop3test.Exchange("UIDL", "-ERR [SYS/TEMP] later"), pop3test.Exchange("NOOP", "+OK"))
	_, err := c.UIDLAll(context.Background())
	if e := asError(t, err); e.Command != "UIDL" || !e.Temporary() {
		t.Errorf("UIDLAll() error = %+v, want temporary UIDL error", e)
	}
	if err := c.Noop(context.Background()); err != nil {
		t.Errorf("Noop() after -ERR = %v, want nil", err)
	}
}

func TestListingCap(t *testing.T) {
	restore := pop3.SetMaxListingEntries(3)
	defer restore()
	c, _ := login(t, nil, pop3test.Exchange("LIST", "+OK", "1 10", "2 10", "3 10", "4 10", ".").AllowError())
	_, err := c.ListAll(context.Background())
	asProtocolError(t, err)
}

func TestListAll(t *testing.T) {
	c, _ := login(t, nil, pop3test.Exchange("LIST", "+OK 2 messages (320 octets)", "1 120", "2 200 extra info", "."))
	got, err := c.ListAll(context.Background())
	if err != nil {
		t.Fatalf("ListAll() = %v, want nil", err)
	}
	want := []pop3.MessageSize{{1, 120}, {2, 200}}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("ListAll() = %v, want %v", got, want)
	}
}

func TestListAllBad(t *testing.T) {
	for _, line := range []string{"1 -5", "x 5", "1", "1 5x", "2 99999999999999999999", "0 5"} {
		t.Run(line, func(t *testing.T) {
			c, _ := login(t, nil, pop3test.Exchange("LIST", "+OK", line, "."))
			_, err := c.ListAll(context.Background())
			asProtocolError(t, err)
		})
	}
}

func TestSessionTranscript(t *testing.T) {
	var debug bytes.Buffer
	c, srv := login(t, &pop3.Options{Timeout: testTimeout, DebugWriter: &debug},
		pop3test.Exchange("STAT", "+OK 1 5"),
		pop3test.Exchange("DELE 1", "+OK marked"),
		pop3test.Exchange("NOOP", "+OK"),
		pop3test.Exchange("RSET", "+OK"),
		pop3test.Exchange("DELE 1", "+OK marked"),
		pop3test.Exchange("DELE 2", "-ERR no such message"),
		pop3test.Exchange("QUIT", "+OK bye"),
	)
	ctx := context.Background()
	if _, _, err := c.Stat(ctx); err != nil {
		t.Fatalf("Stat() = %v", err)
	}
	for _, step := range []struct {
		name string
		fn   func(context.Context) error
	}{
		{"Dele(1)", func(ctx context.Context) error { return c.Dele(ctx, 1) }},
		{"Noop()", c.Noop},
		{"Rset()", c.Rset},
		{"Dele(1)", func(ctx context.Context) error { return c.Dele(ctx, 1) }},
	} {
		if err := step.fn(ctx); err != nil {
			t.Fatalf("%s = %v, want nil", step.name, err)
		}
	}
	if e := asError(t, c.Dele(ctx, 2)); e.Command != "DELE" || e.Text != "no such message" {
		t.Errorf("Dele(2) error = %+v", e)
	}
	if err := c.Quit(ctx); err != nil {
		t.Fatalf("Quit() = %v, want nil", err)
	}
	wantClientBytes(t, c, srv, "USER bob\r\nPASS secret\r\nSTAT\r\nDELE 1\r\nNOOP\r\nRSET\r\nDELE 1\r\nDELE 2\r\nQUIT\r\n")

	wantDebug := "S: " + greeting + "\n" +
		"C: USER bob\nS: +OK\n" +
		"C: PASS [redacted]\nS: +OK logged in\n" +
		"C: STAT\nS: +OK 1 5\n" +
		"C: DELE 1\nS: +OK marked\n" +
		"C: NOOP\nS: +OK\n" +
		"C: RSET\nS: +OK\n" +
		"C: DELE 1\nS: +OK marked\n" +
		"C: DELE 2\nS: -ERR no such message\n" +
		"C: QUIT\nS: +OK bye\n"
	if got := debug.String(); got != wantDebug {
		t.Errorf("transcript:\n%s\nwant:\n%s", got, wantDebug)
	}
	if strings.Contains(debug.String(), "secret") {
		t.Error("transcript contains the password")
	}
}

func TestQuitClosesClient(t *testing.T) {
	c, _ := login(t, nil, pop3test.Exchange("QUIT", "+OK bye"))
	if err := c.Quit(context.Background()); err != nil {
		t.Fatalf("Quit() = %v, want nil", err)
	}
	wantClosed(t, c)
	if err := c.Quit(context.Background()); !errors.Is(err, pop3.ErrClosed) {
		t.Errorf("second Quit() = %v, want ErrClosed", err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("Close() after Quit = %v, want nil", err)
	}
}

func TestQuitRefused(t *testing.T) {
	// RFC 1939: -ERR to QUIT means some deleted messages were not removed.
	c, _ := login(t, nil, pop3test.Exchange("QUIT", "-ERR some deleted messages not removed"))
	if e := asError(t, c.Quit(context.Background())); e.Command != "QUIT" {
		t.Errorf("Quit() error = %+v", e)
	}
	wantClosed(t, c)
}

func TestCloseSendsNoQuit(t *testing.T) {
	c, srv := login(t, nil, pop3test.Exchange("DELE 1", "+OK"), pop3test.ExpectEOF())
	if err := c.Dele(context.Background(), 1); err != nil {
		t.Fatalf("Dele() = %v", err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("Close() = %v, want nil", err)
	}
	wantClientBytes(t, c, srv, "USER bob\r\nPASS secret\r\nDELE 1\r\n")
	wantClosed(t, c)
	if err := c.Close(); err != nil {
		t.Errorf("second Close() = %v, want nil", err)
	}
}

func TestInjectionRefused(t *testing.T) {
	c, srv := dial(t, nil, pop3test.Exchange("QUIT", "+OK"))
	ctx := context.Background()
	for _, cred := range [][2]string{
		{"bob\r\nDELE 1", "secret"},
		{"bob", "secret\r\nDELE 1"},
		{"bob\n", "secret"},
		{"bob", "sec\rret"},
		{"bob\x00", "secret"},
		{"", "secret"},
		{"bob", ""},
	} {
		if err := c.Login(ctx, cred[0], cred[1]); !errors.Is(err, pop3.ErrInvalidArgument) {
			t.Errorf("Login(%q, %q) = %v, want ErrInvalidArgument", cred[0], cred[1], err)
		}
	}
	for _, id := range []int{0, -1} {
		if err := c.Dele(ctx, id); !errors.Is(err, pop3.ErrInvalidArgument) {
			t.Errorf("Dele(%d) = %v, want ErrInvalidArgument", id, err)
		}
		if err := c.Retr(ctx, id, nil); !errors.Is(err, pop3.ErrInvalidArgument) {
			t.Errorf("Retr(%d) = %v, want ErrInvalidArgument", id, err)
		}
	}
	if err := c.Quit(ctx); err != nil {
		t.Fatalf("Quit() = %v", err)
	}
	wantClientBytes(t, c, srv, "QUIT\r\n")
}

func TestOverlongStatusLine(t *testing.T) {
	const size = 10 << 20
	c, _ := login(t, nil, pop3test.Expect("STAT"), pop3test.WriteFunc(func(w io.Writer) error {
		chunk := bytes.Repeat([]byte("a"), 64<<10)
		io.WriteString(w, "+OK ")
		for n := 0; n < size; n += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return err
			}
		}
		_, err := io.WriteString(w, "\r\n")
		return err
	}).AllowError())
	start := time.Now()
	_, _, err := c.Stat(context.Background())
	pe := asProtocolError(t, err)
	if len(pe.Error()) > 300 {
		t.Errorf("error is %d bytes long, want a short excerpt", len(pe.Error()))
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Stat() took %v, want a quick failure", d)
	}
	wantClosed(t, c)
}

func TestOverlongListingLine(t *testing.T) {
	c, _ := login(t, nil, pop3test.Exchange("UIDL", "+OK", "1 "+strings.Repeat("x", 8000), ".").AllowError())
	_, err := c.UIDLAll(context.Background())
	asProtocolError(t, err)
}

func TestLongStatusLineTolerated(t *testing.T) {
	// Over RFC 2449's 512 octets but under the lenient bound.
	text := strings.Repeat("t", 2000)
	c, _ := login(t, nil, pop3test.Exchange("NOOP", "+OK "+text))
	if err := c.Noop(context.Background()); err != nil {
		t.Errorf("Noop() = %v, want nil", err)
	}
}

func TestBareLFTolerated(t *testing.T) {
	c, _ := dial(t, nil, pop3test.Expect("UIDL"), pop3test.Send("+OK\n1 abc\n.\n"))
	got, err := c.UIDLAll(context.Background())
	if err != nil || len(got) != 1 || got[0].UID != "abc" {
		t.Errorf("UIDLAll() = %v, %v, want [1 abc]", got, err)
	}
}

func TestTimeout(t *testing.T) {
	const timeout = 200 * time.Millisecond
	c, _ := login(t, &pop3.Options{Timeout: timeout}, pop3test.Expect("STAT"), pop3test.Stall(10*time.Second))
	start := time.Now()
	_, _, err := c.Stat(context.Background())
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("Stat() = %v, want os.ErrDeadlineExceeded", err)
	}
	if d := time.Since(start); d < timeout || d > timeout+2*time.Second {
		t.Errorf("Stat() returned after %v, want about %v", d, timeout)
	}
	wantClosed(t, c)
}

func TestGreetingTimeout(t *testing.T) {
	srv := pop3test.NewServer(t, pop3test.Stall(10*time.Second))
	start := time.Now()
	_, err := pop3.Dial(context.Background(), srv.Addr(), &pop3.Options{Timeout: 200 * time.Millisecond})
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("Dial() = %v, want os.ErrDeadlineExceeded", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Dial() took %v", d)
	}
}

func TestContextDeadlineWins(t *testing.T) {
	c, _ := login(t, &pop3.Options{Timeout: time.Minute}, pop3test.Expect("STAT"), pop3test.Stall(10*time.Second))
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, _, err := c.Stat(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Stat() = %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Stat() took %v, want the context deadline to win", d)
	}
	wantClosed(t, c)
}

func TestContextCancelInterruptsRead(t *testing.T) {
	c, _ := login(t, &pop3.Options{Timeout: time.Minute}, pop3test.Expect("STAT"), pop3test.Stall(10*time.Second))
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, _, err := c.Stat(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Stat() = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Stat() took %v after cancel", d)
	}
	wantClosed(t, c)
}

func TestCancelledContextSendsNothing(t *testing.T) {
	c, srv := login(t, nil, pop3test.Exchange("NOOP", "+OK"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.Noop(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Noop(cancelled) = %v, want context.Canceled", err)
	}
	// The client is still usable: nothing was sent.
	if err := c.Noop(context.Background()); err != nil {
		t.Errorf("Noop() = %v, want nil", err)
	}
	wantClientBytes(t, c, srv, "USER bob\r\nPASS secret\r\nNOOP\r\n")
}

func TestCloseInterruptsCommand(t *testing.T) {
	c, _ := login(t, &pop3.Options{Timeout: time.Minute}, pop3test.Expect("STAT"), pop3test.Stall(10*time.Second))
	time.AfterFunc(100*time.Millisecond, func() { c.Close() })
	_, _, err := c.Stat(context.Background())
	if !errors.Is(err, pop3.ErrClosed) {
		t.Errorf("Stat() = %v, want ErrClosed", err)
	}
}

func TestServerHangsUp(t *testing.T) {
	c, _ := login(t, nil, pop3test.Expect("NOOP"), pop3test.Hangup())
	err := c.Noop(context.Background())
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("Noop() = %v, want io.ErrUnexpectedEOF", err)
	}
	wantClosed(t, c)
}

func TestConcurrentCallsAreSerialized(t *testing.T) {
	var script []pop3test.Step
	for range 10 {
		script = append(script, pop3test.Exchange("NOOP", "+OK"))
	}
	c, _ := login(t, nil, script...)
	errs := make(chan error, 10)
	for range 10 {
		go func() { errs <- c.Noop(context.Background()) }()
	}
	for range 10 {
		if err := <-errs; err != nil {
			t.Errorf("Noop() = %v, want nil", err)
		}
	}
}

func TestErrorMessages(t *testing.T) {
	e := &pop3.Error{Command: "PASS", Code: "AUTH", Text: "bad\x1b[31m"}
	if got, want := e.Error(), "pop3: PASS: server said -ERR [AUTH] bad?[31m"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestNewClient(t *testing.T) {
	srv := pop3test.NewServer(t, pop3test.Reply("+OK hello"), pop3test.Exchange("NOOP", "+OK"))
	conn, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	c, err := pop3.NewClient(conn, nil)
	if err != nil {
		t.Fatalf("NewClient() = %v, want nil", err)
	}
	defer c.Close()
	if c.Greeting() != "hello" {
		t.Errorf("Greeting() = %q, want %q", c.Greeting(), "hello")
	}
	if err := c.Noop(context.Background()); err != nil {
		t.Errorf("Noop() = %v, want nil", err)
	}
}

// TestWaitForBusyClient: a command waiting for the client while a batch
// hangs on a silent server gives up when its ctx is cancelled or the
// client is closed, not only when the batch times out.
func TestWaitForBusyClient(t *testing.T) {
	tests := []struct {
		name  string
		abort func(c *pop3.Client, cancel context.CancelFunc)
		want  error
	}{
		{"cancel", func(_ *pop3.Client, cancel context.CancelFunc) { cancel() }, context.Canceled},
		{"close", func(c *pop3.Client, _ context.CancelFunc) { c.Close() }, pop3.ErrClosed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, srv := login(t, &pop3.Options{Timeout: time.Minute}, capa("PIPELINING"), pop3test.Expect("RETR 1"), pop3test.Stall(time.Minute))
			busy := make(chan error, 1)
			go func() { busy <- c.RetrMany(context.Background(), []int{1}, nil) }()
			for !strings.Contains(string(srv.Received()), "RETR 1\r\n") {
				time.Sleep(10 * time.Millisecond)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			time.AfterFunc(200*time.Millisecond, func() { tt.abort(c, cancel) })
			err := mustReturn(t, c, func() error { return c.Noop(ctx) })
			if !errors.Is(err, tt.want) {
				t.Errorf("Noop() while busy = %v, want %v", err, tt.want)
			}
			c.Close()
			<-busy
		})
	}
}
