package engine_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pouchmail/pouch/app/compose"
	"github.com/pouchmail/pouch/app/engine"
)

// TestOneWindowPerArchive: a second window on the same archive hands its draft to the first
// and stops; once the first quits, the next launch is the window; another archive has its own.
func TestOneWindowPerArchive(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	first := newFixture(t, fixtureOptions{dataDir: dir}).e
	second := newFixture(t, fixtureOptions{dataDir: dir}).e

	got := make(chan *compose.Message, 2)
	release, err := first.ClaimWindow(ctx, nil, func(d *compose.Message) { got <- d })
	if err != nil {
		t.Fatalf("first ClaimWindow() = %v", err)
	}
	// A plain second launch raises the first window.
	var open *engine.WindowOpenError
	if _, err := second.ClaimWindow(ctx, nil, nil); !errors.As(err, &open) {
		t.Fatalf("second ClaimWindow() = %v, want a *WindowOpenError", err)
	}
	if d := <-got; d != nil {
		t.Errorf("plain launch handed over %+v, want no draft", d)
	}
	// A mailto: launch hands its draft over.
	draft := &compose.Message{Subject: "Hello", To: []*compose.Address{{Address: "ann@example.org"}}, Text: "Hi"}
	if _, err := second.ClaimWindow(ctx, draft, nil); !errors.As(err, &open) {
		t.Fatalf("mailto ClaimWindow() = %v, want a *WindowOpenError", err)
	}
	select {
	case d := <-got:
		if d == nil || d.Subject != "Hello" || len(d.To) != 1 || d.To[0].Address != "ann@example.org" || d.Text != "Hi" {
			t.Errorf("handed-over draft = %+v", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the first window was not asked")
	}
	// Without the token from the private file, the window does nothing.
	b, err := os.ReadFile(filepath.Join(dir, "locks", "window.addr"))
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "locks", "window.addr")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("window.addr mode = %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	addr, _, _ := strings.Cut(strings.TrimSpace(string(b)), " ")
	if err := engine.SendWindowRequest(ctx, addr, "not-the-token"); err == nil {
		t.Error("a request without the token was answered ok")
	}
	select {
	case d := <-got:
		t.Errorf("a request without the token reached the window: %+v", d)
	case <-time.After(100 * time.Millisecond):
	}

	release()
	release2, err := second.ClaimWindow(ctx, nil, nil)
	if err != nil {
		t.Fatalf("ClaimWindow() after the first quit = %v", err)
	}
	defer release2()
	// Another archive is another window.
	other := newFixture(t, fixtureOptions{}).e
	release3, err := other.ClaimWindow(ctx, nil, nil)
	if err != nil {
		t.Fatalf("ClaimWindow() on another archive = %v", err)
	}
	release3()
}
