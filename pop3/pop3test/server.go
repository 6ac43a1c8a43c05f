// Package pop3test provides test helpers for POP3 clients: a scripted
// in-process server and self-signed TLS certificates.
package pop3test

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Step is one action of a Server's script.
type Step struct {
	desc     string
	run      func(s *session) error
	allowErr bool
}

// AllowError returns a copy of the step whose failure (say, a write to a
// client that has already hung up) ends the script quietly instead of
// failing the test, as does the server being closed while the script waits
// at this step.
func (st Step) AllowError() Step {
	st.allowErr = true
	return st
}

// String describes the step, for failure messages.
func (st Step) String() string { return st.desc }

// Send writes data exactly as given.
func Send(data string) Step {
	return Step{desc: fmt.Sprintf("Send(%.60q)", data), run: func(s *session) error {
		_, err := io.WriteString(s.conn, data)
		return err
	}}
}

// Reply writes each line followed by CRLF.
func Reply(lines ...string) Step {
	data := strings.Join(lines, "\r\n") + "\r\n"
	st := Send(data)
	st.desc = fmt.Sprintf("Reply(%.60q)", lines)
	return st
}

// Expect reads one CRLF-terminated line from the client and fails unless it
// equals line (given without CRLF).
func Expect(line string) Step {
	return expectLine(fmt.Sprintf("Expect(%q)", line), fmt.Sprintf("%q", line+"\r\n"),
		func(got string) bool { return got == line+"\r\n" })
}

// ExpectPrefix reads one CRLF-terminated line from the client and fails
// unless it starts with prefix, for commands with unpredictable arguments.
func ExpectPrefix(prefix string) Step {
	return expectLine(fmt.Sprintf("ExpectPrefix(%q)", prefix), fmt.Sprintf("a line starting with %q", prefix),
		func(got string) bool { return strings.HasPrefix(got, prefix) && strings.HasSuffix(got, "\r\n") })
}

func expectLine(desc, want string, ok func(got string) bool) Step {
	return Step{desc: desc, run: func(s *session) error {
		got, err := s.br.ReadString('\n')
		if err != nil {
			return fmt.Errorf("reading client line: %w (got %q so far)", err, got)
		}
		if !ok(got) {
			return fmt.Errorf("client sent %q, want %s", got, want)
		}
		return nil
	}}
}

// Exchange expects the command line cmd and answers with the reply lines,
// each followed by CRLF.
func Exchange(cmd string, reply ...string) Step {
	exp, rep := Expect(cmd), Reply(reply...)
	return Step{desc: fmt.Sprintf("Exchange(%q, %.60q)", cmd, reply), run: func(s *session) error {
		if err := exp.run(s); err != nil {
			return err
		}
		return rep.run(s)
	}}
}

// WriteFunc lets fn write to the connection, for large or generated replies.
func WriteFunc(fn func(w io.Writer) error) Step {
	return Step{desc: "WriteFunc", run: func(s *session) error {
		bw := bufio.NewWriter(s.conn)
		if err := fn(bw); err != nil {
			return err
		}
		return bw.Flush()
	}}
}

// Stall waits for d (or until the server is closed) without reading or
// writing, to simulate a server that stops answering.
func Stall(d time.Duration) Step {
	return Step{desc: fmt.Sprintf("Stall(%v)", d), run: func(s *session) error {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-s.srv.stop:
		}
		return nil
	}}
}

// Quiet fails if the client sends anything within d, for checking that a
// client waits for a reply (lockstep) or keeps to its pipelining window.
func Quiet(d time.Duration) Step {
	return Step{desc: fmt.Sprintf("Quiet(%v)", d), run: func(s *session) error {
		if n := s.br.Buffered(); n > 0 {
			b, _ := s.br.Peek(n)
			return fmt.Errorf("client sent %q, want nothing yet", b)
		}
		if err := s.conn.SetReadDeadline(time.Now().Add(d)); err != nil {
			return err
		}
		b, err := s.br.ReadByte()
		if derr := s.conn.SetReadDeadline(time.Time{}); derr != nil {
			return derr
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return nil
		}
		if err != nil {
			return err
		}
		return fmt.Errorf("client sent %q within %v, want nothing yet", b, d)
	}}
}

// Hangup closes the connection.
func Hangup() Step {
	return Step{desc: "Hangup", run: func(s *session) error {
		return s.conn.Close()
	}}
}

