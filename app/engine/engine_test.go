package engine_test

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/app/secrets"
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

func setup(t *testing.T, sec mailstore.Security) (*engine.Engine, *mailstore.Store, *mailstore.Account, *pop3test.Dovecot, *clock) {
	t.Helper()
	d := pop3test.NewDovecot(t, nil)
	ctx := context.Background()
	store, err := mailstore.Open(ctx, filepath.Join(t.TempDir(), "pouch.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	addr := d.PlainAddr
	if sec == mailstore.SecurityTLS {
		addr = d.TLSAddr
	}
	host, portStr, _ := strings.Cut(addr, ":")
	port, err := strconv.Atoi(portStr)
	if err != nil {
		t.Fatal(err)
	}
	clk := newClock(time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC))
	e := engine.New(store, secrets.NewMemory(), engine.Options{Now: clk.now, Timeout: 10 * time.Second})
	a := &mailstore.Account{Name: "home", Host: host, Port: port, Security: sec, Username: "alice",
		LeaveDays: 14, Interval: 10 * time.Minute, CACertPEM: d.CertPEM}
	if err := e.AddAccount(ctx, a, "secret-pw"); err != nil {
		t.Fatal(err)
	}
	return e, store, a, d, clk
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
	store, err := mailstore.Open(ctx, filepath.Join(t.TempDir(), "pouch.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	sec := secrets.NewMemory()
	e := engine.New(store, sec, engine.Options{})
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
