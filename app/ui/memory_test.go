package ui

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/pouchmail/pouch/app/cli"
	"github.com/pouchmail/pouch/app/compose"
	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/app/secrets"
	"github.com/pouchmail/pouch/internal/procmem"
)

// windowMemoryDir names the archive directory TestWindowMemoryProcess opens.
const windowMemoryDir = "POUCH_WINDOW_MEMORY_DIR"

// TestWindowMemoryProcess is bench/window's measurement through Fyne's test driver, not a test:
// bench/window runs this package's test binary with $POUCH_WINDOW_MEMORY_DIR set, one process
// per archive. The window starts as `pouch` starts it (cli.Main: the window's SQLite cache and
// GOGC, Run's poller and idle release), at 1280×800, painted by the test driver's software
// painter instead of OpenGL; it searches for "something" as the real-window run does, and
// prints the resident set once it has settled with the list shown and after the search.
func TestWindowMemoryProcess(t *testing.T) {
	dir := os.Getenv(windowMemoryDir)
	if dir == "" {
		t.Skip("run by bench/window, with $" + windowMemoryDir)
	}
	ctx := context.Background()
	var report string
	code := cli.Main(ctx, cli.Env{
		Args:    []string{"--data-dir", dir},
		Stdout:  os.Stdout,
		Stderr:  os.Stderr,
		Secrets: secrets.NewMemory(),
		OpenWindow: func(ctx context.Context, e *engine.Engine, _ *compose.Message) error {
			var err error
			report, err = measureWindow(t, ctx, e)
			return err
		},
	})
	if code != 0 {
		t.Fatalf("cli.Main: exit %d", code)
	}
	fmt.Println(report)
}

// measureWindow opens the window as Run does, on the test driver, and returns the figures, in
// MiB, as "window-memory open=… searched=… peak=… anon=…".
func measureWindow(t *testing.T, ctx context.Context, e *engine.Engine) (string, error) {
	a := test.NewApp()
	q := newQueue(t)
	var m *mainWindow
	var p *engine.Poller
	q.wait(func() {
		m, p = newPolledWindow(ctx, a, e, q.do)
		m.window.Resize(fyne.NewSize(1280, 800))
		m.window.Show()
	})
	defer m.bridge.idle.stop()
	p.Start(ctx)
	defer p.Stop()
	defer q.wait(m.window.Close)
	f := &fixture{w: m, q: q}
	paint := func() { q.wait(func() { _ = m.window.Canvas().Capture() }) }
	// The first paint asks for the rows on screen; the second draws them.
	f.eventually(t, "the folder listed", func() bool { return m.rows.len() > 0 })
	paint()
	f.eventually(t, "the first rows", func() bool { return m.rows.row(0) != nil })
	paint()
	open, err := procmem.Settle(0, 3*time.Second, time.Minute)
	if err != nil {
		return "", err
	}
	q.wait(func() { test.Type(m.search, "something") })
	f.eventually(t, "the search's results", func() bool {
		return m.query == "something" && strings.Contains(m.status.Text, "something") && m.rows.row(0) != nil
	})
	paint()
	searched, err := procmem.Settle(0, 3*time.Second, time.Minute)
	if err != nil {
		return "", err
	}
	peak, err := procmem.Status(0, "VmHWM")
	if err != nil {
		return "", err
	}
	anon, err := procmem.Status(0, "RssAnon")
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("window-memory open=%.1f searched=%.1f peak=%.1f anon=%.1f", open, searched, peak, anon), nil
}
