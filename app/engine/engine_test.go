package engine_test

import (
	"cmp"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/app/secrets"
	"github.com/pouchmail/pouch/internal/testenv"
	"github.com/pouchmail/pouch/mailstore"
	"github.com/pouchmail/pouch/pop3/pop3test"
)

// clock is an adjustable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }
func newClock(t time.Time) *clock    { return &clock{t: t} }
func mustDeliver(t *testing.T, d *pop3test.Dovecot, name, raw string) {
	t.Helper()
	if err := d.Deliver("alice", name, []byte(raw)); err != nil {
		t.Fatal(err)
	}
}

// fixture is what the engine tests work on: an archive in a data dir, a keyring, a clock, an
// engine on them and, when fixtureOptions.addr is set, the account "home" of alice there.
type fixture struct {
	e     *engine.Engine
	store *mailstore.Store
	kr    *secrets.Memory
	clk   *clock
	a     *mailstore.Account
}

// fixtureOptions chooses the fixture; the zero value is an engine on a fresh archive, without
// an account.
type fixtureOptions struct {
	addr      string             // the account's server, "host:port"; "" = no account
	security  mailstore.Security // "" = none
	password  string             // "" = "secret-pw"
	auth      string             // the account's mechanism; "" = the strongest offered
	leaveDays int
	forever   bool
	caCert    []byte
	dataDir   string        // the engine's data dir, holding the archive; "" = a temp dir
	keyring   secrets.Store // nil = kr, a fresh secrets.Memory
	wallClock bool          // the engine reads the real time instead of clk
	// checkpoint is the engine's Options.Checkpoint; nil = none.
	checkpoint func(name string)
	timeout    time.Duration // the engine's Options.Timeout; 0 = 20 s
}

