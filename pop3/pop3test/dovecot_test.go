package pop3test_test

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pouchmail/pouch/internal/testenv"
	"github.com/pouchmail/pouch/pop3/pop3test"
)

// dovecotConn is a minimal POP3 conversation over raw lines, independent of
// the pop3 package, so that it checks the server and not our client.
type dovecotConn struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
}

func dialDovecot(t *testing.T, conn net.Conn) *dovecotConn {
	t.Helper()
	if err := conn.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	c := &dovecotConn{t: t, conn: conn, r: bufio.NewReader(conn)}
	t.Cleanup(func() { conn.Close() })
	return c
}

// line reads one line and checks it ends with CRLF.
func (c *dovecotConn) line() string {
	c.t.Helper()
	s, err := c.r.ReadString('\n')
	if err != nil {
		c.t.Fatalf("read: %v (got %q)", err, s)
	}
	if !strings.HasSuffix(s, "\r\n") {
		c.t.Fatalf("line %q does not end with CRLF", s)
	}
	return strings.TrimSuffix(s, "\r\n")
}

// ok expects a "+OK" status line and returns the text after it.
func (c *dovecotConn) ok() string {
	c.t.Helper()
	s := c.line()
	if !strings.HasPrefix(s, "+OK") {
		c.t.Fatalf("reply %q, want +OK", s)
	}
	return strings.TrimPrefix(strings.TrimPrefix(s, "+OK"), " ")
}

// cmd sends one command and expects "+OK".
func (c *dovecotConn) cmd(format string, args ...any) string {
	c.t.Helper()
	if _, err := fmt.Fprintf(c.conn, format+"\r\n", args...); err != nil {
		c.t.Fatalf("write: %v", err)
	}
	return c.ok()
}

// multiline reads a dot-terminated body and returns it dot-unstuffed with
// its CRLF line ends kept.
func (c *dovecotConn) multiline() []byte {
	c.t.Helper()
	var body bytes.Buffer
	for {
		s := c.line()
		if s == "." {
			return body.Bytes()
		}
		s = strings.TrimPrefix(s, ".")
		body.WriteString(s + "\r\n")
	}
}

func (c *dovecotConn) login(user, pass string) {
	c.t.Helper()
	c.cmd("USER %s", user)
	c.cmd("PASS %s", pass)
}

func (c *dovecotConn) stat() string {
	c.t.Helper()
	return c.cmd("STAT")
}

// dovecotVirtualSize is the size Dovecot reports in STAT and LIST: the file with
// LF turned into CRLF but without the final CRLF that RETR adds to a file
// lacking one.
func dovecotVirtualSize(b []byte) int {
	s := strings.ReplaceAll(string(b), "\r\n", "\n")
	return len(strings.ReplaceAll(s, "\n", "\r\n"))
}

