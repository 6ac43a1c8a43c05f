package e2e

import (
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pouchmail/pouch/internal/testenv"
)

// TestWindowScreenshots starts the real window under X on mail fetched from Dovecot and saves
// screenshots: to $POUCH_SCREENSHOT_DIR when set (make screenshots), else a temp dir. Each picture
// is checked to show a window-sized, non-blank image.
func TestWindowScreenshots(t *testing.T) {
	if os.Getenv("DISPLAY") == "" {
		testenv.Missing(t, "XVFB", "no DISPLAY: run under scripts/with-xvfb (make test does)")
	}
	for _, tool := range []string{"xdotool", "import"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not installed (apt-get install xdotool imagemagick)", tool)
		}
	}
	d := testenv.Dovecot(t, nil)
	loadCorpus(t).deliver(t, d, "alice")
	c := newCLI(t)
	c.addAccount("Home", d.TLSAddr, "secret-pw", "--ca-file", d.CertFile)
	c.ok("", "fetch")

	dir := os.Getenv("POUCH_SCREENSHOT_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	shoot := func(w *window, name string) {
		t.Helper()
		shot := filepath.Join(dir, name)
		if out, err := exec.Command("import", "-window", "root", "-crop", "1280x800+0+0", "+repage", shot).CombinedOutput(); err != nil {
			t.Fatalf("import: %v %s", err, out)
		}
		checkScreenshot(t, shot)
		w.alive()
		t.Logf("screenshot: %s", shot)
	}

	// The main window with the newest message open, then a search.
	w := startWindow(t, c)
	w.click(420, 130) // the first row of the message list
	time.Sleep(1200 * time.Millisecond)
	shoot(w, "main-window.png")
	w.key("ctrl+f")
	w.xdo("type", "--delay", "30", "report")
	time.Sleep(1200 * time.Millisecond)
	w.click(420, 130)
	time.Sleep(1000 * time.Millisecond)
	shoot(w, "search.png")
	w.stop()

	// Preferences (a fresh window: the search field would keep the shortcut for itself).
	w = startWindow(t, c)
	w.key("ctrl+comma")
	time.Sleep(800 * time.Millisecond)
	shoot(w, "preferences.png")
	w.stop()

	// The account dialog, as someone adding an account sees it while typing.
	w = startWindow(t, c)
	w.key("ctrl+n")
	time.Sleep(800 * time.Millisecond)
	w.key("Tab")
	for _, s := range []string{"Bob Example", "bob@", "Office", "pop3://mail.example.org"} {
		w.xdo("type", "--delay", "20", s)
		w.key("Tab")
	}
	time.Sleep(800 * time.Millisecond)
	shoot(w, "account-dialog.png")
	w.stop()

	// An account whose server certificate this computer does not trust: the first check opens
	// the certificate dialog.
	c.addAccount("Office", d.TLSAddr, "secret-pw")
	w = startWindow(t, c)
	time.Sleep(2500 * time.Millisecond)
	shoot(w, "certificate-dialog.png")
	w.stop()
}

// window is a running Pouch window.
type window struct {
	t      *testing.T
	cmd    *exec.Cmd
	id     string
	logs   *syncBuffer
	cancel context.CancelFunc
	exited chan struct{} // closed once the process has exited
}

// syncBuffer collects a process's output while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func startWindow(t *testing.T, c *cli) *window {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	cmd := exec.CommandContext(ctx, pouchBin, "--data-dir", c.dataDir)
	cmd.Env = c.env
	logs := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	w := &window{t: t, cmd: cmd, logs: logs, cancel: cancel, exited: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(w.exited)
	}()
	t.Cleanup(w.stop)
	w.id = waitForWindow(t, ctx, "Pouch", w)
	w.xdo("windowsize", w.id, "1280", "800")
	w.xdo("windowmove", w.id, "0", "0")
	time.Sleep(2 * time.Second) // the first check and the list load settle
	return w
}

func (w *window) xdo(args ...string) {
	w.t.Helper()
	if out, err := exec.Command("xdotool", args...).CombinedOutput(); err != nil {
		w.t.Fatalf("xdotool %v: %v %s", args, err, out)
	}
}

func (w *window) click(x, y int) {
	w.t.Helper()
	w.xdo("mousemove", "--window", w.id, strconv.Itoa(x), strconv.Itoa(y))
	w.xdo("click", "1")
}

func (w *window) key(k string) {
	w.t.Helper()
	w.xdo("key", "--window", w.id, k)
}

// alive fails the test if the window has exited.
func (w *window) alive() {
	w.t.Helper()
	select {
	case <-w.exited:
		w.t.Fatalf("the window exited early:\n%s", w.logs.String())
	default:
	}
}

func (w *window) stop() {
	_ = w.cmd.Process.Kill()
	<-w.exited
	w.cancel()
}

func waitForWindow(t *testing.T, ctx context.Context, name string, w *window) string {
	t.Helper()
	for {
		out, err := exec.Command("xdotool", "search", "--onlyvisible", "--name", "^"+name+"$").Output()
		if err == nil {
			if ids := strings.Fields(string(out)); len(ids) > 0 {
				return ids[0]
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no %q window appeared; output:\n%s", name, w.logs.String())
		case <-w.exited:
			t.Fatalf("pouch exited before its %q window appeared; output:\n%s", name, w.logs.String())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// checkScreenshot makes sure the picture shows something: not blank, a window-sized image.
func checkScreenshot(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot %s: %v", path, err)
	}
	b := img.Bounds()
	if b.Dx() < 800 || b.Dy() < 500 {
		t.Fatalf("screenshot is %v, want about 1200x760", b)
	}
	colors := map[[3]uint32]bool{}
	for y := b.Min.Y; y < b.Max.Y; y += 7 {
		for x := b.Min.X; x < b.Max.X; x += 7 {
			r, g, bl, _ := img.At(x, y).RGBA()
			colors[[3]uint32{r >> 8, g >> 8, bl >> 8}] = true
		}
	}
	if len(colors) < 8 {
		t.Fatalf("screenshot looks blank (%d colours)", len(colors))
	}
}
