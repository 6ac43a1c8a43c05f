package mailstore_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pouchmail/pouch/mailstore"
	"github.com/pouchmail/pouch/mailstore/mimetext"
)

// save stores raw under uidl as a fetch does, through a Saver, and returns the stored message.
func save(t testing.TB, s *mailstore.Store, accountID int64, uidl string, raw []byte, now time.Time) *mailstore.Message {
	t.Helper()
	ctx := context.Background()
	res, err := s.NewSaver(accountID).Save(ctx, []mailstore.BatchItem{{UIDL: uidl, Data: raw}}, now)
	if err != nil {
		t.Fatalf("Save(%q) = %v, want nil", uidl, err)
	}
	m, err := s.Message(ctx, res[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// saveN stores n small messages for a (UIDLs u0, u1, ...) in one batch and returns their IDs.
func saveN(t *testing.T, s *mailstore.Store, a *mailstore.Account, n int) []int64 {
	t.Helper()
	items := make([]mailstore.BatchItem, n)
	for i := range items {
		raw := fmt.Sprintf("From: x@example.org\r\nSubject: %s %d\r\n\r\nbody\r\n", a.Name, i)
		items[i] = mailstore.BatchItem{UIDL: fmt.Sprintf("u%d", i), Data: []byte(raw)}
	}
	res, err := s.NewSaver(a.ID).Save(context.Background(), items, time.Unix(1700000000, 0))
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, n)
	for i, r := range res {
		ids[i] = r.ID
	}
	return ids
}

func fixtures(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("mimetext", "testdata", "*", "*.eml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	return files
}

// TestSaveFixtures: every message is stored byte for byte, with the display fields its bytes
// give.
func TestSaveFixtures(t *testing.T) {
	s := openTest(t)
	a := newAccount(t, s, "work")
	now := time.Unix(1800000000, 0)
	for _, file := range fixtures(t) {
		name := filepath.ToSlash(filepath.Join(filepath.Base(filepath.Dir(file)), filepath.Base(file)))
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			m := save(t, s, a.ID, name, raw, now)
			got, err := s.Raw(context.Background(), m.ID)
			if err != nil || !bytes.Equal(got, raw) {
				t.Errorf("Raw() = %d bytes, %v; want the %d bytes saved", len(got), err, len(raw))
			}
			sum := sha256.Sum256(raw)
			if m.SHA256 != hex.EncodeToString(sum[:]) || m.Size != int64(len(raw)) {
				t.Errorf("SHA256, Size = %s, %d; want %x, %d", m.SHA256, m.Size, sum, len(raw))
			}
			if m.Account != "work" || m.AccountID != a.ID || m.UIDL != name || !m.Received.Equal(now) {
				t.Errorf("Message() = {Account:%q AccountID:%d UIDL:%q Received:%v}, want {work %d %s %v}",
					m.Account, m.AccountID, m.UIDL, m.Received, a.ID, name, now)
			}
			hd := mimetext.ParseHeaders(raw)
			if !m.Date.Equal(hd.Date) || m.From != hd.From || m.To != hd.To || m.Cc != hd.Cc || m.Subject != hd.Subject ||
				m.MessageID != hd.MessageID || m.HasAttachments != hd.HasAttachments {
				t.Errorf("Message() = %+v, want the fields of %+v", m, hd)
			}
		})
	}
}

func TestSaveErrors(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	a := newAccount(t, s, "work")
	now := time.Now()
	one := func(uidl string, raw []byte) []mailstore.BatchItem {
		return []mailstore.BatchItem{{UIDL: uidl, Data: raw}}
	}
	if _, err := s.NewSaver(12345).Save(ctx, one("u", []byte("x")), now); !errors.Is(err, mailstore.ErrNotFound) {
		t.Errorf("Save(unknown account) = %v, want ErrNotFound", err)
	}
	if _, err := s.NewSaver(a.ID).Save(ctx, one("", []byte("x")), now); err == nil {
		t.Error("Save(empty uidl) = nil, want error")
	}
	m := save(t, s, a.ID, "nil", nil, now)
	if raw, err := s.Raw(ctx, m.ID); err != nil || len(raw) != 0 || raw == nil {
		t.Errorf("Raw(empty) = %q (nil=%v), %v; want empty non-nil", raw, raw == nil, err)
	}
	if _, err := s.Raw(ctx, 999); !errors.Is(err, mailstore.ErrNotFound) {
		t.Errorf("Raw(missing) = %v, want ErrNotFound", err)
	}
	if _, err := s.Message(ctx, 999); !errors.Is(err, mailstore.ErrNotFound) {
		t.Errorf("Message(missing) = %v, want ErrNotFound", err)
	}
}

// TestSaveSizes: inline and chunked messages, read from a File, come back byte for byte; the
// same bytes saved again are linked, not stored twice.
func TestSaveSizes(t *testing.T) {
	s := openTest(t)
	a := newAccount(t, s, "home")
	sv := s.NewSaver(a.ID)
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
		uidl := "u" + strconv.Itoa(size)
		res, err := sv.Save(ctx, []mailstore.BatchItem{{UIDL: uidl, File: bytes.NewReader(raw)}}, now)
		if err != nil {
			t.Fatalf("size %d: %v", size, err)
		}
		m, err := s.Message(ctx, res[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(raw)
		if m.Size != int64(len(raw)) || m.SHA256 != hex.EncodeToString(sum[:]) || res[0].SHA256 != m.SHA256 {
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
		again, err := sv.Save(ctx, []mailstore.BatchItem{{UIDL: uidl, Data: raw}}, now)
		if err != nil || !again[0].Exists || again[0].ID != m.ID {
			t.Errorf("size %d: second save = %+v, %v; want linked to message %d", size, again, err, m.ID)
		}
	}
}

func TestVerifyMessageDetectsTampering(t *testing.T) {
	s := openTest(t)
	a := newAccount(t, s, "home")
	ctx := context.Background()
	m := save(t, s, a.ID, "big", bytes.Repeat([]byte("line of text\r\n"), 200000), time.Now()) // chunked
	if _, err := mailstore.DB(s).Exec(`UPDATE message_chunks SET data = CAST('x' AS BLOB) WHERE message_id = ? AND seq = 1`, m.ID); err != nil {
		t.Fatal(err)
	}
	var ierr *mailstore.IntegrityError
	if err := s.VerifyMessage(ctx, m.ID); !errors.As(err, &ierr) {
		t.Errorf("VerifyMessage of a tampered message = %v, want IntegrityError", err)
	}
	res, err := s.NewSaver(a.ID).Save(ctx, []mailstore.BatchItem{{UIDL: "part", Data: []byte("Subject: p\r\n\r\n"), Partial: true}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	p := res[0]
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
	s := openTest(t)
	a := newAccount(t, s, "home")
	ctx := context.Background()
	mailstore.SetMaxConns(s, 1)
	if _, err := mailstore.DB(s).Exec(`PRAGMA synchronous = NORMAL`); err != nil {
		t.Fatal(err)
	}
	items := []mailstore.BatchItem{{UIDL: "u1", Data: []byte("Subject: x\r\n\r\n")}}
	_, err := s.NewSaver(a.ID).Save(ctx, items, time.Now())
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
	if _, err := s.NewSaver(a.ID).Save(ctx, items, time.Now()); err != nil {
		t.Errorf("save on a FULL connection = %v", err)
	}
}

// TestSaveUIDLCollision: downloaded bytes are never discarded unless the account already holds
// them. A UIDL that names other bytes than the message stored under it (reused by the server
// after a rebuild, or a message changed under it) gives a new message; the earlier one keeps its
// bytes under a retired name, and the ledger follows the new bytes.
func TestSaveUIDLCollision(t *testing.T) {
	ctx := context.Background()
	t0 := time.Unix(1700000000, 0)
	msgA := "Subject: A\r\n\r\nthe first message\r\n"
	msgB := "Subject: B\r\n\r\nanother message under the same UIDL\r\n"
	big := "Subject: big\r\n\r\n" + strings.Repeat("x", mailstore.ChunkSize+10) + "\r\n"
	cases := []struct {
		name        string
		first, then string
		wantNew     bool // the second save stored a new message
	}{
		{"same bytes again", msgA, msgA, false},
		{"other bytes", msgA, msgB, true},
		{"other bytes, chunked", msgA, big, true},
		{"chunked, same bytes again", big, big, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := openTest(t)
			a := newAccount(t, s, "home")
			sv := s.NewSaver(a.ID)
			save := func(raw string, at time.Time) mailstore.BatchResult {
				t.Helper()
				res, err := sv.Save(ctx, []mailstore.BatchItem{{UIDL: "X", Data: []byte(raw)}}, at)
				if err != nil {
					t.Fatal(err)
				}
				return res[0]
			}
			first := save(c.first, t0)
			// The server deleted X (the ledger row is pruned), then lists X again.
			if _, err := s.PruneLedger(ctx, a.ID, nil); err != nil {
				t.Fatal(err)
			}
			t1 := t0.Add(time.Hour)
			if err := s.MarkSeen(ctx, a.ID, []string{"X"}, t1); err != nil {
				t.Fatal(err)
			}
			second := save(c.then, t1)
			n, _ := s.CountMessages(ctx, a.ID)
			l, _ := s.Ledger(ctx, a.ID)
			le := l["X"]
			if !c.wantNew {
				if !second.Exists || second.ID != first.ID || n != 1 || le.MessageID != first.ID {
					t.Fatalf("second save = %+v, %d stored, ledger %+v; want linked to message %d", second, n, le, first.ID)
				}
				return
			}
			if second.Exists || second.ID == first.ID || second.Replaced != first.ID || n != 2 {
				t.Fatalf("second save = %+v, %d stored; want a new message replacing %d", second, n, first.ID)
			}
			if le.MessageID != second.ID || le.SHA256 != second.SHA256 || le.Size != int64(len(c.then)) {
				t.Errorf("ledger = %+v, want it on the new bytes (message %d)", le, second.ID)
			}
			for id, want := range map[int64]string{first.ID: c.first, second.ID: c.then} {
				raw, err := s.Raw(ctx, id)
				if err != nil || string(raw) != want {
					t.Errorf("message %d holds %d bytes, %v; want its own bytes", id, len(raw), err)
				}
			}
			old, _ := s.Message(ctx, first.ID)
			if old.UIDL != mailstore.RetiredUIDL("X", first.ID) {
				t.Errorf("earlier message's UIDL = %q, want it retired", old.UIDL)
			}
			// A swap back to the first bytes: that copy takes the UIDL again, nothing is stored.
			third := save(c.first, t1.Add(time.Hour))
			if !third.Exists || third.ID != first.ID || third.Replaced != second.ID {
				t.Errorf("swap back = %+v, want linked to message %d", third, first.ID)
			}
			if n, _ := s.CountMessages(ctx, a.ID); n != 2 {
				t.Errorf("%d messages after the swap back, want 2", n)
			}
			if r, err := s.Check(ctx, false); err != nil || r.Problems() != 0 {
				t.Errorf("Check() = %+v, %v; want a clean archive", r, err)
			}
		})
	}
}

// TestLedgerFollowsNewBytes: when a UIDL whose row is still in the ledger is downloaded again
// with other bytes, the row is about a new message: first seen now, an old delete request gone.
func TestLedgerFollowsNewBytes(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	a := newAccount(t, s, "home")
	sv := s.NewSaver(a.ID)
	t0 := time.Unix(1700000000, 0)
	if err := s.MarkSeen(ctx, a.ID, []string{"Y"}, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := sv.Save(ctx, []mailstore.BatchItem{{UIDL: "Y", Data: []byte("Subject: C\r\n\r\nc\r\n")}}, t0); err != nil {
		t.Fatal(err)
	}
	if err := s.RequestServerDelete(ctx, a.ID, []string{"Y"}, t0); err != nil {
		t.Fatal(err)
	}
	t1 := t0.Add(48 * time.Hour)
	if _, err := sv.Save(ctx, []mailstore.BatchItem{{UIDL: "Y", Data: []byte("Subject: D\r\n\r\nd\r\n")}}, t1); err != nil {
		t.Fatal(err)
	}
	le := (func() mailstore.LedgerEntry { l, _ := s.Ledger(ctx, a.ID); return l["Y"] })()
	if !le.FirstSeen.Equal(t1) || le.DeleteRequested != nil {
		t.Errorf("ledger row = %+v; want first seen %v and no delete request", le, t1)
	}
}

// FuzzSave feeds arbitrary bytes to the Saver: every input is stored byte for byte.
func FuzzSave(f *testing.F) {
	for _, file := range fixtures(f) {
		raw, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	s := openTest(f)
	a := newAccount(f, s, "fuzz")
	var n atomic.Int64
	f.Fuzz(func(t *testing.T, raw []byte) {
		m := save(t, s, a.ID, "f"+strconv.FormatInt(n.Add(1), 10), raw, time.Unix(1700000000, 0))
		got, err := s.Raw(context.Background(), m.ID)
		if err != nil || !bytes.Equal(got, raw) {
			t.Fatalf("Raw() = %d bytes, %v; want the %d bytes saved", len(got), err, len(raw))
		}
	})
}
