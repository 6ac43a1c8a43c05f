package submit_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pouchmail/pouch/app/submit"
	"github.com/pouchmail/pouch/app/submit/submittest"
)

func config(t *testing.T, s *submittest.Server, security string) submit.Config {
	t.Helper()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(s.CertPEM) {
		t.Fatal("bad test certificate")
	}
	port := s.TLSPort
	if security == submit.SecurityStartTLS {
		port = s.StartTLSPort
	}
	return submit.Config{Host: "127.0.0.1", Port: port, Security: security, TLS: &tls.Config{RootCAs: pool},
		Username: s.User, Secret: s.Password, Timeout: 10 * time.Second}
}

const msg = "From: alice@example.org\r\nTo: bob@example.net\r\nSubject: hi\r\n\r\n.leading dot\r\nbody\r\n"

func send(t *testing.T, cfg submit.Config, beforeEnd func() error) (string, error) {
	t.Helper()
	ctx := context.Background()
	cl, err := submit.Dial(ctx, cfg)
	if err != nil {
		return "", err
	}
	defer cl.Close()
	if err := cl.Auth(ctx); err != nil {
		return "", err
	}
	return cl.Send(ctx, "alice@example.org", []string{"bob@example.net", "hidden@example.com"}, []byte(msg), beforeEnd)
}

func TestSubmitToAiosmtpd(t *testing.T) {
	s := submittest.Start(t, &submittest.Options{Token: "tok-123"})
	cases := []struct{ security, mech string }{
		{submit.SecurityTLS, ""}, {submit.SecurityStartTLS, ""},
		{submit.SecurityStartTLS, "PLAIN"}, {submit.SecurityTLS, "LOGIN"}, {submit.SecurityTLS, "XOAUTH2"},
	}
	for i, c := range cases {
		cfg := config(t, s, c.security)
		cfg.Mechanism = c.mech
		if c.mech == "XOAUTH2" {
			cfg.Secret, cfg.Bearer = "tok-123", true
		}
		called := false
		reply, err := send(t, cfg, func() error { called = true; return nil })
		if err != nil {
			t.Fatalf("%s %s: %v", c.security, c.mech, err)
		}
		if !called || !strings.Contains(reply, "queued as") {
			t.Errorf("%s %s: beforeEnd called %v, reply %q", c.security, c.mech, called, reply)
		}
		got, _ := s.Accepted()
		if len(got) != i+1 {
			t.Fatalf("accepted %d, want %d", len(got), i+1)
		}
		d := got[i]
		want := c.mech
		if want == "" {
			want = "CRAM-MD5" // the strongest offered
		}
		if d.Mechanism != want || d.Login != "alice" || d.MailFrom != "alice@example.org" || len(d.RcptTos) != 2 {
			t.Errorf("%s %s: delivery %+v", c.security, c.mech, d)
		}
		b, err := os.ReadFile(filepath.Join(s.Maildir, "new", d.File))
		if err != nil || !strings.Contains(string(b), "\n.leading dot\nbody\n") {
			t.Errorf("delivered %q, %v", b, err)
		}
	}
}