func TestDovecot(t *testing.T) {
	d := testenv.Dovecot(t, nil)

	msgs := []struct {
		name string
		raw  []byte
	}{
		// LF line ends, a line starting with "." (dot-stuffed on the
		// wire) and no final line break.
		{"dotted", []byte("From: a@example.org\nSubject: dots\n\n.leading dot\n..two dots\n.\nlast line")},
		{"crlf", []byte("From: b@example.org\r\nSubject: crlf\r\n\r\nbody\r\n")},
		{"third", []byte("Subject: third\n\nhello\n")},
	}
	var total int
	for _, m := range msgs {
		if err := d.Deliver("alice", m.name, m.raw); err != nil {
			t.Fatalf("Deliver(%q) = %v", m.name, err)
		}
		total += dovecotVirtualSize(m.raw)
	}

	conn, err := net.Dial("tcp", d.PlainAddr)
	if err != nil {
		t.Fatal(err)
	}
	c := dialDovecot(t, conn)
	greeting := c.ok()
	// Plaintext passwords in the passdb make Dovecot offer APOP: a
	// timestamp appears in the greeting.
	if !strings.Contains(greeting, "<") {
		t.Errorf("greeting %q has no APOP timestamp", greeting)
	}
	c.cmd("CAPA")
	capa := string(c.multiline())
	for _, want := range []string{"STLS", "UIDL", "USER", "SASL PLAIN LOGIN CRAM-MD5 SCRAM-SHA-1 SCRAM-SHA-256"} {
		if !strings.Contains(capa, want) {
			t.Errorf("CAPA = %q, want %q in it", capa, want)
		}
	}
	c.login("alice", "secret-pw")
	if got, want := c.stat(), fmt.Sprintf("3 %d", total); got != want {
		t.Errorf("STAT = %q, want %q (Dovecot counts sizes with CRLF line ends)", got, want)
	}
	for i, m := range msgs {
		if got, want := c.cmd("LIST %d", i+1), fmt.Sprintf("%d %d", i+1, dovecotVirtualSize(m.raw)); got != want {
			t.Errorf("LIST %d = %q, want %q", i+1, got, want)
		}
	}

	// Dovecot sends a Maildir file with every LF turned into CRLF and adds
	// a final CRLF if the file lacks one, as pop3test.Bytes does; the stored
	// bytes stay LF.
	for i, m := range msgs {
		c.cmd("RETR %d", i+1)
		if got, want := c.multiline(), pop3test.Bytes(m.raw); !bytes.Equal(got, want) {
			t.Errorf("RETR %d (%s) = %q, want %q", i+1, m.name, got, want)
		}
	}
	c.cmd("UIDL")
	uidls := strings.Split(strings.TrimSpace(string(c.multiline())), "\r\n")
	if len(uidls) != 3 {
		t.Fatalf("UIDL = %q, want 3 lines", uidls)
	}
	for i, l := range uidls {
		// pop3_uidl_format = %08Xu%08Xv: 16 hex digits, the IMAP UID first,
		// assigned in delivery order.
		var id int
		var uidl string
		if _, err := fmt.Sscanf(l, "%d %s", &id, &uidl); err != nil || id != i+1 || len(uidl) != 16 ||
			!strings.HasPrefix(uidl, fmt.Sprintf("%08X", i+1)) {
			t.Errorf("UIDL line %q, want \"%d %08X<8 hex digits>\"", l, i+1, i+1)
		}
	}
	c.cmd("DELE 2")
	c.cmd("QUIT")

	files, err := d.MaildirFiles("alice")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := files["crlf"]; ok || len(files) != 2 {
		t.Errorf("after DELE 2 and QUIT the Maildir holds %d files (%v), want dotted and third", len(files), dovecotKeys(files))
	}
	for _, name := range []string{"dotted", "third"} {
		if want := msgs[map[string]int{"dotted": 0, "third": 2}[name]].raw; !bytes.Equal(files[name], want) {
			t.Errorf("Maildir file %s = %q, want %q", name, files[name], want)
		}
	}

	t.Run("ImplicitTLS", func(t *testing.T) {
		// No ServerName: the certificate must be valid for IP 127.0.0.1.
		conn, err := tls.Dial("tcp", d.TLSAddr, &tls.Config{RootCAs: pop3test.CertPool(d.CertPEM)})
		if err != nil {
			t.Fatalf("tls.Dial(%s) = %v", d.TLSAddr, err)
		}
		c := dialDovecot(t, conn)
		c.ok()
		c.login("alice", "secret-pw")
		if got := c.stat(); !strings.HasPrefix(got, "2 ") {
			t.Errorf("STAT = %q, want 2 messages", got)
		}
		c.cmd("QUIT")
	})

	t.Run("STLS", func(t *testing.T) {
		conn, err := net.Dial("tcp", d.PlainAddr)
		if err != nil {
			t.Fatal(err)
		}
		c := dialDovecot(t, conn)
		c.ok()
		c.cmd("STLS")
		tconn := tls.Client(conn, &tls.Config{RootCAs: pop3test.CertPool(d.CertPEM), ServerName: "localhost"})
		if err := tconn.Handshake(); err != nil {
			t.Fatalf("STLS handshake: %v", err)
		}
		if v := tconn.ConnectionState().Version; v < tls.VersionTLS12 {
			t.Errorf("TLS version %x, want at least 1.2", v)
		}
		c = dialDovecot(t, tconn)
		c.login("alice", "secret-pw")
		c.cmd("QUIT")
	})

	t.Run("TLS1.1Refused", func(t *testing.T) {
		_, err := tls.Dial("tcp", d.TLSAddr, &tls.Config{
			RootCAs: pop3test.CertPool(d.CertPEM), MaxVersion: tls.VersionTLS11, MinVersion: tls.VersionTLS10,
		})
		if err == nil {
			t.Error("TLS 1.1 handshake succeeded, want refused (ssl_min_protocol = TLSv1.2)")
		}
	})

	t.Run("WrongPassword", func(t *testing.T) {
		conn, err := net.Dial("tcp", d.PlainAddr)
		if err != nil {
			t.Fatal(err)
		}
		c := dialDovecot(t, conn)
		c.ok()
		c.cmd("USER alice")
		fmt.Fprintf(conn, "PASS wrong\r\n")
		if s := c.line(); !strings.HasPrefix(s, "-ERR") {
			t.Errorf("PASS wrong: %q, want -ERR", s)
		}
	})

	if err := d.Stop(); err != nil {
		t.Fatalf("Stop() = %v", err)
	}
	if err := d.Stop(); err != nil {
		t.Errorf("second Stop() = %v, want nil", err)
	}
	if conn, err := net.DialTimeout("tcp", d.PlainAddr, time.Second); err == nil {
		conn.Close()
		t.Errorf("%s still accepts connections after Stop", d.PlainAddr)
	}
}

func dovecotKeys(m map[string][]byte) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