func newFixture(t *testing.T, o fixtureOptions) *fixture {
	t.Helper()
	ctx := context.Background()
	if o.dataDir == "" {
		o.dataDir = t.TempDir()
	}
	store, err := mailstore.Open(ctx, filepath.Join(o.dataDir, "pouch.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	f := &fixture{store: store, kr: secrets.NewMemory(), clk: newClock(time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC))}
	if o.keyring == nil {
		o.keyring = f.kr
	}
	if o.timeout == 0 {
		o.timeout = 20 * time.Second
	}
	opts := engine.Options{DataDir: o.dataDir, Now: f.clk.now, Timeout: o.timeout, Checkpoint: o.checkpoint}
	if o.wallClock {
		opts.Now = nil
	}
	f.e = engine.New(store, o.keyring, opts)
	if o.addr == "" {
		return f
	}
	host, port := pop3test.HostPort(o.addr)
	f.a = &mailstore.Account{Name: "home", Host: host, Port: port, Security: cmp.Or(o.security, mailstore.SecurityNone),
		Username: "alice", LeaveDays: o.leaveDays, KeepForever: o.forever, Interval: 10 * time.Minute,
		AuthMethod: o.auth, CACertPEM: o.caCert}
	if err := f.e.AddAccount(ctx, f.a, cmp.Or(o.password, "secret-pw")); err != nil {
		t.Fatal(err)
	}
	return f
}

// setup is the fixture on a private Dovecot, over plain POP3 or implicit TLS, leave-days 14.
func setup(t *testing.T, sec mailstore.Security) (*engine.Engine, *mailstore.Store, *mailstore.Account, *pop3test.Dovecot, *clock) {
	t.Helper()
	d := testenv.Dovecot(t, nil)
	addr := d.PlainAddr
	if sec == mailstore.SecurityTLS {
		addr = d.TLSAddr
	}
	f := newFixture(t, fixtureOptions{addr: addr, security: sec, leaveDays: 14, caCert: d.CertPEM})
	return f.e, f.store, f.a, d, f.clk
}

func TestFetchRecordsLedgerAndNeverRefetches(t *testing.T) {
	e, store, a, d, clk := setup(t, mailstore.SecurityTLS)
	ctx := context.Background()
	mustDeliver(t, d, "one", "Subject: one\n\nfirst\n")
	mustDeliver(t, d, "two", "Subject: two\n\nsecond\n")

	var mu sync.Mutex
	var progress []engine.Progress
	res := e.Fetch(ctx, a, func(p engine.Progress) { mu.Lock(); progress = append(progress, p); mu.Unlock() })
	if res.Err != nil || res.New != 2 || res.OnServer != 2 {
		t.Fatalf("first fetch = %+v", res)
	}
	last := progress[len(progress)-1]
	if last.Phase != engine.PhaseDone || last.N != 2 || last.Bytes != res.Bytes || last.Account != "home" {
		t.Errorf("last progress = %+v", last)
	}
	sawDownload := false
	for _, p := range progress {
		if p.Phase == engine.PhaseDownload && p.N == 1 && p.Total == 2 {
			sawDownload = true
		}
	}
	if !sawDownload {
		t.Errorf("no 1-of-2 download progress in %+v", progress)
	}

	first := clk.now()
	ledger, err := store.Ledger(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ledger) != 2 {
		t.Fatalf("ledger = %+v", ledger)
	}
	for uidl, le := range ledger {
		if !le.FirstSeen.Equal(first) || le.Downloaded == nil || le.MessageID == 0 {
			t.Errorf("ledger[%s] = %+v, want first seen %v and downloaded", uidl, le, first)
		}
	}

	// A day later one more message arrives: only it is fetched, and old first-seen times stay.
	clk.add(24 * time.Hour)
	mustDeliver(t, d, "three", "Subject: three\n\nthird\n")
	res = e.Fetch(ctx, a, nil)
	if res.Err != nil || res.New != 1 || res.OnServer != 3 {
		t.Fatalf("second fetch = %+v", res)
	}
	ledger2, _ := store.Ledger(ctx, a.ID)
	for uidl, le := range ledger2 {
		if old, ok := ledger[uidl]; ok && !le.FirstSeen.Equal(old.FirstSeen) {
			t.Errorf("first seen of %s moved from %v to %v", uidl, old.FirstSeen, le.FirstSeen)
		} else if !ok && !le.FirstSeen.Equal(clk.now()) {
			t.Errorf("new message first seen %v, want %v", le.FirstSeen, clk.now())
		}
	}
	if n, _ := store.CountMessages(ctx, a.ID); n != 3 {
		t.Errorf("stored %d messages, want 3", n)
	}
	// Nothing was deleted from the server: deletion is not this session's business.
	files, _ := d.MaildirFiles("alice")
	if len(files) != 3 {
		t.Errorf("server has %d messages, want 3", len(files))
	}
}

func TestFetchErrors(t *testing.T) {
	e, _, a, _, _ := setup(t, mailstore.SecurityNone)
	ctx := context.Background()

	if err := e.SetPassword(ctx, a.Name, "wrong"); err != nil {
		t.Fatal(err)
	}
	res := e.Fetch(ctx, a, nil)
	var ferr *engine.FetchError
	if !errors.As(res.Err, &ferr) || ferr.Account != "home" {
		t.Fatalf("wrong password: %v, want a *FetchError", res.Err)
	}
	if strings.Contains(res.Err.Error(), "wrong") {
		t.Errorf("the error shows the password: %v", res.Err)
	}

	if err := e.RemoveAccount(ctx, a.Name); err != nil {
		t.Fatal(err)
	}
	a.Name = "nopw"
	if err := e.AddAccount(ctx, a, ""); err != nil {
		t.Fatal(err)
	}
	res = e.Fetch(ctx, a, nil)
	var nopw *engine.NoPasswordError
	if !errors.As(res.Err, &nopw) {
		t.Errorf("no password: %v, want *NoPasswordError", res.Err)
	}

	b := *a
	b.Name, b.Port = "closed", 1
	if err := e.AddAccount(ctx, &b, "x"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if res := e.Fetch(ctx, &b, nil); res.Err == nil || time.Since(start) > 30*time.Second {
		t.Errorf("closed port: %v after %v", res.Err, time.Since(start))
	}

	var nf *engine.NotFoundError
	if _, err := e.FetchAll(ctx, "missing", nil); !errors.As(err, &nf) {
		t.Errorf("FetchAll(missing) = %v, want *NotFoundError", err)
	}
}

func TestAddAccountValidatesAndRollsBack(t *testing.T) {
	ctx := context.Background()
	e, _, sec := newDesktopEngine(t)
	bad := &mailstore.Account{Name: "x", Host: "", Port: 995, Security: mailstore.SecurityTLS, Username: "u", Interval: time.Hour}
	if err := e.AddAccount(ctx, bad, "pw"); err == nil {
		t.Fatal("an account without host was accepted")
	}
	if _, err := sec.Get("x"); !errors.Is(err, secrets.ErrNotFound) {
		t.Errorf("a rejected account left a password behind")
	}
	good := &mailstore.Account{Name: "x", Host: "h", Port: 995, Security: mailstore.SecurityTLS, Username: "u", Interval: time.Hour}
	if err := e.AddAccount(ctx, good, "pw"); err != nil {
		t.Fatal(err)
	}
	dup := *good
	if err := e.AddAccount(ctx, &dup, "other"); err == nil {
		t.Fatal("duplicate account accepted")
	}
	if pw, _ := sec.Get("x"); pw != "pw" {
		t.Errorf("a rejected duplicate replaced the password with %q", pw)
	}
}
