package e2e

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pouchmail/pouch/app/autoconfig/autoconfigtest"
	"github.com/pouchmail/pouch/app/compose"
	"github.com/pouchmail/pouch/internal/testenv"
	"github.com/pouchmail/pouch/mailstore"
	"github.com/pouchmail/pouch/pop3/pop3test"
)

// Regions of the 1280x800 window, by what the layout puts there.
var (
	sidebarTop  = image.Rect(8, 48, 150, 76)    // the selected "All mail" row
	messageList = image.Rect(235, 90, 655, 520) // the rows of the message list
	belowFirst  = image.Rect(235, 165, 655, 520)
	viewer      = image.Rect(675, 50, 1270, 300)  // the open message's headers
	dialogArea  = image.Rect(300, 60, 980, 700)   // where dialogs open
	toastArea   = image.Rect(235, 640, 1270, 750) // the foot of the message panes (Undo)
)

// TestWindowScreenshots starts the real window under X on mail fetched from Dovecot, drives it
// with xdotool and saves screenshots: to $POUCH_SCREENSHOT_DIR when set (make screenshots), else
// a temp dir. Each step waits until the screen shows its outcome (the list drawn, a message
// open, the list narrowed to the match, a modal dialog dimming the window) and has settled, and
// the saved picture is that screen.
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
	c.addAccount("Home", d.TLSAddr, "secret-pw", "--ca-file", d.CertFile,
		"--smtp-host", "127.0.0.1", "--from", "Alice Example <alice@example.org>", "--signature", "Alice")
	c.ok("", "fetch")
	saveDraft(t, c)

	dir := os.Getenv("POUCH_SCREENSHOT_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	save := func(img image.Image, name string) {
		t.Helper()
		writePNG(t, filepath.Join(dir, name), img)
		t.Logf("screenshot: %s", filepath.Join(dir, name))
	}
	listed := func(img image.Image) bool { return !uniform(img, messageList) }

	// The main window with the newest message open, a search and the preferences, in the dark
	// theme (the pictures without a suffix) and the light one ("-light"): FYNE_THEME is the
	// desktop's preference as Fyne reads it, and the window's theme follows it by default.
	var modal func(image.Image) bool
	for _, th := range []struct{ variant, suffix string }{{"dark", ""}, {"light", "-light"}} {
		themed := *c
		themed.env = append(slices.Clone(c.env), "FYNE_THEME="+th.variant)
		w := startWindow(t, &themed)
		ready := w.waitFor("the message list", listed)
		// A modal dialog dims the rest of the window, the sidebar's selected row included.
		dimmed := func(img image.Image) bool { return brightness(img, sidebarTop) < 0.8*brightness(ready, sidebarTop) }
		if modal == nil {
			modal = dimmed
		}
		w.click(420, 130) // the first row of the message list
		main := w.waitFor("the first message open", func(img image.Image) bool {
			return !dimmed(img) && !uniform(img, viewer) && differs(ready, img, viewer)
		})
		if uniform(main, belowFirst) {
			t.Errorf("main-window%s.png: the list shows one message, want all fetched", th.suffix)
		}
		save(main, "main-window"+th.suffix+".png")
		if th.variant == "dark" {
			// One window per archive: a second launch brings this one forward and ends at once.
			if r := runBin(t, themed.env, "", "--data-dir", c.dataDir); r.code != 0 || !strings.Contains(r.stderr, "already open") {
				t.Errorf("second launch: exit %d, stderr %q; want 0 and the first window brought forward", r.code, r.stderr)
			}
			w.alive()
			// Delete offers Undo in a toast at the foot of the panes.
			w.key("Delete")
			save(w.waitFor("the Undo toast", func(img image.Image) bool { return differs(main, img, toastArea) }), "delete-undo.png")
		}
		w.stop()
		w = startWindow(t, &themed)
		w.waitFor("the message list", listed)
		w.key("ctrl+f")
		w.xdo("type", "--delay", "30", "report")
		w.waitFor("the list narrowed to the match", func(img image.Image) bool { return listed(img) && uniform(img, belowFirst) })
		w.click(420, 130)
		save(w.waitFor("the match open", func(img image.Image) bool {
			return uniform(img, belowFirst) && !uniform(img, viewer) && differs(main, img, viewer)
		}), "search"+th.suffix+".png")
		if th.variant == "light" {
			// Half a 1366-pixel screen: the toolbar and the message's actions wrap.
			w.xdo("windowsize", w.id, "683", "700")
			half := image.Rect(0, 0, 683, 700)
			narrow := w.waitFor("the window at half a screen", func(img image.Image) bool {
				return brightness(img, image.Rect(700, 100, 1200, 700)) < 0.5*brightness(img, half)
			})
			save(narrow.(interface {
				SubImage(image.Rectangle) image.Image
			}).SubImage(half), "narrow-light.png")
		}
		w.stop()

		// Dialogs open in a fresh window (the search field would keep the shortcuts for itself).
		w = startWindow(t, &themed)
		before := w.waitFor("the message list", func(img image.Image) bool { return listed(img) && !dimmed(img) })
		w.key("ctrl+comma")
		save(w.waitFor("the preferences dialog", func(img image.Image) bool { return dimmed(img) && differs(before, img, dialogArea) }),
			"preferences"+th.suffix+".png")
		w.stop()
	}

	dialog := func(name, shortcut string) (before, opened image.Image, w *window) {
		w = startWindow(t, c)
		before = w.waitFor("the message list", func(img image.Image) bool { return listed(img) && !modal(img) })
		w.key(shortcut)
		opened = w.waitFor("the "+name, func(img image.Image) bool { return modal(img) && differs(before, img, dialogArea) })
		return before, opened, w
	}

	// The account dialog, as someone adding an account sees it while typing: name and address
	// in the Add account dialog, then Edit manually (the middle button) for the full form.
	_, setupOpened, w := dialog("account set-up dialog", "ctrl+shift+a")
	for _, s := range []string{"Bob Example", "bob@"} {
		w.key("Tab")
		w.xdo("type", "--delay", "20", s)
	}
	typed := w.waitFor("the typed address", func(img image.Image) bool { return modal(img) && differs(setupOpened, img, dialogArea) })
	w.click(640, 672)
	opened := w.waitFor("the full account form", func(img image.Image) bool { return modal(img) && differs(typed, img, dialogArea) })
	w.key("Tab")
	w.key("Tab")
	w.key("Tab")
	w.key("ctrl+a")
	for _, s := range []string{"Office", "pop3://mail.example.org"} {
		w.xdo("type", "--delay", "20", s)
		w.key("Tab")
	}
	save(w.waitFor("the typed settings", func(img image.Image) bool { return modal(img) && differs(opened, img, dialogArea) }),
		"account-dialog.png")
	w.stop()

	shootAccountSetup(t, c, modal, save)
	shootFirstRun(t, modal, save)
	shootCompose(t, c, listed, save)
	shootOrganise(t, c, listed, modal, save)
	shootFlagged(t, c, listed, save)

	// An account whose server certificate this computer does not trust: the first check opens
	// the certificate dialog.
	c.addAccount("Office", d.TLSAddr, "secret-pw")
	w = startWindow(t, c)
	save(w.waitFor("the certificate dialog", modal), "certificate-dialog.png")
	w.stop()
}

