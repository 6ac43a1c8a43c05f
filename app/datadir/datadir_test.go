package datadir

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pouchmail/pouch/mailstore"
)

// seed creates an archive in dir with one account and n messages (the last one large enough
// to be stored in chunks) and returns it open.
func seed(t *testing.T, dir string, n int) *mailstore.Store {
	t.Helper()
	ctx := context.Background()
	s, err := mailstore.Open(ctx, filepath.Join(dir, DBFile))
	if err != nil {
		t.Fatal(err)
	}
	a := &mailstore.Account{Name: "home", Host: "pop.example.org", Port: 995, Security: mailstore.SecurityTLS,
		Username: "ann", LeaveDays: 7, Interval: 10 * time.Minute}
	if err := s.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	items := make([]mailstore.BatchItem, n)
	for i := range items {
		raw := fmt.Sprintf("From: x@example.org\r\nSubject: message %d\r\n\r\nbody %d\r\n", i, i)
		if i == n-1 {
			raw += strings.Repeat("0123456789abcdef\r\n", 100_000) // 1.8 MB: chunked
		}
		items[i] = mailstore.BatchItem{UIDL: fmt.Sprintf("u%d", i), Data: []byte(raw)}
	}
	if _, err := s.NewSaver(a.ID).Save(ctx, items, time.Now()); err != nil {
		t.Fatal(err)
	}
	return s
}

