package e2e

import (
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pouchmail/pouch/pop3/pop3test"
)

// TestWindowScreenshot opens the real window under X on fetched mail, opens a message and saves
// a screenshot: to $POUCH_SCREENSHOT_DIR when set (make screenshots), else a temp dir.
func TestWindowScreenshot(t *testing.T) {
	if os.Getenv("DISPLAY") == "" {
		if os.Getenv("POUCH_REQUIRE_XVFB") == "1" {
			t.Fatal("no DISPLAY: run under scripts/with-xvfb (make test does)")
		}
		t.Skip("no DISPLAY")
	}
	for _, tool := range []string{"xdotool", "import"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not installed (apt-get install xdotool imagemagick)", tool)
		}
	}
	d := pop3test.NewDovecot(t, nil)
	loadCorpus(t).deliver(t, d, "alice")
	c := newCLI(t)
	host, port, _ := strings.Cut(d.TLSAddr, ":")
	c.ok("secret-pw\n", "account", "add", "--name", "Home", "--host", host, "--port", port,
		"--user", "alice", "--password-stdin", "--ca-file", d.CertFile)
	c.ok("", "fetch")

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	win := exec.CommandContext(ctx, pouchBin, "--data-dir", c.dataDir)
	win.Env = c.env
	var logs strings.Builder
	win.Stdout, win.Stderr = &logs, &logs
	if err := win.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = win.Process.Kill()
		_ = win.Wait()
	}()

	id := waitForWindow(t, ctx, "Pouch", &logs)
	xdo := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("xdotool", args...).CombinedOutput(); err != nil {
			t.Fatalf("xdotool %v: %v %s", args, err, out)
		}
	}
	xdo("windowsize", id, "1200", "760")
	xdo("windowmove", id, "0", "0")
	time.Sleep(2 * time.Second) // let the first check and the list load settle
	// The newest message is the first row of the list; open it.
	xdo("mousemove", "--window", id, "400", "75")
	xdo("click", "1")
	time.Sleep(1500 * time.Millisecond)

	dir := os.Getenv("POUCH_SCREENSHOT_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(dir, "main-window.png")
	if out, err := exec.Command("import", "-window", id, shot).CombinedOutput(); err != nil {
		t.Fatalf("import: %v %s", err, out)
	}
	checkScreenshot(t, shot)
	t.Logf("screenshot: %s", shot)
	if win.ProcessState != nil {
		t.Fatalf("the window exited early:\n%s", logs.String())
	}
}

func waitForWindow(t *testing.T, ctx context.Context, name string, logs *strings.Builder) string {
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
			t.Fatalf("no %q window appeared; output:\n%s", name, logs.String())
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