// shootAccountSetup saves account-setup.png: the Add account dialog after Continue, showing the
// settings found for an address (SRV records on a local DNS server, pointing at a Dovecot of
// its own whose certificate the window trusts through SSL_CERT_FILE) and the login test passed.
func shootAccountSetup(t *testing.T, c *cli, modal func(image.Image) bool, save func(image.Image, string)) {
	t.Helper()
	const email = "alice@example.test"
	d := pop3test.NewDovecot(t, &pop3test.DovecotOptions{Users: []pop3test.DovecotUser{{Name: email, Password: "secret-pw"}}})
	_, port, _ := net.SplitHostPort(d.TLSAddr)
	zone := autoconfigtest.NewZone(t, "_pop3s._tcp.example.test. 60 IN SRV 0 1 "+port+" localhost.")
	setup := *c
	setup.env = append(slices.Clone(c.env), "POUCH_DNS_SERVER="+zone.Addr, "SSL_CERT_FILE="+d.CertFile)
	w := startWindow(t, &setup)
	before := w.waitFor("the window", func(img image.Image) bool { return !modal(img) })
	w.key("ctrl+shift+a")
	opened := w.waitFor("the set-up dialog", func(img image.Image) bool { return modal(img) && differs(before, img, dialogArea) })
	for _, s := range []string{"Alice Example", email, "secret-pw"} {
		w.key("Tab")
		w.xdo("type", "--delay", "20", s)
	}
	typed := w.waitFor("the typed address", func(img image.Image) bool { return differs(opened, img, dialogArea) })
	w.key("Return")
	// The found settings and the login test fill the lower half of the dialog.
	found := image.Rect(300, 340, 980, 620)
	save(w.waitFor("the settings found and tested", func(img image.Image) bool {
		return modal(img) && differs(typed, img, found) && !uniform(img, found)
	}), "account-setup.png")
	w.stop()
}

// shootFirstRun saves first-run.png: with no account yet, the window opens on the account
// set-up.
func shootFirstRun(t *testing.T, modal func(image.Image) bool, save func(image.Image, string)) {
	t.Helper()
	w := startWindow(t, newCLI(t))
	save(w.waitFor("the set-up dialog on first run", modal), "first-run.png")
	w.stop()
}