// contents opens the archive in dir and lists its subjects, checking it on the way.
func contents(t *testing.T, dir string) []string {
	t.Helper()
	ctx := context.Background()
	s, err := mailstore.Open(ctx, filepath.Join(dir, DBFile))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	msgs, err := s.Messages(ctx, mailstore.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	var subjects []string
	for _, m := range msgs {
		subjects = append(subjects, m.Subject)
	}
	r, err := s.Check(ctx, false)
	if err != nil || r.Problems() > 0 {
		t.Fatalf("check of %s: %+v, %v", dir, r, err)
	}
	return subjects
}

// env is a fake environment with a home of its own.
type env map[string]string

func (e env) get(k string) string { return e[k] }

func newEnv(t *testing.T) (env, string, string) {
	t.Helper()
	home := t.TempDir()
	e := env{"HOME": home, "LOCALAPPDATA": filepath.Join(home, "AppData", "Local"), "APPDATA": filepath.Join(home, "AppData", "Roaming")}
	def, err := Default(e.get)
	if err != nil {
		t.Fatal(err)
	}
	old, err := Legacy(e.get)
	if err != nil {
		t.Fatal(err)
	}
	return e, def, old
}

func TestDefaultAndLegacyPaths(t *testing.T) {
	e, def, old := newEnv(t)
	home := e["HOME"]
	var wantDef, wantOld string
	switch runtime.GOOS {
	case "windows":
		wantDef, wantOld = filepath.Join(home, "AppData", "Local", "Pouch"), filepath.Join(home, "AppData", "Roaming", "pouch")
	case "darwin":
		wantDef, wantOld = filepath.Join(home, "Library", "Application Support", "Pouch"), filepath.Join(home, "Library", "Application Support", "pouch")
	default:
		wantDef, wantOld = filepath.Join(home, ".local", "share", "pouch"), filepath.Join(home, ".config", "pouch")
		e["XDG_DATA_HOME"], e["XDG_CONFIG_HOME"] = "/xdg/data", "/xdg/config"
		if d, _ := Default(e.get); d != "/xdg/data/pouch" {
			t.Errorf("with $XDG_DATA_HOME: %s", d)
		}
		if d, _ := Legacy(e.get); d != "/xdg/config/pouch" {
			t.Errorf("with $XDG_CONFIG_HOME: %s", d)
		}
		e["XDG_DATA_HOME"] = "relative/data"
		if d, _ := Default(e.get); d != wantDef {
			t.Errorf("a relative $XDG_DATA_HOME is ignored: %s, want %s", d, wantDef)
		}
	}
	if def != wantDef || old != wantOld {
		t.Errorf("Default = %s, Legacy = %s; want %s and %s", def, old, wantDef, wantOld)
	}
	// The legacy location is exactly where earlier versions looked: os.UserConfigDir()/pouch.
	if cfg, err := os.UserConfigDir(); err == nil {
		if got, _ := Legacy(os.Getenv); got != filepath.Join(cfg, "pouch") {
			t.Errorf("Legacy(os.Getenv) = %s, want %s", got, filepath.Join(cfg, "pouch"))
		}
	}
}

func TestResolveExplicitWins(t *testing.T) {
	ctx := context.Background()
	e, _, old := newEnv(t)
	seed(t, old, 2).Close()
	loc, err := Resolve(ctx, "/some/dir", e.get)
	if err != nil || loc.Dir != "/some/dir" || loc.Notice != "" {
		t.Errorf("--data-dir: %+v, %v", loc, err)
	}
	e["POUCH_DATA_DIR"] = "/env/dir"
	if loc, err = Resolve(ctx, "", e.get); err != nil || loc.Dir != "/env/dir" {
		t.Errorf("$POUCH_DATA_DIR: %+v, %v", loc, err)
	}
	if loc, err = Resolve(ctx, "/flag/dir", e.get); err != nil || loc.Dir != "/flag/dir" {
		t.Errorf("--data-dir over $POUCH_DATA_DIR: %+v, %v", loc, err)
	}
	if !exists(filepath.Join(old, DBFile)) {
		t.Error("an explicit directory moved the archive at the old location")
	}
}

func TestResolveFresh(t *testing.T) {
	e, def, _ := newEnv(t)
	loc, err := Resolve(context.Background(), "", e.get)
	if err != nil || loc.Dir != def || loc.Notice != "" {
		t.Errorf("no archive anywhere: %+v, %v; want %s", loc, err, def)
	}
}

func TestResolveMovesLegacyArchive(t *testing.T) {
	for _, sameFS := range []bool{true, false} {
		t.Run(fmt.Sprintf("sameFS=%v", sameFS), func(t *testing.T) {
			if !sameFS {
				sameFilesystem = func(string, string) bool { return false }
				t.Cleanup(func() { sameFilesystem = probeRename })
			}
			ctx := context.Background()
			e, def, old := newEnv(t)
			s := seed(t, old, 5)
			want := contents(t, old)
			// A spool leftover and a lock file, as a killed fetch leaves them.
			if err := os.MkdirAll(filepath.Join(old, "spool"), 0o700); err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(old, "spool", "account-1-123"), []byte("partial"), 0o600)
			os.MkdirAll(filepath.Join(old, "locks"), 0o700)
			os.WriteFile(filepath.Join(old, "locks", "account-1.lock"), nil, 0o600)
			s.Close()

			loc, err := Resolve(ctx, "", e.get)
			if err != nil || loc.Dir != def || !strings.Contains(loc.Notice, "moved the archive") {
				t.Fatalf("Resolve = %+v, %v; want the archive moved to %s", loc, err, def)
			}
			if got := contents(t, def); strings.Join(got, "|") != strings.Join(want, "|") {
				t.Errorf("moved archive holds %q, want %q", got, want)
			}
			if b, err := os.ReadFile(filepath.Join(def, "spool", "account-1-123")); err != nil || string(b) != "partial" {
				t.Errorf("spool not moved along: %q, %v", b, err)
			}
			if exists(old) {
				entries, _ := os.ReadDir(old)
				t.Errorf("the old directory is still there with %v", entries)
			}
			if exists(filepath.Join(def, DBFile+".partial")) {
				t.Error("a partial copy was left behind")
			}
			// The next run finds it in place and says nothing.
			if loc, err := Resolve(ctx, "", e.get); err != nil || loc.Dir != def || loc.Notice != "" {
				t.Errorf("second Resolve = %+v, %v", loc, err)
			}
		})
	}
}

// TestMoveKeepsUncheckpointedWAL: transactions still in the WAL of a killed Pouch move along.
func TestMoveKeepsUncheckpointedWAL(t *testing.T) {
	ctx := context.Background()
	e, def, old := newEnv(t)
	live := t.TempDir()
	s := seed(t, live, 3)
	want := contents(t, live)
	// Copy the files while the store is open: its recent commits are only in the WAL.
	os.MkdirAll(old, 0o700)
	wal, err := os.ReadFile(filepath.Join(live, DBFile+"-wal"))
	if err != nil || len(wal) == 0 {
		t.Fatalf("no WAL to test with: %v", err)
	}
	for _, f := range []string{DBFile, DBFile + "-wal"} {
		b, err := os.ReadFile(filepath.Join(live, f))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(old, f), b, 0o600)
	}
	s.Close()
	loc, err := Resolve(ctx, "", e.get)
	if err != nil || loc.Dir != def {
		t.Fatalf("Resolve = %+v, %v", loc, err)
	}
	if got := contents(t, def); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("moved archive holds %q, want %q", got, want)
	}
}

