package engine

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gofrs/flock"

	"github.com/pouchmail/pouch/app/compose"
)

// One window per archive: the first Pouch window holds DATA/locks/window.lock (flock, dropped by
// the OS when the process dies) and listens on a loopback port for the next launch. The port and
// a random token go into DATA/locks/window.addr (0600, in the 0700 locks directory): only the
// user who can read the archive can ask the window for anything. Loopback TCP rather than a Unix
// socket or a named pipe, so that one code path works on every OS and any data-directory length.

// handOverTimeout bounds a second launch's wait for the first window: a window that just took
// the lock may not have written its address yet.
const handOverTimeout = 5 * time.Second

// maxWindowRequest bounds what a window reads from a second launch (a mailto: draft).
const maxWindowRequest = 1 << 20

// WindowOpenError is ClaimWindow's answer when another Pouch window has the archive open: that
// window was brought forward (and given the draft, if any); this launch should end.
type WindowOpenError struct{ Path string }

func (e *WindowOpenError) Error() string {
	return "Pouch is already open on this archive (" + e.Path + "): its window was brought forward"
}

// windowRequest is what a second launch sends: the token from window.addr and its draft.
type windowRequest struct {
	Token string           `json:"token"`
	Draft *compose.Message `json:"draft,omitempty"`
}

// ClaimWindow makes this process the archive's one window. It returns release (call it when the
// window quits); meanwhile every later launch on the same archive calls onRequest, from a
// goroutine of its own, with that launch's draft (nil for a plain start). When another window
// holds the archive, ClaimWindow hands draft to it and returns a *WindowOpenError.
func (e *Engine) ClaimWindow(ctx context.Context, draft *compose.Message, onRequest func(draft *compose.Message)) (release func(), err error) {
	dir := filepath.Join(e.dataDir(), "locks")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("window lock: %w", err)
	}
	fl := flock.New(filepath.Join(dir, "window.lock"), flock.SetPermissions(0o600))
	addrFile := filepath.Join(dir, "window.addr")
	ok, err := fl.TryLock()
	if err != nil {
		return nil, fmt.Errorf("window lock %s: %w", fl.Path(), err)
	}
	if !ok {
		if err := handOver(ctx, addrFile, draft); err != nil {
			return nil, err
		}
		return nil, &WindowOpenError{Path: e.dataDir()}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		_ = fl.Unlock()
		return nil, fmt.Errorf("window: listen for later launches: %w", err)
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	token := hex.EncodeToString(b)
	if err := writeFileAtomic(addrFile, []byte(ln.Addr().String()+" "+token+"\n")); err != nil {
		ln.Close()
		_ = fl.Unlock()
		return nil, fmt.Errorf("window: %w", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		serveWindow(ln, token, onRequest)
	}()
	return func() {
		ln.Close()
		<-done
		_ = os.Remove(addrFile)
		_ = fl.Unlock()
	}, nil
}

// serveWindow answers later launches until ln closes: one request each.
func serveWindow(ln net.Listener, token string, onRequest func(*compose.Message)) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		func() {
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(handOverTimeout))
			var req windowRequest
			if err := json.NewDecoder(io.LimitReader(c, maxWindowRequest)).Decode(&req); err != nil {
				return
			}
			if subtle.ConstantTimeCompare([]byte(req.Token), []byte(token)) != 1 {
				_, _ = io.WriteString(c, "denied\n")
				return
			}
			if onRequest != nil {
				onRequest(req.Draft)
			}
			_, _ = io.WriteString(c, "ok\n")
		}()
	}
}

// handOver gives the window that holds the lock this launch's draft, retrying while that
// window is still starting (no address yet, or an old one).
func handOver(ctx context.Context, addrFile string, draft *compose.Message) error {
	ctx, cancel := context.WithTimeout(ctx, handOverTimeout)
	defer cancel()
	var last error
	for {
		if last = sendWindowRequest(ctx, addrFile, draft); last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("another Pouch window holds this archive but does not answer: %w", last)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func sendWindowRequest(ctx context.Context, addrFile string, draft *compose.Message) error {
	b, err := os.ReadFile(addrFile)
	if err != nil {
		return err
	}
	addr, token, ok := strings.Cut(strings.TrimSpace(string(b)), " ")
	if !ok {
		return errors.New("window address file incomplete")
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = c.SetDeadline(dl)
	}
	if err := json.NewEncoder(c).Encode(windowRequest{Token: token, Draft: draft}); err != nil {
		return err
	}
	reply, err := bufio.NewReader(io.LimitReader(c, 64)).ReadString('\n')
	if err != nil {
		return err
	}
	if strings.TrimSpace(reply) != "ok" {
		return fmt.Errorf("the window answered %q", strings.TrimSpace(reply))
	}
	return nil
}

// writeFileAtomic writes a private file under a temporary name and renames it into place, so a
// reader sees the old content or the new, never half of it.
func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	return nil
}