// Reset drops the connection with a TCP reset (RST) instead of an orderly
// close, as a crashed server or a middlebox does: the client's next write
// fails, while what was sent before the reset can still be read.
func Reset() Step {
	return Step{desc: "Reset", run: func(s *session) error {
		nc := s.conn
		if tc, ok := nc.(*tls.Conn); ok {
			nc = tc.NetConn()
		}
		if tcp, ok := nc.(*net.TCPConn); ok {
			if err := tcp.SetLinger(0); err != nil {
				return err
			}
		}
		return nc.Close()
	}}
}

// Trickle writes line(i)+CRLF for i = 1, 2, ... one every interval, until
// the client stops reading or the server is closed: a server that never
// stops but never goes silent long enough to time out a single read.
func Trickle(interval time.Duration, line func(i int) string) Step {
	return Step{desc: fmt.Sprintf("Trickle(%v)", interval), run: func(s *session) error {
		t := time.NewTicker(interval)
		defer t.Stop()
		for i := 1; ; i++ {
			if _, err := io.WriteString(s.conn, line(i)+"\r\n"); err != nil {
				return err
			}
			select {
			case <-t.C:
			case <-s.srv.stop:
				return nil
			}
		}
	}}
}

// Drip writes the chunks exactly as given, one every interval, and ends
// after the last: a reply that arrives slowly, steadily or not (one byte a
// chunk trickles a status line), without the server going silent.
func Drip(interval time.Duration, chunks ...string) Step {
	return Step{desc: fmt.Sprintf("Drip(%v, %d chunks)", interval, len(chunks)), run: func(s *session) error {
		for i, c := range chunks {
			if i > 0 {
				select {
				case <-time.After(interval):
				case <-s.srv.stop:
					return errors.New("server closed while dripping")
				}
			}
			if _, err := io.WriteString(s.conn, c); err != nil {
				return err
			}
		}
		return nil
	}}
}

// ExpectEOF waits until the client closes the connection and fails if it
// sends anything first.
func ExpectEOF() Step {
	return Step{desc: "ExpectEOF", run: func(s *session) error {
		b, err := s.br.ReadByte()
		if err == nil {
			rest := make([]byte, s.br.Buffered())
			s.br.Read(rest)
			return fmt.Errorf("client sent %q, want connection closed", append([]byte{b}, rest...))
		}
		return nil
	}}
}

// StartTLS performs the server side of a TLS handshake with cfg: as the first
// step for implicit TLS, or after answering STLS. It fails if the client sent
// anything after the STLS command and before the handshake.
func StartTLS(cfg *tls.Config) Step {
	return Step{desc: "StartTLS", run: func(s *session) error {
		if n := s.br.Buffered(); n > 0 {
			return fmt.Errorf("client sent %d bytes before the TLS handshake", n)
		}
		tc := tls.Server(s.conn, cfg)
		if err := tc.Handshake(); err != nil {
			return fmt.Errorf("TLS handshake: %w", err)
		}
		s.conn = tc
		s.br = bufio.NewReader(recorder{s.srv, tc})
		return nil
	}}
}

// Server is a POP3 server on 127.0.0.1 that accepts one connection and plays
// a script against it. When the script ends it keeps reading (and recording)
// until the client hangs up. Script failures are reported to the test when
// the server is closed, which happens automatically at the end of the test;
// so is a script that never ran to its end (the client did not get that
// far) unless the step it stopped at allows errors.
type Server struct {
	t     testing.TB
	ln    net.Listener
	steps []Step
	stop  chan struct{}
	done  chan struct{} // closed when the script has run
	exit  chan struct{} // closed when the connection goroutine has returned
	once  sync.Once

	mu   sync.Mutex
	conn net.Conn
	recv bytes.Buffer
	errs []error
	at   int // the step running; len(steps) once the script has ended
}

type session struct {
	srv  *Server
	conn net.Conn
	br   *bufio.Reader
}

type recorder struct {
	srv *Server
	r   io.Reader
}

func (r recorder) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.srv.mu.Lock()
	r.srv.recv.Write(p[:n])
	r.srv.mu.Unlock()
	return n, err
}

