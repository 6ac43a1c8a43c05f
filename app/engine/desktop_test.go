package engine_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/app/secrets"
	"github.com/pouchmail/pouch/mailstore"
	"github.com/pouchmail/pouch/pop3"
)

func TestTestConnection(t *testing.T) {
	e, _, a, _, _ := setup(t, mailstore.SecurityTLS)
	ctx := context.Background()

	r, err := e.TestConnection(ctx, a, "secret-pw")
	if err != nil {
		t.Fatalf("TestConnection() = %v, want nil", err)
	}
	if !strings.HasPrefix(r.TLSVersion, "TLS 1.") || len(r.Certificates) == 0 {
		t.Errorf("TLS = %q with %d certificates, want a TLS version and the chain", r.TLSVersion, len(r.Certificates))
	}
	mechs := strings.Join(r.AuthMechanisms, " ")
	for _, m := range []string{"PLAIN", "SCRAM-SHA-256", "USER"} {
		if !strings.Contains(mechs, m) {
			t.Errorf("mechanisms %q lack %s (Dovecot offers it)", mechs, m)
		}
	}
	if !r.Pipelining || !r.UIDL || !r.Top {
		t.Errorf("report = %+v, want PIPELINING, UIDL and TOP (Dovecot offers them)", r)
	}

	// The exact failure: a wrong password is the server's -ERR.
	var perr *pop3.Error
	if _, err := e.TestConnection(ctx, a, "wrong"); !errors.As(err, &perr) {
		t.Errorf("TestConnection(wrong password) = %v, want a *pop3.Error", err)
	}

	// A self-signed certificate that is not trusted: the chain comes back to show.
	untrusted := *a
	untrusted.CACertPEM = nil
	var terr *pop3.TLSError
	if _, err := e.TestConnection(ctx, &untrusted, "secret-pw"); !errors.As(err, &terr) || len(terr.Certificates) == 0 {
		t.Fatalf("TestConnection(untrusted) = %v, want a *pop3.TLSError with certificates", err)
	}
	if fp := pop3.CertificateSHA256(terr.Certificates[0]); len(fp) != 64 {
		t.Errorf("CertificateSHA256() = %q, want 64 hex digits", fp)
	}

	bad := *a
	bad.Host = ""
	if _, err := e.TestConnection(ctx, &bad, "x"); err == nil {
		t.Error("TestConnection(no host) = nil, want a validation error")
	}
}

// newDesktopEngine is the fixture without an account.
func newDesktopEngine(t *testing.T) (*engine.Engine, *mailstore.Store, *secrets.Memory) {
	f := newFixture(t, fixtureOptions{})
	return f.e, f.store, f.kr
}

func newAccount(name string) *mailstore.Account {
	return &mailstore.Account{Name: name, Host: "pop.example.com", Port: 995, Security: mailstore.SecurityTLS,
		Username: "alice", LeaveDays: 14, Interval: 10 * time.Minute}
}

func TestUpdateAccount(t *testing.T) {
	e, store, kr := newDesktopEngine(t)
	ctx := context.Background()
	a := newAccount("home")
	if err := e.AddAccount(ctx, a, "pw1"); err != nil {
		t.Fatal(err)
	}
	if err := e.AddAccount(ctx, newAccount("work"), "pw2"); err != nil {
		t.Fatal(err)
	}

	// A rename moves the secret with the account.
	a.Name, a.DisplayName, a.PinnedCertSHA256 = "house", "Alice", strings.Repeat("ab", 32)
	if err := e.UpdateAccount(ctx, a, nil); err != nil {
		t.Fatalf("UpdateAccount(rename) = %v", err)
	}
	if v, _ := kr.Get("house"); v != "pw1" {
		t.Errorf("keyring[house] = %q, want pw1", v)
	}
	if _, err := kr.Get("home"); !errors.Is(err, secrets.ErrNotFound) {
		t.Errorf("keyring[home] after rename = %v, want ErrNotFound", err)
	}
	got, err := store.AccountByName(ctx, "house")
	if err != nil || got.DisplayName != "Alice" || got.PinnedCertSHA256 != a.PinnedCertSHA256 {
		t.Fatalf("stored = %+v, %v", got, err)
	}

	pw := "pw3"
	if err := e.UpdateAccount(ctx, a, &pw); err != nil {
		t.Fatal(err)
	}
	if v, _ := kr.Get("house"); v != "pw3" {
		t.Errorf("keyring[house] = %q, want pw3", v)
	}

	for _, tc := range []struct {
		name string
		edit func(a *mailstore.Account)
		pw   *string
	}{
		{"taken name", func(a *mailstore.Account) { a.Name = "work" }, nil},
		{"invalid port", func(a *mailstore.Account) { a.Port = 0 }, nil},
		{"empty password", func(a *mailstore.Account) {}, new(string)},
	} {
		b := *a
		tc.edit(&b)
		if err := e.UpdateAccount(ctx, &b, tc.pw); err == nil {
			t.Errorf("UpdateAccount(%s) = nil, want an error", tc.name)
		}
	}
	if v, _ := kr.Get("work"); v != "pw2" {
		t.Errorf("a refused update changed work's password to %q", v)
	}
}

func TestRemoveAccountAndMailAndReadState(t *testing.T) {
	e, store, kr := newDesktopEngine(t)
	ctx := context.Background()
	a := newAccount("home")
	if err := e.AddAccount(ctx, a, "pw"); err != nil {
		t.Fatal(err)
	}
	saved, err := store.NewSaver(a.ID).Save(ctx, []mailstore.BatchItem{{UIDL: "u1", Data: []byte("Subject: hi\r\n\r\nbody\r\n")}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if c, err := e.UnreadCounts(ctx); err != nil || c[a.ID] != 1 {
		t.Fatalf("UnreadCounts() = %v, %v; want 1", c, err)
	}
	if _, err := e.SetRead(ctx, []int64{saved[0].ID}, true); err != nil {
		t.Fatal(err)
	}
	if c, _ := e.UnreadCounts(ctx); c[a.ID] != 0 {
		t.Errorf("UnreadCounts() after SetRead = %v, want none", c)
	}
	if err := e.RemoveAccountAndMail(ctx, "home"); err != nil {
		t.Fatalf("RemoveAccountAndMail() = %v", err)
	}
	if n, _ := store.CountMessages(ctx, 0); n != 0 {
		t.Errorf("%d messages left, want 0", n)
	}
	if _, err := kr.Get("home"); !errors.Is(err, secrets.ErrNotFound) {
		t.Errorf("keyring still has home: %v", err)
	}
	var nf *engine.NotFoundError
	if err := e.RemoveAccountAndMail(ctx, "home"); !errors.As(err, &nf) {
		t.Errorf("second RemoveAccountAndMail() = %v, want NotFoundError", err)
	}
}

func TestSessionPasswords(t *testing.T) {
	e, _, kr := newDesktopEngine(t)
	ctx := context.Background()
	if err := e.KeyringAvailable(); err != nil {
		t.Fatalf("KeyringAvailable() = %v with a working store", err)
	}
	e.UseSessionPasswords(true)
	if err := e.AddAccount(ctx, newAccount("home"), "session-only"); err != nil {
		t.Fatal(err)
	}
	if _, err := kr.Get("home"); !errors.Is(err, secrets.ErrNotFound) {
		t.Errorf("session-only password reached the keyring: %v", err)
	}
	e.SetSessionPassword("other", "x")
	if _, err := kr.Get("other"); !errors.Is(err, secrets.ErrNotFound) {
		t.Errorf("SetSessionPassword wrote to the keyring: %v", err)
	}
}
