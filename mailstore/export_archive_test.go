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
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pouchmail/pouch/mailstore"
)

func TestMboxrdRoundTrip(t *testing.T) {
	msgs := []string{
		"Subject: plain\r\n\r\nhello\r\n",
		"Subject: from lines\r\n\r\nFrom me to you\r\n>From quoted\r\n>>From twice\r\nFromage is not a From_ line\r\n",
		"Subject: blank then From\r\n\r\nfirst\r\n\r\nFrom here on\r\n\r\n",
		"Subject: trailing blank lines\r\n\r\nbody\r\n\r\n\r\n",
		"Subject: lone CR\r\n\r\na\rb\r\n",
	}
	var mbox bytes.Buffer
	for _, m := range msgs {
		mailstore.WriteMboxrd(&mbox, []byte(m), "a@example.org", time.Date(2026, 11, 16, 9, 5, 0, 0, time.UTC))
	}
	out := mbox.String()
	for _, want := range []string{"From a@example.org Mon Nov 16 09:05:00 2026\n", "\n>From me to you\n", "\n>>From quoted\n",
		"\n>>>From twice\n", "\nFromage is", "\n>From here on\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("mbox lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\r\n") {
		t.Errorf("mbox has CRLF line ends")
	}
	var got []string
	err := mailstore.ReadMbox(strings.NewReader(out), func(m []byte) error {
		got = append(got, string(mailstore.ToCRLF(m)))
		return nil
	})
	if err != nil {
		t.Fatalf("ReadMbox() = %v", err)
	}
	if !slices.Equal(got, msgs) {
		t.Errorf("round trip:\n got %q\nwant %q", got, msgs)
	}
}

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
