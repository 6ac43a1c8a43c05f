package mailstore_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pouchmail/pouch/mailstore"
)

func syncStore(t *testing.T) (*mailstore.Store, *mailstore.Account) {
	t.Helper()
	ctx := context.Background()
	s, err := mailstore.Open(ctx, filepath.Join(t.TempDir(), "pouch.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	a := &mailstore.Account{Name: "home", Host: "h", Port: 995, Security: mailstore.SecurityTLS, Username: "u"}
	if err := s.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	return s, a
}

func TestSaveMessageFromSizes(t *testing.T) {
	s, a := syncStore(t)
	ctx := context.Background()
	now := time.Unix(1700000000, 0)
	head := "Subject: sized\r\nFrom: A <a@example.com>\r\n\r\n"
	for _, size := range []int{0, 10, mailstore.ChunkSize - 1, mailstore.ChunkSize, mailstore.ChunkSize + 1, 3*mailstore.ChunkSize + 17} {
		raw := []byte(head)
		for len(raw) < size {
			raw = append(raw, byte('a'+len(raw)%26))
		}
		raw = raw[:max(size, len(head))]
		if size == 0 {
			raw = []byte{}
		}
		uidl := "u" + strings.Repeat("x", size%7) + string(rune('A'+size%26)) + hex.EncodeToString([]byte{byte(size), byte(size >> 8), byte(size >> 16)})
		m, err := s.SaveMessageFrom(ctx, a.ID, uidl, bytes.NewReader(raw), now)
		if err != nil {
			t.Fatalf("size %d: %v", size, err)
		}
		sum := sha256.Sum256(raw)
		if m.Size != int64(len(raw)) || m.SHA256 != hex.EncodeToString(sum[:]) {
			t.Errorf("size %d: saved %+v", size, m)
		}
		got, err := s.Raw(ctx, m.ID)
		if err != nil || !bytes.Equal(got, raw) {
			t.Errorf("size %d: Raw = %d bytes, %v", size, len(got), err)
		}
		rc, err := s.OpenRaw(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		streamed, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || !bytes.Equal(streamed, raw) {
			t.Errorf("size %d: OpenRaw = %d bytes, %v", size, len(streamed), err)
		}
		if err := s.VerifyMessage(ctx, m.ID); err != nil {
			t.Errorf("size %d: VerifyMessage = %v", size, err)
		}
		if size > 0 && m.Subject != "sized" {
			t.Errorf("size %d: subject %q", size, m.Subject)
		}
		if _, err := s.SaveMessageFrom(ctx, a.ID, uidl, bytes.NewReader(raw), now); !errors.Is(err, mailstore.ErrExists) {
			t.Errorf("size %d: second save = %v, want ErrExists", size, err)
		}
	}
}

func TestVerifyMessageDetectsTampering(t *testing.T) {
	s, a := syncStore(t)
	ctx := context.Background()
	raw := bytes.Repeat([]byte("line of text\r\n"), 200000) // chunked
	m, err := s.SaveMessageFrom(ctx, a.ID, "big", bytes.NewReader(raw), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mailstore.DB(s).Exec(`UPDATE message_chunks SET data = CAST('x' AS BLOB) WHERE message_id = ? AND seq = 1`, m.ID); err != nil {
		t.Fatal(err)
	}
	var ierr *mailstore.IntegrityError
	if err := s.VerifyMessage(ctx, m.ID); !errors.As(err, &ierr) {
		t.Errorf("VerifyMessage of a tampered message = %v, want IntegrityError", err)
	}
	p, err := s.SaveMessageWith(ctx, a.ID, "part", strings.NewReader("Subject: p\r\n\r\n"), time.Now(), mailstore.SaveOptions{Partial: true})
	if err != nil {
		t.Fatal(err)
	}
	var perr *mailstore.PartialError
	if err := s.VerifyMessage(ctx, p.ID); !errors.As(err, &perr) {
		t.Errorf("VerifyMessage of a partial message = %v, want PartialError", err)
	}
	full := "Subject: p\r\n\r\n" + strings.Repeat("body\r\n", 300000)
	r, err := s.ReplaceMessageFrom(ctx, p.ID, strings.NewReader(full))
	if err != nil || r.ID != p.ID || r.Partial || r.Size != int64(len(full)) {
		t.Fatalf("ReplaceMessageFrom = %+v, %v", r, err)
	}
	if err := s.VerifyMessage(ctx, p.ID); err != nil {
		t.Errorf("VerifyMessage after replace = %v", err)
	}
}

// TestSaveRefusesNonDurableConnection: the synchronous=FULL check runs on the connection the
// save's own transaction uses.
func TestSaveRefusesNonDurableConnection(t *testing.T) {
	s, a := syncStore(t)
	ctx := context.Background()
	mailstore.SetMaxConns(s, 1)
	if _, err := mailstore.DB(s).Exec(`PRAGMA synchronous = NORMAL`); err != nil {
		t.Fatal(err)
	}
	_, err := s.SaveMessageFrom(ctx, a.ID, "u1", strings.NewReader("Subject: x\r\n\r\n"), time.Now())
	var derr *mailstore.DurabilityError
	if !errors.As(err, &derr) {
		t.Fatalf("save on a synchronous=NORMAL connection = %v, want DurabilityError", err)
	}
	if n, _ := s.CountMessages(ctx, a.ID); n != 0 {
		t.Errorf("%d messages stored, want the save rolled back", n)
	}
	if _, err := mailstore.DB(s).Exec(`PRAGMA synchronous = FULL`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveMessageFrom(ctx, a.ID, "u1", strings.NewReader("Subject: x\r\n\r\n"), time.Now()); err != nil {
		t.Errorf("save on a FULL connection = %v", err)
	}
}

// TestPruneLedgerRule: the ledger describes what the server lists now. Every row of a UIDL no
// longer listed goes, a purged copy's row with a delete request included: kept, a later reuse
// of the UIDL would be DELEd with no download at all.
func TestPruneLedgerRule(t *testing.T) {
	s, a := syncStore(t)
	ctx := context.Background()
	now := time.Unix(1700000000, 0)
	// stored: downloaded, stored here; purged: downloaded, local copy gone, server deletion
	// requested; deleted: deleted by us; never: never downloaded; listed and requested: still on
	// the server.
	all := []string{"stored", "purged", "deleted", "never", "listed", "requested"}
	if err := s.MarkSeen(ctx, a.ID, all, now); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"stored", "purged", "deleted", "listed", "requested"} {
		if _, err := s.SaveMessageFrom(ctx, a.ID, u, strings.NewReader("Subject: "+u+"\r\n\r\n"), now); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.RequestServerDelete(ctx, a.ID, []string{"purged", "requested"}, now); err != nil {
		t.Fatal(err)
	}
	if _, err := mailstore.DB(s).Exec(`DELETE FROM messages WHERE uidl IN ('purged', 'requested')`); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkDeleted(ctx, a.ID, []string{"deleted"}, now); err != nil {
		t.Fatal(err)
	}
	n, err := s.PruneLedger(ctx, a.ID, []string{"listed", "requested"})
	if err != nil {
		t.Fatal(err)
	}
	l, _ := s.Ledger(ctx, a.ID)
	if n != 4 || len(l) != 2 || l["requested"].DeleteRequested == nil || l["listed"].MessageID == 0 {
		t.Errorf("pruned %d, ledger %v; want every unlisted row pruned, the listed ones kept as they were", n, l)
	}
}