// saveDraft stores a draft with an attachment, as the compose window saves one while typing.
func saveDraft(t *testing.T, c *cli) {
	t.Helper()
	ctx := context.Background()
	store, err := mailstore.Open(ctx, filepath.Join(c.dataDir, "pouch.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	a, err := store.AccountByName(ctx, "Home")
	if err != nil {
		t.Fatal(err)
	}
	pdf := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("agenda "), 30000)...)
	m := &compose.Message{From: &compose.Address{Name: "Alice Example", Address: "alice@example.org"},
		To:      []*compose.Address{{Name: "Bob Martin", Address: "bob@example.net"}, {Address: "carol@example.com"}},
		Subject: "Agenda for the Friday meeting",
		Text: "Hi Bob, hi Carol,\n\nhere is the agenda for Friday: the quarterly numbers first, then the plans " +
			"for the spring. Tell me if something is missing.\n\nSee you at ten.\n\n-- \nAlice\n",
		Attachments: []compose.Attachment{compose.NewAttachment("Agenda March.pdf", pdf)}}
	raw, err := m.Build()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.SaveDraft(ctx, a.ID, 0, raw, time.Now()); err != nil {
		t.Fatal(err)
	}
}

// shootCompose saves reply.png (Ctrl+R on the newest message: the compose window with the quote)
// and compose.png (the draft with an attachment, found with in:drafts and resumed with Edit
// draft). Each compose window is brought to the corner of the screen at 1280x800.
func shootCompose(t *testing.T, c *cli, listed func(image.Image) bool, save func(image.Image, string)) {
	t.Helper()
	whole := image.Rect(0, 0, 1280, 800)
	composeWindow := func(w *window, name string, before image.Image) image.Image {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		id := waitForWindow(t, ctx, name, w)
		w.xdo("windowsize", id, "1280", "800")
		w.xdo("windowmove", id, "0", "0")
		return w.waitFor("the compose window", func(img image.Image) bool { return differs(before, img, whole) })
	}

	w := startWindow(t, c)
	ready := w.waitFor("the message list", listed)
	w.click(420, 130) // the newest message
	opened := w.waitFor("the message open", func(img image.Image) bool { return differs(ready, img, viewer) })
	w.key("ctrl+r")
	save(composeWindow(w, "Re: .*", opened), "reply.png")
	w.stop()

	w = startWindow(t, c)
	ready = w.waitFor("the message list", listed)
	w.key("ctrl+f")
	w.xdo("type", "--delay", "30", "in:drafts")
	narrowed := w.waitFor("the draft listed", func(img image.Image) bool { return listed(img) && uniform(img, belowFirst) })
	w.click(420, 130)
	draft := w.waitFor("the draft open", func(img image.Image) bool { return differs(narrowed, img, viewer) })
	w.click(730, 72) // Edit draft, above the headers
	save(composeWindow(w, "Agenda for the Friday meeting", draft), "compose.png")
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

// screen captures the window's corner of the screen, 1280x800.
func (w *window) screen() image.Image {
	w.t.Helper()
	out, err := exec.Command("import", "-window", "root", "-crop", "1280x800+0+0", "+repage", "png:-").Output()
	if err != nil {
		w.t.Fatalf("import: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(out))
	if err != nil {
		w.t.Fatalf("screenshot: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 1280 || b.Dy() != 800 {
		w.t.Fatalf("screenshot is %v, want 1280x800", b)
	}
	return img
}

// waitFor polls the screen until it shows what ok looks for and has settled (two frames in a
// row alike), and returns it; after 30 s the test fails with the last frame saved.
func (w *window) waitFor(what string, ok func(image.Image) bool) image.Image {
	w.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var prev image.Image
	for {
		w.alive()
		img := w.screen()
		if ok(img) && prev != nil && ok(prev) && !differs(prev, img, img.Bounds()) {
			return img
		}
		if time.Now().After(deadline) {
			last := filepath.Join(os.TempDir(), fmt.Sprintf("pouch-window-%d.png", time.Now().UnixNano()))
			writePNG(w.t, last, img)
			w.t.Fatalf("the window did not show %s within 30 s (last frame: %s); output:\n%s", what, last, w.logs.String())
		}
		prev = img
		time.Sleep(150 * time.Millisecond)
	}
}

func writePNG(t *testing.T, path string, img image.Image) {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// grey returns r's grey levels (0-765) on a 4-pixel grid.
func grey(img image.Image, r image.Rectangle) []int {
	var g []int
	for y := r.Min.Y; y < r.Max.Y; y += 4 {
		for x := r.Min.X; x < r.Max.X; x += 4 {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			g = append(g, int(cr>>8+cg>>8+cb>>8))
		}
	}
	return g
}

// uniform reports whether r holds one colour only: nothing drawn there.
func uniform(img image.Image, r image.Rectangle) bool {
	g := grey(img, r)
	return slices.Max(g)-slices.Min(g) <= 48
}

// differs reports whether r changed between two frames in more than a text cursor's worth of
// pixels.
func differs(a, b image.Image, r image.Rectangle) bool {
	ga, gb, changed := grey(a, r), grey(b, r), 0
	for i := range ga {
		if max(ga[i]-gb[i], gb[i]-ga[i]) > 48 {
			changed++
		}
	}
	return changed*500 > len(ga)
}

// brightness is r's mean grey level.
func brightness(img image.Image, r image.Rectangle) float64 {
	g := grey(img, r)
	sum := 0
	for _, v := range g {
		sum += v
	}
	return float64(sum) / float64(len(g))
}
