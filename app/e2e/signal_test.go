package e2e

import (
	"bufio"
	"bytes"
	"errors"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// silentServer accepts POP3 connections, sends the greeting and then reads whatever the client
// sends without ever answering. It records the commands it received.
type silentServer struct {
	ln   net.Listener
	mu   sync.Mutex
	cmds []string
	got  chan struct{} // a command arrived
}

func newSilentServer(t *testing.T) *silentServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &silentServer{ln: ln, got: make(chan struct{}, 100)}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
			go s.serve(c)
		}
	}()
	return s
}

func (s *silentServer) serve(c net.Conn) {
	if _, err := c.Write([]byte("+OK silent POP3 server ready\r\n")); err != nil {
		return
	}
	r := bufio.NewScanner(c)
	for r.Scan() {
		s.mu.Lock()
		verb, _, _ := strings.Cut(r.Text(), " ")
		s.cmds = append(s.cmds, strings.ToUpper(verb))
		s.mu.Unlock()
		select {
		case s.got <- struct{}{}:
		default:
		}
	}
}

func (s *silentServer) commands() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.cmds...)
}

// startFetch starts `pouch fetch` against the silent server and returns once the server has
// received the first command (the client is then waiting for a reply that never comes).
func startFetch(t *testing.T, c *cli, s *silentServer) (*exec.Cmd, *syncBuffer, <-chan error) {
	t.Helper()
	cmd := exec.Command(pouchBin, "--data-dir", c.dataDir, "fetch")
	cmd.Env = c.env
	var stderr syncBuffer
	cmd.Stdout, cmd.Stderr = &bytes.Buffer{}, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-s.got:
	case err := <-done:
		t.Fatalf("pouch fetch ended before talking to the server: %v; stderr %q", err, stderr.String())
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("pouch fetch sent nothing to the server")
	}
	return cmd, &stderr, done
}

func exitCode(t *testing.T, err error) int {
	t.Helper()
	var ee *exec.ExitError
	if err == nil {
		return 0
	}
	if !errors.As(err, &ee) {
		t.Fatalf("waiting for pouch: %v", err)
	}
	return ee.ExitCode()
}

// TestSignalStopsFetch: SIGTERM or SIGINT ends a fetch blocked on a server that never answers,
// within a few seconds, through the close-without-QUIT path; the exit status is 128 + the
// signal's number.
func TestSignalStopsFetch(t *testing.T) {
	for _, tc := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGTERM, 143}, {syscall.SIGINT, 130}} {
		t.Run(tc.sig.String(), func(t *testing.T) {
			s := newSilentServer(t)
			c := newCLI(t)
			c.addAccount("home", s.ln.Addr().String(), "pw", "--security", "none")
			cmd, stderr, done := startFetch(t, c, s)
			// Let the client settle into its wait for the reply.
			time.Sleep(300 * time.Millisecond)
			start := time.Now()
			if err := cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			var err error
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				_ = cmd.Process.Kill()
				<-done
				t.Fatalf("pouch fetch still running 10 s after %v; stderr %q", tc.sig, stderr.String())
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("pouch fetch took %v to stop after %v, want a few seconds at most", d, tc.sig)
			}
			if code := exitCode(t, err); code != tc.code {
				t.Errorf("exit status after %v = %d, want %d; stderr %q", tc.sig, code, tc.code, stderr.String())
			}
			if !strings.Contains(stderr.String(), "stopping") {
				t.Errorf("stderr = %q, want a line saying it is stopping", stderr.String())
			}
			for _, cmd := range s.commands() {
				if cmd == "DELE" || cmd == "QUIT" {
					t.Errorf("the server received %s from an interrupted session (commands %q)", cmd, s.commands())
				}
			}
		})
	}
}

// TestSecondSignalExitsAtOnce: two signals in a row end pouch with the signal's status
// straight away.
func TestSecondSignalExitsAtOnce(t *testing.T) {
	s := newSilentServer(t)
	c := newCLI(t)
	c.addAccount("home", s.ln.Addr().String(), "pw", "--security", "none")
	cmd, stderr, done := startFetch(t, c, s)
	for range 2 {
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	select {
	case err := <-done:
		if code := exitCode(t, err); code != 143 {
			t.Errorf("exit status = %d, want 143; stderr %q", code, stderr.String())
		}
	case <-time.After(5 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("pouch still running 5 s after two signals; stderr %q", stderr.String())
	}
}