func TestResolveLeavesArchiveInUse(t *testing.T) {
	ctx := context.Background()
	e, def, old := newEnv(t)
	s := seed(t, old, 2) // another Pouch with the archive open
	loc, err := Resolve(ctx, "", e.get)
	if err != nil || loc.Dir != old || !strings.Contains(loc.Notice, "another Pouch") {
		t.Fatalf("Resolve with the archive open = %+v, %v; want it used where it is", loc, err)
	}
	if exists(filepath.Join(def, DBFile)) {
		t.Error("an archive appeared at the new location")
	}
	// That other Pouch keeps working on it.
	if _, err := s.Messages(ctx, mailstore.Filter{}); err != nil {
		t.Fatal(err)
	}
	want := contents(t, old)
	s.Close()
	if loc, err = Resolve(ctx, "", e.get); err != nil || loc.Dir != def {
		t.Fatalf("Resolve once it is closed = %+v, %v", loc, err)
	}
	if got := contents(t, def); len(got) != len(want) {
		t.Errorf("moved %d messages, want %d", len(got), len(want))
	}
}

func TestResolveKeepsBothWhenNewExists(t *testing.T) {
	ctx := context.Background()
	e, def, old := newEnv(t)
	seed(t, old, 2).Close()
	seed(t, def, 4).Close()
	loc, err := Resolve(ctx, "", e.get)
	if err != nil || loc.Dir != def || loc.Notice != "" {
		t.Fatalf("Resolve = %+v, %v", loc, err)
	}
	if n := len(contents(t, old)); n != 2 {
		t.Errorf("the old archive changed: %d messages", n)
	}
	if n := len(contents(t, def)); n != 4 {
		t.Errorf("the new archive changed: %d messages", n)
	}
}

func TestResolveUsesOldWhenMoveFails(t *testing.T) {
	ctx := context.Background()
	e, def, old := newEnv(t)
	seed(t, old, 2).Close()
	// The new location cannot be created: a file stands where its parent should be.
	parent := filepath.Dir(def)
	os.MkdirAll(filepath.Dir(parent), 0o700)
	if err := os.WriteFile(parent, []byte("in the way"), 0o600); err != nil {
		t.Fatal(err)
	}
	loc, err := Resolve(ctx, "", e.get)
	if err != nil || loc.Dir != old || !strings.Contains(loc.Notice, "failed") {
		t.Fatalf("Resolve = %+v, %v; want the old location with the reason", loc, err)
	}
	if n := len(contents(t, old)); n != 2 {
		t.Errorf("the old archive has %d messages, want 2", n)
	}
}

// TestResolveConcurrent: two Pouches starting at once both end up on the moved archive.
func TestResolveConcurrent(t *testing.T) {
	ctx := context.Background()
	e, def, old := newEnv(t)
	seed(t, old, 3).Close()
	var wg sync.WaitGroup
	locs := make([]Location, 4)
	errs := make([]error, 4)
	for i := range locs {
		wg.Go(func() { locs[i], errs[i] = Resolve(ctx, "", e.get) })
	}
	wg.Wait()
	moved := 0
	for i := range locs {
		if errs[i] != nil {
			t.Errorf("Resolve %d: %v", i, errs[i])
		}
		if locs[i].Notice != "" && strings.Contains(locs[i].Notice, "moved") {
			moved++
		}
		// One that found the archive mid-move may use the old place this once, never lose it.
		if locs[i].Dir != def && locs[i].Dir != old {
			t.Errorf("Resolve %d = %+v", i, locs[i])
		}
	}
	if moved != 1 {
		t.Errorf("%d Resolves moved the archive, want 1: %+v", moved, locs)
	}
	if n := len(contents(t, def)); n != 3 {
		t.Errorf("moved archive has %d messages, want 3", n)
	}
}

func TestMoveRefusesExistingDestination(t *testing.T) {
	ctx := context.Background()
	_, def, old := newEnv(t)
	seed(t, old, 1).Close()
	seed(t, def, 1).Close()
	if err := Move(ctx, old, def); !errors.Is(err, ErrDestinationExists) {
		t.Errorf("Move onto an archive = %v, want ErrDestinationExists", err)
	}
}