func TestDovecotUsers(t *testing.T) {
	t.Parallel()
	d := testenv.Dovecot(t, &pop3test.DovecotOptions{Users: []pop3test.DovecotUser{
		{Name: "bob", Password: "pw with spaces"},
		{Name: "carol@example.org", Password: "ünïcode"},
	}})
	if err := d.Deliver("bob", "m1", []byte("Subject: x\r\n\r\ny\r\n")); err != nil {
		t.Fatal(err)
	}
	if err := d.Deliver("alice", "m1", []byte("x")); err == nil {
		t.Error(`Deliver("alice") = nil, want an error for an unknown user`)
	}
	if err := d.Deliver("bob", "../evil", []byte("x")); err == nil {
		t.Error(`Deliver(name "../evil") = nil, want an error`)
	}
	if got, want := d.Maildir("bob"), filepath.Join(d.Dir, "home", "bob", "Maildir"); got != want {
		t.Errorf("Maildir(bob) = %q, want %q", got, want)
	}
	for _, tc := range []struct{ user, pass, stat string }{
		{"bob", "pw with spaces", "1 "},
		{"carol@example.org", "ünïcode", "0 0"},
	} {
		conn, err := net.Dial("tcp", d.PlainAddr)
		if err != nil {
			t.Fatal(err)
		}
		c := dialDovecot(t, conn)
		c.ok()
		c.login(tc.user, tc.pass)
		if got := c.stat(); !strings.HasPrefix(got, tc.stat) {
			t.Errorf("%s: STAT = %q, want prefix %q", tc.user, got, tc.stat)
		}
		c.cmd("QUIT")
	}
}

// TestDovecotParallel checks that several instances run at once, as they
// do when packages are tested in parallel.
func TestDovecotParallel(t *testing.T) {
	t.Parallel()
	const n = 3
	ds := make([]*pop3test.Dovecot, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			d, err := pop3test.StartDovecot(filepath.Join(dovecotTempDir(t), "dovecot"), nil)
			if err != nil {
				t.Errorf("StartDovecot #%d: %v", i, err)
				return
			}
			ds[i] = d
		})
	}
	wg.Wait()
	seen := make(map[string]bool)
	for i, d := range ds {
		if d == nil {
			continue
		}
		defer d.Stop()
		if seen[d.PlainAddr] || seen[d.TLSAddr] {
			t.Errorf("instance %d reuses a port: %s %s", i, d.PlainAddr, d.TLSAddr)
		}
		seen[d.PlainAddr], seen[d.TLSAddr] = true, true
		if err := d.Deliver("alice", fmt.Sprintf("only-%d", i), []byte("x\n")); err != nil {
			t.Fatal(err)
		}
	}
	for i, d := range ds {
		if d == nil {
			continue
		}
		files, err := d.MaildirFiles("alice")
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := files[fmt.Sprintf("only-%d", i)]; !ok || len(files) != 1 {
			t.Errorf("instance %d Maildir = %v, want only-%d", i, dovecotKeys(files), i)
		}
		if err := d.Stop(); err != nil {
			t.Errorf("Stop #%d: %v", i, err)
		}
	}
}

// dovecotTempDir returns a t.TempDir that Dovecot's unprivileged processes can
// traverse (NewDovecot does the same for its own directory).
func dovecotTempDir(t *testing.T) string {
	dir := t.TempDir()
	for _, p := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(p, 0o755); err != nil {
			t.Error(err)
		}
	}
	return dir
}

// dovecotFakeTB records Skip and Fatal instead of ending the test.
type dovecotFakeTB struct {
	testing.TB
	skipped, failed bool
	msg             string
}

func (f *dovecotFakeTB) Helper() {}

func (f *dovecotFakeTB) Skipf(format string, args ...any) {
	f.skipped, f.msg = true, fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (f *dovecotFakeTB) Fatalf(format string, args ...any) {
	f.failed, f.msg = true, fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (f *dovecotFakeTB) Fatal(args ...any) {
	f.failed, f.msg = true, fmt.Sprint(args...)
	runtime.Goexit()
}

func TestNewDovecotMissingBinary(t *testing.T) {
	for _, required := range []bool{false, true} {
		opts := &pop3test.DovecotOptions{Binary: filepath.Join(t.TempDir(), "no-such-dovecot"), Required: required}
		f := &dovecotFakeTB{TB: t}
		done := make(chan struct{})
		go func() {
			defer close(done)
			pop3test.NewDovecot(f, opts)
			t.Error("NewDovecot returned with a missing binary")
		}()
		<-done
		if f.failed != required || f.skipped == required {
			t.Errorf("Required=%v: skipped=%v failed=%v (%s), want a %s", required, f.skipped, f.failed, f.msg,
				map[bool]string{false: "skip", true: "failure"}[required])
		}
		if !strings.Contains(f.msg, "apt-get install dovecot-pop3d") {
			t.Errorf("message %q lacks the install hint", f.msg)
		}
	}
}
