package pop3_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pouchmail/pouch/pop3"
	"github.com/pouchmail/pouch/pop3/pop3test"
)

const greeting = "+OK POP3 ready <1896.697170952@dbc.mtview.ca.us>"

// testTimeout keeps failing tests short; long enough for -race on a busy machine.
const testTimeout = 5 * time.Second

var loginSteps = []pop3test.Step{
	pop3test.Exchange("USER bob", "+OK"),
	pop3test.Exchange("PASS secret", "+OK logged in"),
}

func steps(groups ...any) []pop3test.Step {
	var out []pop3test.Step
	for _, g := range groups {
		switch g := g.(type) {
		case pop3test.Step:
			out = append(out, g)
		case []pop3test.Step:
			out = append(out, g...)
		default:
			panic("steps: bad type")
		}
	}
	return out
}

// dial starts a scripted server that greets and then runs script, and
// connects a client to it.
func dial(t *testing.T, opts *pop3.Options, script ...pop3test.Step) (*pop3.Client, *pop3test.Server) {
	t.Helper()
	return dialGreeting(t, greeting, opts, script...)
}

// login is dial plus a successful Login as bob/secret.
func login(t *testing.T, opts *pop3.Options, script ...pop3test.Step) (*pop3.Client, *pop3test.Server) {
	t.Helper()
	c, srv := dial(t, opts, steps(loginSteps, script)...)
	if err := c.Login(context.Background(), "bob", "secret"); err != nil {
		t.Fatalf("Login() = %v, want nil", err)
	}
	return c, srv
}

// wantClientBytes waits for the script to end, closes the client so the
// server has seen everything, and compares the client's bytes.
func wantClientBytes(t *testing.T, c *pop3.Client, srv *pop3test.Server, want string) {
	t.Helper()
	srv.Wait()
	c.Close()
	srv.Close()
	if got := string(srv.Received()); got != want {
		t.Errorf("client sent:\n%q\nwant:\n%q", got, want)
	}
}

func asProtocolError(t *testing.T, err error) *pop3.ProtocolError {
	t.Helper()
	var pe *pop3.ProtocolError
	if !errors.As(err, &pe) {
		t.Fatalf("error = %v (%T), want *pop3.ProtocolError", err, err)
	}
	return pe
}

func asError(t *testing.T, err error) *pop3.Error {
	t.Helper()
	var e *pop3.Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v (%T), want *pop3.Error", err, err)
	}
	return e
}

// wantClosed checks that the client refuses further commands.
func wantClosed(t *testing.T, c *pop3.Client) {
	t.Helper()
	if err := c.Noop(context.Background()); !errors.Is(err, pop3.ErrClosed) {
		t.Errorf("Noop() after failure = %v, want ErrClosed", err)
	}
}

// memConn is a net.Conn that plays back fixed server bytes, for fuzzing
// without sockets, as a server that answers in turn: the greeting at once,
// then for each line the client sends one reply (a line and, after a +OK to
// CAPA, RETR, TOP or a whole listing, the lines up to the terminating "."),
// so a pipelining client never sees a reply before its command. It records
// what the client sends.
type memConn struct {
	mu      sync.Mutex
	cond    sync.Cond
	rest    []byte // server bytes not yet answered
	out     []byte // answered, not yet read
	partial []byte // the client's unfinished line
	sent    bytes.Buffer
	closed  bool
}

func newMemConn(server []byte) *memConn {
	m := &memConn{rest: server}
	m.cond.L = &m.mu
	m.answer("") // the greeting
	return m
}

// answer moves the reply to the command line cmd from rest to out.
func (m *memConn) answer(cmd string) {
	line := func() string {
		i := bytes.IndexByte(m.rest, '\n') + 1
		if i == 0 {
			i = len(m.rest)
		}
		l := m.rest[:i]
		m.rest, m.out = m.rest[i:], append(m.out, l...)
		return string(l)
	}
	verb, arg, _ := strings.Cut(strings.TrimSpace(cmd), " ")
	multi := verb == "CAPA" || verb == "RETR" || verb == "TOP" || (verb == "UIDL" || verb == "LIST") && arg == ""
	ok, _, _, err := pop3.ParseStatus(bytes.TrimSuffix(bytes.TrimSuffix([]byte(line()), []byte("\n")), []byte("\r")))
	if ok && err == nil && multi {
		for len(m.rest) > 0 {
			if l := line(); l == ".\r\n" || l == ".\n" {
				break
			}
		}
	}
}

func (m *memConn) Write(p []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent.Write(p)
	m.partial = append(m.partial, p...)
	for i := bytes.IndexByte(m.partial, '\n'); i >= 0; i = bytes.IndexByte(m.partial, '\n') {
		m.answer(string(m.partial[:i]))
		m.partial = m.partial[i+1:]
	}
	m.cond.Broadcast()
	return len(p), nil
}

func (m *memConn) Read(p []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for len(m.out) == 0 && len(m.rest) > 0 && !m.closed {
		m.cond.Wait()
	}
	if len(m.out) == 0 {
		return 0, io.EOF
	}
	n := copy(p, m.out)
	m.out = m.out[n:]
	return n, nil
}

func (m *memConn) Close() error {
	m.mu.Lock()
	m.closed = true
	m.cond.Broadcast()
	m.mu.Unlock()
	return nil
}

func (m *memConn) LocalAddr() net.Addr                { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 50000} }
func (m *memConn) RemoteAddr() net.Addr               { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 110} }
func (m *memConn) SetDeadline(t time.Time) error      { return nil }
func (m *memConn) SetReadDeadline(t time.Time) error  { return nil }
func (m *memConn) SetWriteDeadline(t time.Time) error { return nil }

// hangLimit is how long a call may take before a test calls it hung. The
// calls it guards end well within a second when they work; the margin is for
// -race on a loaded machine.
const hangLimit = 10 * time.Second

// mustReturn runs fn and fails the test if fn has not returned within
// hangLimit; c is then closed so that a hung call can be reported rather
// than leaked with the client's lock held.
func mustReturn(t *testing.T, c *pop3.Client, fn func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- fn() }()
	timer := time.NewTimer(hangLimit)
	defer timer.Stop()
	select {
	case err := <-done:
		return err
	case <-timer.C:
	}
	c.Close()
	select {
	case err := <-done:
		t.Fatalf("call did not return within %v; it did after Close: %v", hangLimit, err)
	case <-time.After(5 * time.Second):
		t.Fatalf("call did not return within %v, nor after Close", hangLimit)
	}
	return nil
}
