package e2e

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pouchmail/pouch/pop3/pop3test"
)

// TestArchiveExportImportSearch is the local archive's end-to-end promise: a corpus fetched
// from Dovecot and exported as Maildir is byte-identical to the server's own Maildir; an mbox
// export imported into a fresh data dir gives the same set of hashes; search finds what it
// should; check finds nothing wrong.
func TestArchiveExportImportSearch(t *testing.T) {
	d := pop3test.NewDovecot(t, nil)
	corp := loadCorpus(t)
	corp.deliver(t, d, "alice")
	c := newCLI(t)
	host, port, _ := strings.Cut(d.TLSAddr, ":")
	c.ok("secret-pw\n", "account", "add", "--name", "home", "--host", host, "--port", port,
		"--user", "alice", "--password-stdin", "--ca-file", d.CertFile, "--keep-forever")
	c.ok("", "fetch", "--json")
	fetchedMsgs := decode[[]listed](t, c.ok("", "list", "--json"))
	if len(fetchedMsgs) != len(corp.files) {
		t.Fatalf("fetched %d messages, want %d", len(fetchedMsgs), len(corp.files))
	}

	t.Run("maildir export equals the server's Maildir", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "Maildir")
		c.ok("", "export", "--format", "maildir", "--out", out)
		server, err := d.MaildirFiles("alice")
		if err != nil {
			t.Fatal(err)
		}
		var exported [][]byte
		for _, sub := range []string{"new", "cur"} {
			entries, err := os.ReadDir(filepath.Join(out, sub))
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				b, err := os.ReadFile(filepath.Join(out, sub, e.Name()))
				if err != nil {
					t.Fatal(err)
				}
				exported = append(exported, b)
			}
		}
		if len(exported) != len(server) {
			t.Fatalf("exported %d files, server has %d", len(exported), len(server))
		}
		for name, want := range server {
			// The wire form always ends in CRLF: Dovecot adds one to a file without a final
			// newline, so that file's export has exactly one more "\n" and nothing else differs.
			if !bytes.HasSuffix(want, []byte("\n")) {
				want = append(slices.Clip(want), '\n')
				if name != "05-no-final-newline.eml" {
					t.Errorf("fixture %s unexpectedly lacks a final newline", name)
				}
			}
			if !slices.ContainsFunc(exported, func(b []byte) bool { return bytes.Equal(b, want) }) {
				t.Errorf("no exported file is byte-identical to the server's %s", name)
			}
		}
	})

	t.Run("mbox export imported into a fresh data dir", func(t *testing.T) {
		mbox := filepath.Join(t.TempDir(), "all.mbox")
		c.ok("", "export", "--format", "mbox", "--out", mbox)
		fresh := newCLI(t)
		fresh.ok("", "account", "add", "--name", "archive", "--host", "pop.invalid", "--user", "x", "--keep-forever")
		// Flags after the positional argument, as people type them.
		res := decode[struct{ Imported, Skipped int }](t, fresh.ok("", "import", mbox, "--format", "mbox", "--account", "archive", "--json"))
		if res.Imported != len(corp.files) || res.Skipped != 0 {
			t.Fatalf("import = %+v, want %d imported", res, len(corp.files))
		}
		imported := decode[[]listed](t, fresh.ok("", "list", "--json"))
		var got, want []string
		for _, m := range imported {
			got = append(got, m.SHA256)
		}
		for _, m := range fetchedMsgs {
			want = append(want, m.SHA256)
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("hashes after import:\n got %v\nwant %v", got, want)
		}
		res = decode[struct{ Imported, Skipped int }](t, fresh.ok("", "import", "--format", "mbox", "--account", "archive", mbox, "--json"))
		if res.Imported != 0 || res.Skipped != len(corp.files) {
			t.Errorf("second import = %+v, want all skipped", res)
		}
		if out := fresh.ok("", "check"); !strings.Contains(out, "no problems found") {
			t.Errorf("check after import:\n%s", out)
		}
	})

	t.Run("search", func(t *testing.T) {
		subjects := func(query string) []string {
			t.Helper()
			var s []string
			for _, m := range decode[[]listed](t, c.ok("", "search", query, "--json")) {
				s = append(s, m.Subject)
			}
			return s
		}
		tests := []struct {
			query string
			want  []string
		}{
			{"lunch", []string{"Lunch on Friday?"}},
			{`"great soup"`, []string{"Lunch on Friday?"}},
			{"quarter*", []string{"Quarterly report (with attachment)"}},
			{"has:attachment", []string{"Quarterly report (with attachment)"}},
			{"report-q3.pdf", []string{"Quarterly report (with attachment)"}},
			{"from:bob@example.net", []string{"Quarterly report (with attachment)"}},
			{"cc:carol", []string{"Quarterly report (with attachment)"}},
			{"café mañana", []string{"Café con leña"}},
			{"cafe", []string{"Café con leña"}},
			{"subject:winter", []string{"Winter sale ❄️"}},
			{"tracker", nil}, // an image URL in HTML is not text
			{"after:2026-11-20 account:home", []string{"Winter sale ❄️", "No final newline"}},
			{"before:2026-11-17", []string{"Lunch on Friday?"}},
			{`"hidden line"`, []string{"Lines that start with a dot"}},
		}
		for _, tt := range tests {
			if got := subjects(tt.query); !slices.Equal(got, tt.want) {
				t.Errorf("search %q = %q, want %q", tt.query, got, tt.want)
			}
		}
		if r := c.run("", "search", "before:someday"); r.code != 64 {
			t.Errorf("search before:someday: exit %d, want 64 (stderr %q)", r.code, r.stderr)
		}
		if out := c.ok("", "search", "lunch"); !strings.Contains(out, "Lunch on Friday?") {
			t.Errorf("search lunch (text):\n%s", out)
		}
	})

	t.Run("trash and check", func(t *testing.T) {
		var id int64
		for _, m := range fetchedMsgs {
			if strings.HasPrefix(m.Subject, "Lunch") {
				id = m.ID
			}
		}
		c.ok("", "delete", fmt.Sprint(id))
		if got := decode[[]listed](t, c.ok("", "search", "lunch", "--json")); len(got) != 0 {
			t.Errorf("search finds a message in the Trash: %v", got)
		}
		if got := decode[[]listed](t, c.ok("", "trash", "list", "--json")); len(got) != 1 || got[0].ID != id {
			t.Errorf("trash list = %v, want message %d", got, id)
		}
		c.ok("", "trash", "restore", fmt.Sprint(id))
		if got := decode[[]listed](t, c.ok("", "list", "--json")); len(got) != len(corp.files) {
			t.Errorf("list after restore has %d messages, want %d", len(got), len(corp.files))
		}
		if out := c.ok("", "check", "--json"); !strings.Contains(out, `"messages": 6`) {
			t.Errorf("check --json:\n%s", out)
		}
	})
}