// NewServer starts a server that runs steps on the first connection.
func NewServer(t testing.TB, steps ...Step) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("pop3test: listen: %v", err)
	}
	s := &Server{
		t:     t,
		ln:    ln,
		steps: steps,
		stop:  make(chan struct{}),
		done:  make(chan struct{}),
		exit:  make(chan struct{}),
	}
	go s.serve()
	t.Cleanup(s.Close)
	return s
}

// Addr returns the "host:port" to dial.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// HostPort splits a "host:port" address, such as a server's Addr, for
// settings that keep the two apart. It panics on a malformed address.
func HostPort(addr string) (host string, port int) {
	host, p, err := net.SplitHostPort(addr)
	if err == nil {
		port, err = strconv.Atoi(p)
	}
	if err != nil {
		panic(fmt.Sprintf("pop3test: address %q: %v", addr, err))
	}
	return host, port
}

// Received returns a copy of every byte the client has sent so far
// (decrypted, for TLS).
func (s *Server) Received() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.recv.Bytes())
}

// Wait blocks until the script has run to its end (or failed).
func (s *Server) Wait() {
	<-s.done
}

// Close stops the server, drops the connection and reports script failures
// to the test.
func (s *Server) Close() {
	s.once.Do(func() {
		close(s.stop)
		s.ln.Close()
		s.mu.Lock()
		if s.conn != nil {
			s.conn.Close()
		}
		s.mu.Unlock()
		<-s.exit
		for _, err := range s.errs {
			s.t.Errorf("pop3test: %v", err)
		}
		if len(s.errs) == 0 && s.at < len(s.steps) {
			s.t.Errorf("pop3test: script stopped at step %d %v of %d: the client never got there", s.at, s.steps[s.at], len(s.steps))
		}
	})
}

func (s *Server) serve() {
	defer close(s.exit)
	defer func() {
		select {
		case <-s.done:
		default:
			close(s.done)
		}
	}()
	conn, err := s.ln.Accept()
	if err != nil {
		return // closed before a client came
	}
	s.mu.Lock()
	s.conn = conn
	s.mu.Unlock()
	sess := &session{srv: s, conn: conn, br: bufio.NewReader(recorder{s, conn})}
	defer func() { sess.conn.Close() }()
	for i, st := range s.steps {
		s.mu.Lock()
		s.at = i
		s.mu.Unlock()
		if err := st.run(sess); err != nil {
			s.mu.Lock()
			select {
			case <-s.stop: // closed by the test: reported as unfinished
			default:
				if !st.allowErr {
					s.errs = append(s.errs, fmt.Errorf("step %d %v: %w", i, st, err))
				}
			}
			if st.allowErr {
				s.at = len(s.steps)
			}
			s.mu.Unlock()
			return
		}
	}
	s.mu.Lock()
	s.at = len(s.steps)
	s.mu.Unlock()
	close(s.done)
	io.Copy(io.Discard, sess.br) // record anything else until the client hangs up
}

// NewTLSCert returns a self-signed certificate, valid now for a day, for the
// given host names and IP addresses (default: localhost, 127.0.0.1 and ::1),
// and the certificate in PEM form, which can be put into a RootCAs pool to
// trust it. It panics if key generation fails.
func NewTLSCert(hosts ...string) (tls.Certificate, []byte) {
	now := time.Now()
	return NewTLSCertValidity(now.Add(-time.Hour), now.Add(24*time.Hour), hosts...)
}

// NewTLSCertValidity is NewTLSCert with an explicit validity period, for
// testing expired or not-yet-valid certificates.
func NewTLSCertValidity(notBefore, notAfter time.Time, hosts ...string) (tls.Certificate, []byte) {
	if len(hosts) == 0 {
		hosts = []string{"localhost", "127.0.0.1", "::1"}
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(fmt.Sprintf("pop3test: generating key: %v", err))
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		panic(fmt.Sprintf("pop3test: serial: %v", err))
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: hosts[0], Organization: []string{"pop3test"}},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true, // so the certificate itself can be a trusted root
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(fmt.Sprintf("pop3test: creating certificate: %v", err))
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		panic(fmt.Sprintf("pop3test: parsing certificate: %v", err))
	}
	cert := tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
	return cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// CertPool returns a pool holding the PEM certificates, for tls.Config.RootCAs.
func CertPool(certPEM []byte) *x509.CertPool {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(certPEM) {
		panic(errors.New("pop3test: no certificate in PEM"))
	}
	return pool
}
