// Package submittest runs a real SMTP submission server for tests: aiosmtpd (Debian's
// python3-aiosmtpd, run by /usr/bin/python3) with STARTTLS and implicit TLS listeners, a
// password check, and delivery into a Maildir (the test Dovecot user's, so that a message
// sent by Pouch can be fetched back over POP3).
package submittest

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pouchmail/pouch/pop3/pop3test"
)

//go:embed smtpd.py
var script []byte

// RequireEnv turns a missing aiosmtpd from a skipped test into a failed one (value "1").
const RequireEnv = "POUCH_REQUIRE_SMTPD"

// Python is the interpreter with Debian's aiosmtpd; the python3 on PATH may be another one.
const Python = "/usr/bin/python3"

// InstallHint says how to get the server.
const InstallHint = "install it with: apt-get install python3-aiosmtpd"

// Options configure a server; nil means the defaults.
type Options struct {
	User, Password string // default "alice" / "secret-pw"
	Token          string // a bearer token XOAUTH2 accepts for User; "" = XOAUTH2 refuses all
	// Maildir receives accepted messages (its new/ and tmp/ must exist); "" = one of its own.
	Maildir string
	// UID and GID own delivered files when Chown is set (a Dovecot mail user, as root).
	UID, GID int
	Chown    bool
	Size     int // the SIZE limit; 0 = 10 MiB
}

// Server is a running aiosmtpd.
type Server struct {
	Dir          string
	StartTLSPort int
	TLSPort      int
	CertPEM      []byte
	CertFile     string
	Maildir      string
	User         string
	Password     string
	cmd          *exec.Cmd
	control      string
	log          string
	stderr       *bytes.Buffer
}

// Delivery is one line of the server's log: a message accepted (File set) or refused.
type Delivery struct {
	File      string   `json:"file"`
	Refused   string   `json:"refused"`
	MailFrom  string   `json:"mail_from"`
	RcptTos   []string `json:"rcpt_tos"`
	Login     string   `json:"login"`
	Mechanism string   `json:"mechanism"`
	TLS       bool     `json:"tls"`
	Size      int      `json:"size"`
}

// Start runs a server for the test's life. Without /usr/bin/python3 and aiosmtpd the test is
// skipped, or fails when POUCH_REQUIRE_SMTPD=1.
func Start(t testing.TB, opts *Options) *Server {
	t.Helper()
	if opts == nil {
		opts = &Options{}
	}
	if err := exec.Command(Python, "-c", "import aiosmtpd").Run(); err != nil {
		msg := fmt.Sprintf("submittest: %s cannot import aiosmtpd (%v); %s", Python, err, InstallHint)
		if os.Getenv(RequireEnv) == "1" {
			t.Fatalf("%s (%s=1 requires it)", msg, RequireEnv)
		}
		t.Skip(msg)
	}
	s, err := start(t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Stop()
		if t.Failed() {
			t.Logf("smtpd stderr:\n%s", s.stderr.String())
		}
	})
	return s
}

func start(dir string, opts *Options) (*Server, error) {
	s := &Server{Dir: dir, User: opts.User, Password: opts.Password, Maildir: opts.Maildir,
		control: filepath.Join(dir, "control"), log: filepath.Join(dir, "deliveries.jsonl"), stderr: &bytes.Buffer{}}
	if s.User == "" {
		s.User = "alice"
	}
	if s.Password == "" {
		s.Password = "secret-pw"
	}
	if s.Maildir == "" {
		s.Maildir = filepath.Join(dir, "Maildir")
		for _, sub := range []string{"new", "tmp", "cur"} {
			if err := os.MkdirAll(filepath.Join(s.Maildir, sub), 0o700); err != nil {
				return nil, err
			}
		}
	}
	if err := os.MkdirAll(s.control, 0o700); err != nil {
		return nil, err
	}
	certPEM, keyPEM, err := pop3test.SelfSignedCert()
	if err != nil {
		return nil, err
	}
	s.CertPEM, s.CertFile = certPEM, filepath.Join(dir, "cert.pem")
	keyFile := filepath.Join(dir, "key.pem")
	scriptFile := filepath.Join(dir, "smtpd.py")
	for name, data := range map[string][]byte{s.CertFile: certPEM, keyFile: keyPEM, scriptFile: script} {
		if err := os.WriteFile(name, data, 0o600); err != nil {
			return nil, err
		}
	}
	ports, err := pop3test.FreePorts(2)
	if err != nil {
		return nil, err
	}
	s.StartTLSPort, s.TLSPort = ports[0], ports[1]
	size := opts.Size
	if size == 0 {
		size = 10 << 20
	}
	args := []string{scriptFile, "--starttls-port", strconv.Itoa(s.StartTLSPort), "--tls-port", strconv.Itoa(s.TLSPort),
		"--cert", s.CertFile, "--key", keyFile, "--user", s.User, "--password", s.Password, "--token", opts.Token,
		"--maildir", s.Maildir, "--log", s.log, "--control", s.control, "--size", strconv.Itoa(size)}
	if opts.Chown {
		args = append(args, "--uid", strconv.Itoa(opts.UID), "--gid", strconv.Itoa(opts.GID))
	}
	s.cmd = exec.Command(Python, args...)
	s.cmd.Stderr = s.stderr
	s.cmd.SysProcAttr = ownGroup()
	out, err := s.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("submittest: start %s: %w", Python, err)
	}
	ready := make(chan error, 1)
	go func() {
		line, err := bufio.NewReader(out).ReadString('\n')
		if err == nil && strings.TrimSpace(line) != "READY" {
			err = fmt.Errorf("unexpected output %q", line)
		}
		ready <- err
	}()
	select {
	case err = <-ready:
	case <-time.After(20 * time.Second):
		err = errors.New("not ready after 20s")
	}
	if err != nil {
		s.Stop()
		return nil, fmt.Errorf("submittest: aiosmtpd: %v\n%s", err, s.stderr.String())
	}
	return s, nil
}

// Stop ends the server.
func (s *Server) Stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
	s.cmd = nil
}

// ReplyNext makes the server answer the end of the next message with reply (e.g. "451 4.3.0
// try again later") instead of accepting it.
func (s *Server) ReplyNext(reply string) error {
	return os.WriteFile(filepath.Join(s.control, "data-reply"), []byte(reply+"\n"), 0o600)
}

// HangNext makes the server never answer the end of the next message.
func (s *Server) HangNext() error {
	return os.WriteFile(filepath.Join(s.control, "hang"), nil, 0o600)
}

// Deliveries returns the server's log so far.
func (s *Server) Deliveries() ([]Delivery, error) {
	b, err := os.ReadFile(s.log)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Delivery
	for _, l := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
		if len(l) == 0 {
			continue
		}
		var d Delivery
		if err := json.Unmarshal(l, &d); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// Accepted returns the deliveries that were accepted.
func (s *Server) Accepted() ([]Delivery, error) {
	all, err := s.Deliveries()
	var out []Delivery
	for _, d := range all {
		if d.File != "" {
			out = append(out, d)
		}
	}
	return out, err
}