func TestSubmitRefusals(t *testing.T) {
	s := submittest.Start(t, &submittest.Options{Size: 4096})
	cfg := config(t, s, submit.SecurityStartTLS)

	bad := cfg
	bad.Secret = "wrong"
	_, err := send(t, bad, nil)
	var se *submit.ServerError
	if !errors.As(err, &se) || !se.AuthFailed() || se.Temporary() {
		t.Errorf("wrong password: %v", err)
	}
	if strings.Contains(err.Error(), "wrong") {
		t.Errorf("the error shows the password: %v", err)
	}

	s.ReplyNext("451 4.3.0 try again later")
	_, err = send(t, cfg, nil)
	if !errors.As(err, &se) || !se.Temporary() || se.Text != "try again later" || se.Enhanced != "4.3.0" {
		t.Errorf("451: %#v", err)
	}
	s.ReplyNext("550 5.7.1 rejected by policy")
	_, err = send(t, cfg, nil)
	if !errors.As(err, &se) || se.Temporary() || se.Code != 550 || !strings.Contains(err.Error(), "rejected by policy") {
		t.Errorf("550: %v", err)
	}

	// The end of the message goes out, no answer comes: uncertain.
	s.HangNext()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	cl, err := submit.Dial(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := cl.Auth(ctx); err != nil {
		t.Fatal(err)
	}
	_, err = cl.Send(ctx, "alice@example.org", []string{"bob@example.net"}, []byte(msg), nil)
	var ue *submit.UncertainError
	if !errors.As(err, &ue) {
		t.Errorf("hang: %v, want *UncertainError", err)
	}
	cl.Abort()

	// Refused before the end: beforeEnd fails, no final dot, nothing delivered.
	before, _ := s.Accepted()
	_, err = send(t, cfg, func() error { return errors.New("disk full") })
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("beforeEnd error: %v", err)
	}
	time.Sleep(200 * time.Millisecond)
	if after, _ := s.Accepted(); len(after) != len(before) {
		t.Errorf("a message without its final dot was delivered")
	}

	// SIZE.
	ctx2 := context.Background()
	cl, err = submit.Dial(ctx2, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if n, ok := cl.MaxSize(); !ok || n != 4096 {
		t.Errorf("MaxSize = %d %v", n, ok)
	}
	_, err = cl.Send(ctx2, "alice@example.org", []string{"b@example.net"}, make([]byte, 5000), nil)
	var tl *submit.TooLargeError
	if !errors.As(err, &tl) || tl.Limit != 4096 {
		t.Errorf("too large: %v", err)
	}
}

func TestSubmitTrust(t *testing.T) {
	s := submittest.Start(t, nil)
	for _, sec := range []string{submit.SecurityTLS, submit.SecurityStartTLS} {
		cfg := config(t, s, sec)
		cfg.TLS = nil // system roots only
		_, err := submit.Dial(context.Background(), cfg)
		var te *submit.TLSError
		if !errors.As(err, &te) || te.Kind != submit.TLSUnknownAuthority || len(te.Certificates) == 0 {
			t.Errorf("%s: untrusted certificate: %v", sec, err)
		}
		block, _ := pem.Decode(s.CertPEM)
		sum := sha256.Sum256(block.Bytes)
		cfg.PinnedSHA256 = hex.EncodeToString(sum[:])
		if _, err := send(t, cfg, nil); err != nil {
			t.Errorf("%s: pinned: %v", sec, err)
		}
		cfg.PinnedSHA256 = strings.Repeat("ab", 32)
		if _, err = submit.Dial(context.Background(), cfg); !errors.As(err, &te) || te.Kind != submit.TLSPinMismatch {
			t.Errorf("%s: other pin: %v", sec, err)
		}
	}
}

// hostile is a server that offers no STARTTLS (stripped by someone in the middle) and records
// everything the client sends.
func hostile(t *testing.T, script func(w *bufio.Writer, r *bufio.Reader)) (addr string, got func() string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var mu sync.Mutex
	var rec strings.Builder
	done := make(chan struct{})
	go func() {
		defer close(done)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(5 * time.Second))
		tee := io.TeeReader(c, writerFunc(func(p []byte) { mu.Lock(); rec.Write(p); mu.Unlock() }))
		script(bufio.NewWriter(c), bufio.NewReader(tee))
		io.Copy(io.Discard, tee)
	}()
	return ln.Addr().String(), func() string {
		<-done
		mu.Lock()
		defer mu.Unlock()
		return rec.String()
	}
}

type writerFunc func([]byte)

func (f writerFunc) Write(p []byte) (int, error) { f(p); return len(p), nil }

func reply(w *bufio.Writer, s string) { w.WriteString(s); w.Flush() }

