package mailstore_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pouchmail/pouch/mailstore"
)

func newAccount(t *testing.T, s *mailstore.Store, name string) *mailstore.Account {
	t.Helper()
	a := testAccount(name)
	if err := s.CreateAccount(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestImportThunderbirdMbox(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	a := newAccount(t, s, "home")
	path := filepath.Join("testdata", "mbox", "thunderbird.mbox")
	res, err := s.Import(ctx, a.ID, mailstore.FormatMbox, path, time.Now(), nil)
	if err != nil || res.Imported != 4 || res.Skipped != 0 {
		t.Fatalf("Import() = %+v, %v; want 4 imported", res, err)
	}
	ms, err := s.Messages(ctx, mailstore.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	bySubject := map[string]mailstore.Message{}
	for _, m := range ms {
		bySubject[m.Subject] = m
		if m.UIDL != mailstore.ImportUIDLPrefix+m.SHA256 || m.Account != "home" {
			t.Errorf("message %q: UIDL %q account %q, want import:<sha256> in home", m.Subject, m.UIDL, m.Account)
		}
	}
	wantBodies := map[string]string{
		"Lunch on Friday?":           "\r\n\r\nHi Alice,\r\nFrom the window you can see the corner.\r\nFrom the corner it is two minutes.\r\n\r\nAnna\r\n",
		"Café con leña":              "\r\n\r\nTwo blank lines follow, then a line that only looks like a separator.\r\n\r\n\r\nFrom here on it is body text.\r\n",
		"Last one, no final newline": "\r\n\r\nThe end.\r\n",
	}
	for subject, suffix := range wantBodies {
		m, ok := bySubject[subject]
		if !ok {
			t.Errorf("no message %q among %v", subject, ms)
			continue
		}
		raw, _ := s.Raw(ctx, m.ID)
		if !strings.HasSuffix(string(raw), suffix) || strings.Contains(strings.ReplaceAll(string(raw), "\r\n", ""), "\n") {
			t.Errorf("raw of %q = %q, want CRLF lines ending in %q", subject, raw, suffix)
		}
	}
	if m := bySubject["Quarterly report (with attachment)"]; !m.HasAttachments || m.From != "Bob Martin <bob@example.net>" {
		t.Errorf("report = %+v, want parsed headers with an attachment", m)
	}
	// Imports never create ledger rows: nothing may ever be deleted on a server because of them.
	l, err := s.Ledger(ctx, a.ID)
	if err != nil || len(l) != 0 {
		t.Errorf("Ledger() after import = %v, %v; want empty", l, err)
	}
	// A second import skips everything.
	res, err = s.Import(ctx, a.ID, mailstore.FormatMbox, path, time.Now(), nil)
	if err != nil || res.Imported != 0 || res.Skipped != 4 {
		t.Errorf("second Import() = %+v, %v; want 4 skipped", res, err)
	}
	// Imported messages are searchable.
	if _, err := s.IndexAll(ctx, nil); err != nil {
		t.Fatal(err)
	}
	q, _ := mailstore.ParseQuery("corner has:attachment")
	if got, _ := s.Search(ctx, q, 0); len(got) != 0 {
		t.Errorf("search corner has:attachment = %v, want none", got)
	}
	q, _ = mailstore.ParseQuery(`"two minutes"`)
	if got, _ := s.Search(ctx, q, 0); len(got) != 1 || got[0].Subject != "Lunch on Friday?" {
		t.Errorf(`search "two minutes" = %v, want the lunch message`, got)
	}
}

// TestExportImportRoundTrip: each format, exported and imported into a fresh archive, gives
// the same set of hashes; importing into the original archive skips every message.
func TestExportImportRoundTrip(t *testing.T) {
	ctx := context.Background()
	src := openTest(t)
	seedSearch(t, src)
	want := raws(t, src)
	all := allIDs(t, src)
	for _, f := range []mailstore.Format{mailstore.FormatMbox, mailstore.FormatMaildir, mailstore.FormatEML} {
		t.Run(string(f), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "export")
			if _, err := src.Export(ctx, f, out, all, nil); err != nil {
				t.Fatal(err)
			}
			dst := openTest(t)
			a := newAccount(t, dst, "imported")
			var last [2]int
			res, err := dst.Import(ctx, a.ID, f, out, time.Now(), func(done, total int) { last = [2]int{done, total} })
			if err != nil || res.Imported != len(want) || last != [2]int{len(want), len(want)} {
				t.Fatalf("Import() = %+v, %v (progress %v); want %d", res, err, last, len(want))
			}
			got := raws(t, dst)
			for h := range want {
				if _, ok := got[h]; !ok {
					t.Errorf("hash %s lost in the round trip", h[:12])
				}
			}
			if len(got) != len(want) {
				t.Errorf("%d messages after import, want %d", len(got), len(want))
			}
			res, err = src.Import(ctx, 1, f, out, time.Now(), nil)
			if err != nil || res.Skipped != len(want) || res.Imported != 0 {
				t.Errorf("Import() into the source = %+v, %v; want all skipped", res, err)
			}
		})
	}
}

func TestImportErrors(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	a := newAccount(t, s, "home")
	dir := t.TempDir()
	notMbox := filepath.Join(dir, "notes.txt")
	os.WriteFile(notMbox, []byte("just some notes\nFrom me\n"), 0o600)
	var ie *mailstore.ImportError
	if _, err := s.Import(ctx, a.ID, mailstore.FormatMbox, notMbox, time.Now(), nil); !errors.As(err, &ie) || ie.Path != notMbox {
		t.Errorf("Import(not an mbox) = %v, want an *ImportError naming the file", err)
	}
	if _, err := s.Import(ctx, a.ID, mailstore.FormatMaildir, dir, time.Now(), nil); !errors.As(err, &ie) {
		t.Errorf("Import(not a Maildir) = %v, want an *ImportError", err)
	}
	if _, err := s.Import(ctx, a.ID, mailstore.FormatEML, filepath.Join(dir, "missing"), time.Now(), nil); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Import(missing) = %v, want ErrNotExist", err)
	}
	if _, err := s.Import(ctx, 999, mailstore.FormatEML, dir, time.Now(), nil); !errors.Is(err, mailstore.ErrNotFound) {
		t.Errorf("Import(unknown account) = %v, want ErrNotFound", err)
	}
	if n, _ := s.CountMessages(ctx, 0); n != 0 {
		t.Errorf("%d messages stored by failed imports, want 0", n)
	}
}
