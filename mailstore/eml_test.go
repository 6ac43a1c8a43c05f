package mailstore_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pouchmail/pouch/mailstore"
)

func TestEMLName(t *testing.T) {
	d := time.Date(2026, 11, 16, 9, 15, 0, 0, time.Local)
	tests := []struct{ subject, want string }{
		{"Lunch on Friday?", "2026-11-16 09.15 Lunch on Friday_"},
		{"../../etc/passwd", "2026-11-16 09.15 .._.._etc_passwd"},
		{"a\tb\x00c  <d>:|*", "2026-11-16 09.15 a b_c _d____"},
		{"", "2026-11-16 09.15 no subject"},
		{"...", "2026-11-16 09.15 no subject"},
		{"Café crème", "2026-11-16 09.15 Café crème"},
		{strings.Repeat("é", 60), "2026-11-16 09.15 " + strings.Repeat("é", 40)},
	}
	for _, tt := range tests {
		if got := mailstore.EMLName(&mailstore.Message{Subject: tt.subject, Date: d}); got != tt.want {
			t.Errorf("EMLName(%q) = %q, want %q", tt.subject, got, tt.want)
		}
	}
	if got := mailstore.EMLName(&mailstore.Message{Subject: "x", Received: d}); got != "2026-11-16 09.15 x" {
		t.Errorf("EMLName without Date = %q, want the received time", got)
	}
}

// TestImportLargeEML: a message larger than ChunkSize is imported in chunks, byte for byte in
// wire form, and skipped when imported again.
func TestImportLargeEML(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	a := newAccount(t, s, "home")
	path := filepath.Join(t.TempDir(), "big.eml")
	lf := "Subject: big\n\n" + strings.Repeat("a line of the body\n", 3*mailstore.ChunkSize/19)
	if err := os.WriteFile(path, []byte(lf), 0o600); err != nil {
		t.Fatal(err)
	}
	for i, want := range []mailstore.ImportResult{{Imported: 1}, {Skipped: 1}} {
		if res, err := s.Import(ctx, a.ID, mailstore.FormatEML, path, time.Now(), nil); err != nil || res != want {
			t.Fatalf("import %d = %+v, %v; want %+v", i+1, res, err, want)
		}
	}
	ms, err := s.Messages(ctx, mailstore.Filter{})
	if err != nil || len(ms) != 1 {
		t.Fatalf("Messages() = %d, %v; want 1", len(ms), err)
	}
	raw, err := s.Raw(ctx, ms[0].ID)
	if err != nil || !bytes.Equal(raw, mailstore.ToCRLF([]byte(lf))) || ms[0].Subject != "big" {
		t.Errorf("Raw() = %d bytes, %v, subject %q; want the file in CRLF form", len(raw), err, ms[0].Subject)
	}
	if ms[0].UIDL != mailstore.ImportUIDLPrefix+ms[0].SHA256 {
		t.Errorf("UIDL = %q, want import:<sha256>", ms[0].UIDL)
	}
	if err := s.VerifyMessage(ctx, ms[0].ID); err != nil {
		t.Errorf("VerifyMessage() = %v", err)
	}
	var chunks int
	if err := mailstore.DB(s).QueryRow(`SELECT count(*) FROM message_chunks WHERE message_id = ?`, ms[0].ID).Scan(&chunks); err != nil || chunks < 3 {
		t.Errorf("%d chunks, %v; want the message stored in chunks", chunks, err)
	}
}