func TestSTARTTLSStrippedRefused(t *testing.T) {
	addr, got := hostile(t, func(w *bufio.Writer, r *bufio.Reader) {
		reply(w, "220 mitm ESMTP\r\n")
		r.ReadString('\n') // EHLO
		reply(w, "250-mitm\r\n250-AUTH PLAIN LOGIN\r\n250 SIZE 1000\r\n")
		// Whatever comes next is read and recorded.
	})
	host, port, _ := net.SplitHostPort(addr)
	cfg := submit.Config{Host: host, Security: submit.SecurityStartTLS, Username: "alice", Secret: "secret-pw", Timeout: 3 * time.Second}
	cfg.Port = atoi(port)
	_, err := submit.Dial(context.Background(), cfg)
	if !errors.Is(err, submit.ErrSTARTTLSUnavailable) {
		t.Fatalf("Dial = %v, want ErrSTARTTLSUnavailable", err)
	}
	sent := got()
	if strings.Contains(strings.ToUpper(sent), "AUTH") || strings.Contains(sent, "secret-pw") || strings.Contains(sent, "MAIL") {
		t.Errorf("sent in plain text: %q", sent)
	}
	if sent != "EHLO localhost\r\nQUIT\r\n" {
		t.Errorf("client sent %q, want only EHLO and QUIT", sent)
	}
}

func TestSTARTTLSRefusedOrInjected(t *testing.T) {
	for name, after := range map[string]string{
		"refused":  "454 4.7.0 TLS not available\r\n",
		"injected": "220 go ahead\r\n250 injected\r\n",
	} {
		addr, got := hostile(t, func(w *bufio.Writer, r *bufio.Reader) {
			reply(w, "220 mitm ESMTP\r\n")
			r.ReadString('\n')
			reply(w, "250-mitm\r\n250 STARTTLS\r\n")
			r.ReadString('\n')
			reply(w, after)
		})
		host, port, _ := net.SplitHostPort(addr)
		cfg := submit.Config{Host: host, Port: atoi(port), Security: submit.SecurityStartTLS, Username: "a", Secret: "secret-pw", Timeout: 3 * time.Second}
		_, err := submit.Dial(context.Background(), cfg)
		var pe *submit.ProtocolError
		if err == nil || (name == "refused" && !errors.Is(err, submit.ErrSTARTTLSUnavailable)) || (name == "injected" && !errors.As(err, &pe)) {
			t.Errorf("%s: Dial = %v", name, err)
		}
		if sent := got(); strings.Contains(sent, "secret-pw") || strings.Contains(sent, "AUTH") {
			t.Errorf("%s: sent %q", name, sent)
		}
	}
}

func TestChoose(t *testing.T) {
	for _, c := range []struct {
		offered []string
		forced  string
		bearer  bool
		want    string
	}{
		{[]string{"LOGIN", "PLAIN"}, "", false, "PLAIN"},
		{[]string{"LOGIN", "PLAIN", "CRAM-MD5"}, "", false, "CRAM-MD5"},
		{[]string{"LOGIN"}, "", false, "LOGIN"},
		{[]string{"PLAIN", "OAUTHBEARER", "XOAUTH2"}, "", true, "XOAUTH2"},
		{[]string{"PLAIN", "OAUTHBEARER"}, "", true, "OAUTHBEARER"},
		{[]string{"PLAIN", "LOGIN"}, "LOGIN", false, "LOGIN"},
		{[]string{"PLAIN"}, "", true, ""},
		{[]string{"PLAIN"}, "CRAM-MD5", false, ""},
		{nil, "", false, ""},
	} {
		got, err := submit.Choose(c.offered, c.forced, c.bearer)
		if got != c.want || (c.want == "" && !errors.Is(err, submit.ErrMechanismUnsupported)) {
			t.Errorf("Choose(%v, %q, %v) = %q, %v; want %q", c.offered, c.forced, c.bearer, got, err, c.want)
		}
	}
}

func atoi(s string) int {
	n := 0
	for _, r := range s {
		n = n*10 + int(r-'0')
	}
	return n
}
