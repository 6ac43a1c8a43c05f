package e2e

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pouchmail/pouch/internal/testenv"
)

type listedFolder struct {
	ID      int64  `json:"id"`
	Subject string `json:"subject"`
	Folder  string `json:"folder"`
	SHA256  string `json:"sha256"`
}

// TestFoldersEndToEnd: mail fetched from Dovecot, filed into folders, renamed, searched,
// exported and partly deleted with its folder, leaves the server alone until leave-days say
// otherwise, and then goes exactly as unfiled mail does; the bytes never change.
func TestFoldersEndToEnd(t *testing.T) {
	d := testenv.Dovecot(t, nil)
	corp := loadCorpus(t)
	corp.deliver(t, d, "alice")
	c := newCLI(t)
	c.addAccount("home", d.TLSAddr, "secret-pw", "--ca-file", d.CertFile, "--leave-days", "3", "--delete-on-server")
	start := time.Now()
	if r := c.runAt(start, "fetch", "--json"); r.code != 0 {
		t.Fatalf("fetch: %d %s", r.code, r.stderr)
	}
	msgs := decode[[]listedFolder](t, c.ok("", "list", "--json"))
	if len(msgs) != len(corp.files) || len(msgs) < 4 {
		t.Fatalf("fetched %d messages", len(msgs))
	}
	hashes := map[int64]string{}
	for _, m := range msgs {
		hashes[m.ID] = m.SHA256
		if m.Folder != "inbox" {
			t.Errorf("message %d is in %q after fetch, want inbox", m.ID, m.Folder)
		}
	}
	id := func(i int) string { return strconv.FormatInt(msgs[i].ID, 10) }

	c.ok("", "folder", "create", "Work/Invoices")
	c.ok("", "move", id(0), id(1), "--to", "Work/Invoices")
	c.ok("", "folder", "create", "Old")
	c.ok("", "move", "--to", "old", id(2))
	c.ok("", "folder", "rename", "Work/Invoices", "Archive/Invoices")
	c.ok("", "mark", id(0), id(1), "--unread")

	in := decode[[]listedFolder](t, c.ok("", "list", "--folder", "archive/invoices", "--json"))
	if len(in) != 2 || in[0].Folder != "Archive/Invoices" {
		t.Errorf("list --folder archive/invoices = %+v", in)
	}
	found := decode[[]listedFolder](t, c.ok("", "search", "in:Archive/Invoices", "--json"))
	if len(found) != 2 {
		t.Errorf("search in:Archive/Invoices found %d, want 2", len(found))
	}
	folders := decode[[]struct {
		Path          string
		Total, Unread int
	}](t, c.ok("", "folder", "list", "--json"))
	counts := map[string]string{}
	for _, f := range folders {
		counts[f.Path] = strconv.Itoa(f.Unread) + "/" + strconv.Itoa(f.Total)
	}
	rest := strconv.Itoa(len(msgs) - 3)
	if counts["Archive/Invoices"] != "2/2" || counts["Old"] != "1/1" || counts["inbox"] != rest+"/"+rest {
		t.Errorf("folder counts = %v", counts)
	}
	out := filepath.Join(t.TempDir(), "inv")
	if s := c.ok("", "export", "--format", "eml", "--out", out, "--folder", "Archive/Invoices"); !strings.Contains(s, "exported 2") {
		t.Errorf("export --folder: %q", s)
	}
	if files, _ := os.ReadDir(out); len(files) != 2 {
		t.Errorf("export wrote %d files, want 2", len(files))
	}

	if s := c.ok("", "folder", "delete", "Old"); !strings.Contains(s, "1 message(s) moved to the Trash") {
		t.Errorf("folder delete: %q", s)
	}
	// One-line errors, exit 2.
	for _, args := range [][]string{
		{"move", id(3), "--to", "Outbox"},
		{"move", id(3), "--to", "Nowhere"},
		{"folder", "rename", "Archive", "Archive/x"},
		{"list", "--folder", "Nowhere"},
	} {
		r := c.run("", args...)
		if r.code != 2 || !strings.HasPrefix(r.stderr, "pouch: ") || strings.Count(r.stderr, "\n") != 2 {
			t.Errorf("pouch %s = %d, %q; want exit 2 with one line (and the usage hint)", strings.Join(args, " "), r.code, r.stderr)
		}
	}

	// Day 2: nothing due, nothing deleted, moved or not, trashed with the folder or not.
	if r := c.runAt(start.Add(2*24*time.Hour), "fetch", "--json"); r.code != 0 {
		t.Fatalf("fetch on day 2: %d %s", r.code, r.stderr)
	}
	if files, _ := d.MaildirFiles("alice"); len(files) != len(corp.files) {
		t.Errorf("server has %d messages on day 2, want %d", len(files), len(corp.files))
	}
	// Day 4: every message is due and goes, exactly as if never moved.
	r := c.runAt(start.Add(4*24*time.Hour), "fetch", "--json")
	res := decode[[]struct{ Deleted int }](t, r.stdout)
	if r.code != 0 || len(res) != 1 || res[0].Deleted != len(corp.files) {
		t.Fatalf("fetch on day 4: %d %s %s", r.code, r.stdout, r.stderr)
	}
	for _, m := range decode[[]listedFolder](t, c.ok("", "list", "--json")) {
		if hashes[m.ID] != m.SHA256 {
			t.Errorf("message %d changed hash", m.ID)
		}
	}
	if s := c.ok("", "check"); !strings.Contains(s, "no problems found") {
		t.Errorf("check:\n%s", s)
	}
}

// TestImportIntoFreshArchive: a user importing old mail into a fresh Pouch needs no POP3
// account; the one named is created as a local account that fetch skips.
func TestImportIntoFreshArchive(t *testing.T) {
	corp := loadCorpus(t)
	src := filepath.Join(t.TempDir(), "old")
	for _, sub := range []string{"cur", "new", "tmp"} {
		if err := os.MkdirAll(filepath.Join(src, sub), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	for name, b := range corp.files {
		if err := os.WriteFile(filepath.Join(src, "cur", name+":2,S"), b, 0o600); err != nil {
			t.Fatal(err)
		}
		n++
	}
	c := newCLI(t)
	s := c.ok("", "import", "--format", "maildir", src, "--account", "Old mail", "--folder", "Archive/2019")
	if !strings.Contains(s, `created local account "Old mail"`) || !strings.Contains(s, "imported "+strconv.Itoa(n)) {
		t.Fatalf("import: %q", s)
	}
	if s := c.ok("", "account", "list"); !strings.Contains(s, "Old mail") || !strings.Contains(s, "local") {
		t.Errorf("account list: %q", s)
	}
	if s := c.ok("", "fetch"); !strings.Contains(s, "nothing to fetch") {
		t.Errorf("fetch: %q", s)
	}
	got := decode[[]listedFolder](t, c.ok("", "list", "--folder", "Archive/2019", "--json"))
	if len(got) != n {
		t.Errorf("list --folder Archive/2019: %d messages, want %d", len(got), n)
	}
}
