package mailstore_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/pouchmail/pouch/mailstore"
)

func testAccount(name string) *mailstore.Account {
	return &mailstore.Account{
		Name:      name,
		Host:      "pop.example.org",
		Port:      995,
		Security:  mailstore.SecurityTLS,
		Username:  name + "@example.org",
		LeaveDays: 7,
		Interval:  5 * time.Minute,
	}
}

func newAccount(t testing.TB, s *mailstore.Store, name string) *mailstore.Account {
	t.Helper()
	a := testAccount(name)
	if err := s.CreateAccount(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestAccountCRUD(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()

	pem := []byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
	tests := []*mailstore.Account{
		testAccount("work"),
		{Name: "home", Host: "localhost", Port: 110, Security: mailstore.SecurityNone, Username: "me", KeepForever: true, Interval: time.Hour},
		{Name: "lab", Host: "10.0.0.1", Port: 110, Security: mailstore.SecurityStartTLS, Username: "u", CACertPEM: pem, Interval: 90 * time.Second},
		{Name: "full", Host: "pop.example.net", Port: 995, Security: mailstore.SecurityTLS, Username: "f", Interval: time.Hour,
			DisplayName: "Fiona Example", Address: "fiona@example.net", AuthMethod: "SCRAM-SHA-256", DeleteOnServer: true,
			SizeLimit: 5 << 20, PinnedCertSHA256: "ab12"},
	}
	before := time.Now().Add(-time.Second)
	for _, a := range tests {
		if err := s.CreateAccount(ctx, a); err != nil {
			t.Fatalf("CreateAccount(%q) = %v, want nil", a.Name, err)
		}
		if a.ID == 0 {
			t.Errorf("CreateAccount(%q) left ID 0", a.Name)
		}
		if a.Created.Before(before) || a.Created.After(time.Now()) {
			t.Errorf("CreateAccount(%q) Created = %v, want about now", a.Name, a.Created)
		}
	}

	for _, want := range tests {
		t.Run(want.Name, func(t *testing.T) {
			got, err := s.AccountByName(ctx, want.Name)
			if err != nil {
				t.Fatalf("AccountByName(%q) = %v, want nil", want.Name, err)
			}
			if !equalAccount(got, want) {
				t.Errorf("AccountByName(%q) = %+v, want %+v", want.Name, got, want)
			}
		})
	}

	all, err := s.Accounts(ctx)
	if err != nil {
		t.Fatalf("Accounts() = %v, want nil", err)
	}
	var names []string
	for _, a := range all {
		names = append(names, a.Name)
	}
	if got, want := names, []string{"full", "home", "lab", "work"}; !slices.Equal(got, want) {
		t.Errorf("Accounts() names = %q, want %q (ordered by name)", got, want)
	}

	// Update every field.
	a := tests[0]
	a.Name, a.Host, a.Port, a.Security = "office", "pop3.example.com", 110, mailstore.SecurityStartTLS
	a.Username, a.LeaveDays, a.KeepForever, a.CACertPEM, a.Interval = "x", 0, true, pem, 10*time.Minute
	if err := s.UpdateAccount(ctx, a); err != nil {
		t.Fatalf("UpdateAccount() = %v, want nil", err)
	}
	got, err := s.AccountByName(ctx, "office")
	if err != nil {
		t.Fatalf("AccountByName(office) = %v, want nil", err)
	}
	if !equalAccount(got, a) {
		t.Errorf("after UpdateAccount: %+v, want %+v", got, a)
	}
	if _, err := s.AccountByName(ctx, "work"); !errors.Is(err, mailstore.ErrNotFound) {
		t.Errorf("AccountByName(old name) = %v, want ErrNotFound", err)
	}

	// Clearing the certificate stores nil.
	a.CACertPEM = nil
	if err := s.UpdateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Account(ctx, a.ID); got.CACertPEM != nil {
		t.Errorf("CACertPEM = %q after clearing, want nil", got.CACertPEM)
	}

	missing := testAccount("ghost")
	missing.ID = 9999
	if err := s.UpdateAccount(ctx, missing); !errors.Is(err, mailstore.ErrNotFound) {
		t.Errorf("UpdateAccount(missing) = %v, want ErrNotFound", err)
	}
	if err := s.DeleteAccount(ctx, 9999, false); !errors.Is(err, mailstore.ErrNotFound) {
		t.Errorf("DeleteAccount(missing) = %v, want ErrNotFound", err)
	}
	if _, err := s.AccountByName(ctx, "nobody"); !errors.Is(err, mailstore.ErrNotFound) {
		t.Errorf("AccountByName(nobody) = %v, want ErrNotFound", err)
	}
}

func TestAccountDuplicateName(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	if err := s.CreateAccount(ctx, testAccount("work")); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateAccount(ctx, testAccount("work")); !errors.Is(err, mailstore.ErrExists) {
		t.Errorf("CreateAccount(duplicate) = %v, want ErrExists", err)
	}
	other := testAccount("home")
	if err := s.CreateAccount(ctx, other); err != nil {
		t.Fatal(err)
	}
	other.Name = "work"
	if err := s.UpdateAccount(ctx, other); !errors.Is(err, mailstore.ErrExists) {
		t.Errorf("UpdateAccount(rename to taken name) = %v, want ErrExists", err)
	}
}

func TestAccountInvalidSecurityRejected(t *testing.T) {
	s := openTest(t)
	a := testAccount("bad")
	a.Security = "ssl3"
	if err := s.CreateAccount(context.Background(), a); err == nil {
		t.Error("CreateAccount(security ssl3) = nil, want error")
	}
}

func TestDeleteAccountKeepsMessages(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	a, keep := newAccount(t, s, "old"), newAccount(t, s, "other")
	now := time.Unix(1700000000, 0)
	m := save(t, s, a.ID, "u1", []byte("Subject: kept\r\n\r\nbody\r\n"), now)
	if err := s.MarkSeen(ctx, a.ID, []string{"u1", "u2"}, now); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkSeen(ctx, keep.ID, []string{"k1"}, now); err != nil {
		t.Fatal(err)
	}
	// Renamed before deletion: the archive shows the last name.
	a.Name = "renamed"
	if err := s.UpdateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Message(ctx, m.ID); got.Account != "renamed" {
		t.Errorf("Message().Account = %q after rename, want %q", got.Account, "renamed")
	}

	if err := s.DeleteAccount(ctx, a.ID, false); err != nil {
		t.Fatalf("DeleteAccount() = %v, want nil", err)
	}
	got, err := s.Message(ctx, m.ID)
	if err != nil {
		t.Fatalf("Message() after DeleteAccount = %v, want the message kept", err)
	}
	if got.AccountID != 0 || got.Account != "renamed" || got.Subject != "kept" {
		t.Errorf("Message() = {AccountID:%d Account:%q Subject:%q}, want {0 renamed kept}", got.AccountID, got.Account, got.Subject)
	}
	if raw, err := s.Raw(ctx, m.ID); err != nil || !bytes.Contains(raw, []byte("kept")) {
		t.Errorf("Raw() = %q, %v; want the raw bytes kept", raw, err)
	}
	if n, _ := s.CountMessages(ctx, 0); n != 1 {
		t.Errorf("CountMessages(all) = %d, want 1", n)
	}
	l, err := s.Ledger(ctx, a.ID)
	if err != nil || len(l) != 0 {
		t.Errorf("Ledger(deleted account) = %d entries, %v; want 0, nil", len(l), err)
	}
	if l, _ := s.Ledger(ctx, keep.ID); len(l) != 1 {
		t.Errorf("Ledger(other account) = %d entries, want 1 (untouched)", len(l))
	}

	// A new account with the same name does not claim the old messages, and
	// may download the same UIDL again.
	b := testAccount("renamed")
	if err := s.CreateAccount(ctx, b); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.CountMessages(ctx, b.ID); n != 0 {
		t.Errorf("CountMessages(new account) = %d, want 0", n)
	}
	save(t, s, b.ID, "u1", []byte("Subject: again\r\n\r\n"), now)
}

func TestDeleteAccountWithMessages(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	home, work := newAccount(t, s, "home"), newAccount(t, s, "work")
	saveN(t, s, home, 4)
	saveN(t, s, work, 2)
	if err := s.DeleteAccount(ctx, home.ID, true); err != nil {
		t.Fatalf("DeleteAccount(with messages) = %v", err)
	}
	if _, err := s.AccountByName(ctx, "home"); !errors.Is(err, mailstore.ErrNotFound) {
		t.Errorf("AccountByName(home) = %v, want ErrNotFound", err)
	}
	ms, err := s.Messages(ctx, mailstore.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[0].Account != "work" {
		t.Errorf("messages left = %d (%+v), want work's 2", len(ms), ms)
	}
	if err := s.DeleteAccount(ctx, home.ID, true); !errors.Is(err, mailstore.ErrNotFound) {
		t.Errorf("second DeleteAccount(with messages) = %v, want ErrNotFound", err)
	}
}

func equalAccount(a, b *mailstore.Account) bool {
	return a.ID == b.ID && a.Name == b.Name && a.Host == b.Host && a.Port == b.Port &&
		a.Security == b.Security && a.Username == b.Username && a.LeaveDays == b.LeaveDays &&
		a.KeepForever == b.KeepForever && bytes.Equal(a.CACertPEM, b.CACertPEM) &&
		a.Interval == b.Interval && a.Created.Equal(b.Created) &&
		a.DisplayName == b.DisplayName && a.Address == b.Address && a.AuthMethod == b.AuthMethod &&
		a.DeleteOnServer == b.DeleteOnServer && a.SizeLimit == b.SizeLimit && a.PinnedCertSHA256 == b.PinnedCertSHA256
}