func TestRestore(t *testing.T) {
	ctx := context.Background()
	src := t.TempDir()
	s := seed(t, src, 3)
	backup := filepath.Join(t.TempDir(), "backup.db")
	if err := s.BackupTo(ctx, backup); err != nil {
		t.Fatal(err)
	}
	s.Close()
	want := contents(t, src)
	orig, _ := os.ReadFile(backup)

	t.Run("into nothing", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "data")
		r, err := Restore(ctx, dir, backup, false)
		if err != nil || r.Aside != "" || r.Report.Messages != 3 {
			t.Fatalf("Restore = %+v, %v", r, err)
		}
		if got := contents(t, dir); strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("restored %q, want %q", got, want)
		}
		if b, _ := os.ReadFile(backup); !bytes.Equal(b, orig) {
			t.Error("restoring changed the backup file")
		}
	})
	t.Run("into an empty archive", func(t *testing.T) {
		dir := t.TempDir()
		empty, err := mailstore.Open(ctx, filepath.Join(dir, DBFile))
		if err != nil {
			t.Fatal(err)
		}
		empty.Close()
		if r, err := Restore(ctx, dir, backup, false); err != nil || r.Aside != "" {
			t.Fatalf("Restore = %+v, %v", r, err)
		}
		if n := len(contents(t, dir)); n != 3 {
			t.Errorf("%d messages, want 3", n)
		}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if strings.Contains(e.Name(), "before-restore") || strings.Contains(e.Name(), "restoring") {
				t.Errorf("left behind: %s", e.Name())
			}
		}
	})
	t.Run("over an archive", func(t *testing.T) {
		dir := t.TempDir()
		seed(t, dir, 1).Close()
		_, err := Restore(ctx, dir, backup, false)
		var ne *NotEmptyError
		if !errors.As(err, &ne) {
			t.Fatalf("Restore without force = %v, want a *NotEmptyError", err)
		}
		if n := len(contents(t, dir)); n != 1 {
			t.Fatalf("refused restore changed the archive: %d messages", n)
		}
		now = func() time.Time { return time.Date(2026, 12, 1, 15, 4, 5, 0, time.UTC) }
		defer func() { now = time.Now }()
		r, err := Restore(ctx, dir, backup, true)
		if err != nil || !strings.HasSuffix(r.Aside, "pouch.db.before-restore-20261201-150405") {
			t.Fatalf("Restore --force = %+v, %v", r, err)
		}
		if n := len(contents(t, dir)); n != 3 {
			t.Errorf("restored archive has %d messages, want 3", n)
		}
		// The replaced archive is kept whole.
		aside := t.TempDir()
		os.Rename(r.Aside, filepath.Join(aside, DBFile))
		if n := len(contents(t, aside)); n != 1 {
			t.Errorf("the archive kept aside has %d messages, want 1", n)
		}
	})
	t.Run("while in use", func(t *testing.T) {
		dir := t.TempDir()
		open := seed(t, dir, 1)
		defer open.Close()
		if _, err := Restore(ctx, dir, backup, true); !errors.Is(err, mailstore.ErrInUse) {
			t.Errorf("Restore while open = %v, want ErrInUse", err)
		}
	})
	t.Run("not an archive", func(t *testing.T) {
		dir := t.TempDir()
		seed(t, dir, 1).Close()
		bad := filepath.Join(t.TempDir(), "notes.txt")
		os.WriteFile(bad, []byte("hello"), 0o600)
		if _, err := Restore(ctx, dir, bad, true); err == nil || !strings.Contains(err.Error(), "not a Pouch archive") {
			t.Errorf("Restore of a text file = %v", err)
		}
		// A damaged backup: a message's bytes no longer match their hash.
		damaged := filepath.Join(t.TempDir(), "damaged.db")
		b, _ := os.ReadFile(backup)
		i := bytes.Index(b, []byte("body 1"))
		if i < 0 {
			t.Fatal("message bytes not found in the backup")
		}
		b[i] = 'B'
		os.WriteFile(damaged, b, 0o600)
		if _, err := Restore(ctx, dir, damaged, true); err == nil || !strings.Contains(err.Error(), "problem") {
			t.Errorf("Restore of a damaged backup = %v", err)
		}
		if n := len(contents(t, dir)); n != 1 {
			t.Errorf("refused restores changed the archive: %d messages", n)
		}
	})
}
