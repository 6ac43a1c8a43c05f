package mailstore_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pouchmail/pouch/mailstore"
)

func TestToCRLFAndToLF(t *testing.T) {
	for _, tt := range []struct{ lf, crlf string }{
		{"", ""}, {"a", "a"}, {"a\nb\n", "a\r\nb\r\n"}, {"\n\n", "\r\n\r\n"}, {"a\r\nb\n", "a\r\nb\r\n"}, {"a\rb", "a\rb"},
	} {
		if got := string(mailstore.ToCRLF([]byte(tt.lf))); got != tt.crlf {
			t.Errorf("ToCRLF(%q) = %q, want %q", tt.lf, got, tt.crlf)
		}
		if got := string(mailstore.ToLF([]byte(tt.crlf))); got != strings.ReplaceAll(tt.crlf, "\r\n", "\n") {
			t.Errorf("ToLF(%q) = %q", tt.crlf, got)
		}
	}
}

func allIDs(t *testing.T, s *mailstore.Store) []int64 {
	t.Helper()
	ms, err := s.Messages(context.Background(), mailstore.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	return ids
}

func raws(t *testing.T, s *mailstore.Store) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, id := range allIDs(t, s) {
		raw, err := s.Raw(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(raw)
		out[hex.EncodeToString(sum[:])] = raw
	}
	return out
}

func TestExportFormats(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	ids := seedSearch(t, s)
	if _, err := mailstore.DB(s).Exec(`UPDATE messages SET read = 1 WHERE id = ?`, ids["lunch"]); err != nil {
		t.Fatal(err)
	}
	want := raws(t, s)
	all := allIDs(t, s)
	dir := t.TempDir()

	t.Run("mbox", func(t *testing.T) {
		path := filepath.Join(dir, "all.mbox")
		var last [2]int
		n, err := s.Export(ctx, mailstore.FormatMbox, path, all, func(done, total int) { last = [2]int{done, total} })
		if err != nil || n != len(all) || last != [2]int{len(all), len(all)} {
			t.Fatalf("Export(mbox) = %d, %v (progress %v); want %d", n, err, last, len(all))
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		got := map[string]bool{}
		err = mailstore.ReadMbox(f, func(m []byte) error {
			if bytes.Contains(m, []byte("\r")) {
				t.Errorf("mbox message has CR: %q", m)
			}
			sum := sha256.Sum256(mailstore.ToCRLF(m))
			got[hex.EncodeToString(sum[:])] = true
			return nil
		})
		if err != nil || len(got) != len(want) {
			t.Fatalf("ReadMbox() = %v, %d messages; want %d", err, len(got), len(want))
		}
		for h := range want {
			if !got[h] {
				t.Errorf("message %s missing from the mbox round trip", h[:12])
			}
		}
		if _, err := s.Export(ctx, mailstore.FormatMbox, path, all, nil); err == nil {
			t.Errorf("Export(mbox) over an existing file = nil, want an error")
		}
	})

	t.Run("eml", func(t *testing.T) {
		out := filepath.Join(dir, "eml")
		for range 2 {
			if n, err := s.Export(ctx, mailstore.FormatEML, out, all, nil); err != nil || n != len(all) {
				t.Fatalf("Export(eml) = %d, %v", n, err)
			}
		}
		entries, err := os.ReadDir(out)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 2*len(all) {
			t.Fatalf("%d files after two exports, want %d", len(entries), 2*len(all))
		}
		m, _ := s.Message(ctx, ids["lunch"])
		base := mailstore.EMLName(m)
		for _, name := range []string{base + ".eml", base + " (2).eml"} {
			b, err := os.ReadFile(filepath.Join(out, name))
			if err != nil {
				t.Fatalf("expected file %q: %v", name, err)
			}
			if !bytes.Equal(b, want[m.SHA256]) {
				t.Errorf("%s differs from the raw message", name)
			}
		}
	})

	t.Run("maildir", func(t *testing.T) {
		out := filepath.Join(dir, "Maildir")
		if n, err := s.Export(ctx, mailstore.FormatMaildir, out, all, nil); err != nil || n != len(all) {
			t.Fatalf("Export(maildir) = %d, %v", n, err)
		}
		tmp, _ := os.ReadDir(filepath.Join(out, "tmp"))
		if len(tmp) != 0 {
			t.Errorf("tmp holds %d files after export, want 0", len(tmp))
		}
		cur, _ := os.ReadDir(filepath.Join(out, "cur"))
		nw, _ := os.ReadDir(filepath.Join(out, "new"))
		if len(cur) != 1 || !strings.HasSuffix(cur[0].Name(), ":2,S") || len(nw) != len(all)-1 {
			t.Fatalf("cur = %v, new has %d; want the read message in cur with :2,S and %d in new", cur, len(nw), len(all)-1)
		}
		got := map[string]bool{}
		err := filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			if strings.Contains(strings.TrimSuffix(d.Name(), ":2,S"), ":") {
				t.Errorf("Maildir name %q has a ':' outside the info part", d.Name())
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if bytes.Contains(b, []byte("\r\n")) {
				t.Errorf("%s has CRLF", d.Name())
			}
			sum := sha256.Sum256(mailstore.ToCRLF(b))
			got[hex.EncodeToString(sum[:])] = true
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for h := range want {
			if !got[h] {
				t.Errorf("message %s missing from the Maildir", h[:12])
			}
		}
	})

	if _, err := s.Export(ctx, mailstore.Format("zip"), filepath.Join(dir, "x"), all, nil); err == nil {
		t.Errorf("Export(zip) = nil, want an error")
	}
	if _, err := s.Export(ctx, mailstore.FormatEML, filepath.Join(dir, "missing"), []int64{999999}, nil); !errors.Is(err, mailstore.ErrNotFound) {
		t.Errorf("Export of an unknown ID = %v, want ErrNotFound", err)
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
