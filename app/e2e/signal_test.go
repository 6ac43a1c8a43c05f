package e2e

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pouchmail/pouch/pop3/pop3test"
)

// silentServer greets, reads the client's first command and never answers. Its script fails
// the test if the client sends anything more, DELE or QUIT included, before it hangs up.
func silentServer(t *testing.T) *pop3test.Server {
	return pop3test.NewServer(t, pop3test.Reply("+OK silent POP3 server ready"), pop3test.ExpectPrefix(""), pop3test.ExpectEOF())
}

// startFetch starts `pouch fetch` against the silent server and returns once the server has
// received the first command (the client is then waiting for a reply that never comes).
func startFetch(t *testing.T, c *cli, s *pop3test.Server) (*exec.Cmd, *syncBuffer, <-chan error) {
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
	for deadline := time.Now().Add(30 * time.Second); len(s.Received()) == 0; time.Sleep(20 * time.Millisecond) {
		select {
		case err := <-done:
			t.Fatalf("pouch fetch ended before talking to the server: %v; stderr %q", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatal("pouch fetch sent nothing to the server")
		}
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
// within a few seconds, through the close-without-QUIT path (the server's script sees the
// connection close with no further command); the exit status is 128 + the signal's number.
func TestSignalStopsFetch(t *testing.T) {
	for _, tc := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGTERM, 143}, {syscall.SIGINT, 130}} {
		t.Run(tc.sig.String(), func(t *testing.T) {
			s := silentServer(t)
			c := newCLI(t)
			c.addAccount("home", s.Addr(), "pw", "--security", "none")
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
		})
	}
}

// TestSecondSignalExitsAtOnce: two signals in a row end pouch with the signal's status
// straight away.
func TestSecondSignalExitsAtOnce(t *testing.T) {
	s := silentServer(t)
	c := newCLI(t)
	c.addAccount("home", s.Addr(), "pw", "--security", "none")
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
