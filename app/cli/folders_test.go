package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pouchmail/pouch/app/secrets"
)

// pouchRun runs the command line on dir's archive and returns its exit status and output.
func pouchRun(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), Env{Args: append([]string{"--data-dir", dir}, args...), Stdin: strings.NewReader(""),
		Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }, Secrets: secrets.NewMemory()})
	return code, out.String(), errb.String()
}

const threeMessages = "From a@example.org Mon Jan  1 00:00:00 2018\nSubject: invoice 1\nDate: Mon, 1 Jan 2018 00:00:00 +0000\n\npay\n\n" +
	"From b@example.org Mon Jan  2 00:00:00 2018\nSubject: invoice 2\nDate: Tue, 2 Jan 2018 00:00:00 +0000\n\npay again\n\n" +
	"From c@example.org Mon Jan  3 00:00:00 2018\nSubject: hello\nDate: Wed, 3 Jan 2018 00:00:00 +0000\n\nhi\n"

type listedMessage struct {
	ID      int64  `json:"id"`
	Account string `json:"account"`
	Subject string `json:"subject"`
	Folder  string `json:"folder"`
}

func listJSON(t *testing.T, dir string, args ...string) []listedMessage {
	t.Helper()
	code, out, errs := pouchRun(t, dir, append([]string{"list", "--json"}, args...)...)
	if code != 0 {
		t.Fatalf("list %v = %d: %s", args, code, errs)
	}
	var ms []listedMessage
	if err := json.Unmarshal([]byte(out), &ms); err != nil {
		t.Fatalf("list --json: %v\n%s", err, out)
	}
	return ms
}

func TestFolderCommands(t *testing.T) {
	dir := t.TempDir()
	mbox := filepath.Join(t.TempDir(), "old.mbox")
	if err := os.WriteFile(mbox, []byte(threeMessages), 0o600); err != nil {
		t.Fatal(err)
	}
	// A fresh archive: the account named is created as a local one.
	code, out, errs := pouchRun(t, dir, "import", mbox, "--format", "mbox", "--account", "old mail")
	if code != 0 || !strings.Contains(out, `created local account "old mail"`) || !strings.Contains(out, "imported 3") {
		t.Fatalf("import = %d, %q, %q", code, out, errs)
	}
	if code, out, _ := pouchRun(t, dir, "account", "list"); code != 0 || !strings.Contains(out, "old mail") || !strings.Contains(out, "local") {
		t.Errorf("account list = %d, %q; want the local account", code, out)
	}
	if code, out, errs := pouchRun(t, dir, "fetch"); code != 0 || !strings.Contains(out, "nothing to fetch") {
		t.Errorf("fetch with only a local account = %d, %q, %q; want a clean skip", code, out, errs)
	}
	if code, _, _ := pouchRun(t, dir, "fetch", "--account", "old mail"); code != ExitConfig {
		t.Errorf("fetch --account LOCAL = %d, want %d", code, ExitConfig)
	}

	ms := listJSON(t, dir)
	if len(ms) != 3 || ms[0].Folder != "inbox" || ms[0].Account != "old mail" {
		t.Fatalf("list = %+v", ms)
	}
	ids := map[string]string{}
	for _, m := range ms {
		ids[m.Subject] = strconv.FormatInt(m.ID, 10)
	}

	steps := []struct {
		args []string
		code int
		out  string // in stdout (code 0) or stderr
	}{
		{[]string{"folder", "create", "Work/Invoices"}, 0, "created Work/Invoices"},
		{[]string{"folder", "create", "work"}, ExitUsage, "exists already"},
		{[]string{"folder", "create", "a//b"}, ExitUsage, "empty segment"},
		{[]string{"folder", "create", "Inbox"}, ExitUsage, "system folder"},
		{[]string{"folder", "create"}, ExitUsage, "expected PATH"},
		{[]string{"move", ids["invoice 1"], ids["invoice 2"], "--to", "work/invoices"}, 0, "moved 2 message(s)"},
		{[]string{"move", "--to", "Work", ids["hello"]}, 0, "moved 1"}, // flags before the IDs
		{[]string{"move", ids["hello"], "--to", "Nowhere"}, ExitUsage, "no such folder"},
		{[]string{"move", ids["hello"], "--to", "Outbox"}, ExitUsage, "not allowed"},
		{[]string{"move", ids["hello"], "--to", "drafts"}, ExitUsage, "not allowed"},
		{[]string{"move", ids["hello"]}, ExitUsage, "--to PATH is required"},
		{[]string{"move", "x", "--to", "Work"}, ExitUsage, "not a message ID"},
		{[]string{"mark", ids["invoice 1"], "--read"}, 0, "marked 1 message(s) read"},
		{[]string{"mark", ids["invoice 1"]}, ExitUsage, "--read or --unread"},
		{[]string{"mark", ids["invoice 1"], "--read", "--unread"}, ExitUsage, "--read or --unread"},
		{[]string{"folder", "rename", "Work", "Work/Sub"}, ExitUsage, "into itself"},
		{[]string{"folder", "rename", "Work/Invoices", "Bills"}, 0, "renamed Work/Invoices to Bills"},
		{[]string{"folder", "rename", "Bills", "Work"}, ExitUsage, "exists already"},
		{[]string{"folder", "rename", "Nope", "X"}, ExitUsage, "no such folder"},
		{[]string{"list", "--folder", "Nope"}, ExitUsage, "no such folder"},
		{[]string{"list", "--folder", "a//b"}, ExitUsage, "empty segment"},
		{[]string{"search", "in:Nope", "pay"}, ExitUsage, "no such folder"},
	}
	for _, s := range steps {
		code, out, errs := pouchRun(t, dir, s.args...)
		text := out
		if s.code != 0 {
			text = errs
		}
		if code != s.code || !strings.Contains(text, s.out) {
			t.Errorf("pouch %s = %d, out %q, err %q; want %d and %q", strings.Join(s.args, " "), code, out, errs, s.code, s.out)
		}
		if s.code == ExitUsage && strings.Count(strings.TrimSpace(errs), "\n") > 1 {
			t.Errorf("pouch %s: error of more than one line (and the usage hint): %q", strings.Join(s.args, " "), errs)
		}
	}

	bills := listJSON(t, dir, "--folder", "BILLS")
	if len(bills) != 2 || bills[0].Folder != "Bills" || bills[0].Subject != "invoice 2" {
		t.Errorf("list --folder BILLS = %+v", bills)
	}
	code, out, errs = pouchRun(t, dir, "search", "--json", "in:Bills", "again")
	if code != 0 || !strings.Contains(out, `"invoice 2"`) || strings.Contains(out, `"invoice 1"`) {
		t.Errorf("search in:Bills again = %d, %s %s", code, out, errs)
	}

	code, out, _ = pouchRun(t, dir, "folder", "list", "--json")
	var folders []folderJSON
	if err := json.Unmarshal([]byte(out), &folders); code != 0 || err != nil {
		t.Fatalf("folder list --json = %d, %v", code, err)
	}
	got := map[string]folderJSON{}
	for _, f := range folders {
		got[f.Path] = f
	}
	if b := got["Bills"]; b.Total != 2 || b.Unread != 1 || b.System {
		t.Errorf("Bills = %+v, want 1 unread of 2", b)
	}
	if w := got["Work"]; w.Total != 1 || w.Depth != 0 {
		t.Errorf("Work = %+v", w)
	}
	if in := got["inbox"]; in.Account != "old mail" || in.Total != 0 || !in.System {
		t.Errorf("inbox = %+v", in)
	}
	if code, out, _ := pouchRun(t, dir, "folder", "list"); code != 0 || !strings.Contains(out, "Inbox (old mail)") || !strings.Contains(out, "Bills") {
		t.Errorf("folder list = %d, %q", code, out)
	}

	exported := filepath.Join(t.TempDir(), "bills.mbox")
	if code, out, errs := pouchRun(t, dir, "export", "--format", "mbox", "--out", exported, "--folder", "Bills"); code != 0 || !strings.Contains(out, "exported 2") {
		t.Errorf("export --folder = %d, %q, %q", code, out, errs)
	}
	if code, _, errs := pouchRun(t, dir, "export", "--format", "mbox", "--out", exported+"2", "--folder", "Nope"); code != ExitUsage {
		t.Errorf("export --folder Nope = %d, %q; want %d", code, errs, ExitUsage)
	}

	code, out, _ = pouchRun(t, dir, "folder", "delete", "Bills")
	if code != 0 || !strings.Contains(out, "2 message(s) moved to the Trash") {
		t.Errorf("folder delete = %d, %q", code, out)
	}
	if trash := listJSON(t, dir, "--folder", "trash"); len(trash) != 2 || trash[0].Folder != "trash" {
		t.Errorf("Trash after folder delete = %+v", trash)
	}
	if code, _, _ := pouchRun(t, dir, "folder", "delete", "Sent"); code != ExitUsage {
		t.Errorf("folder delete Sent = %d, want %d", code, ExitUsage)
	}

	// import --folder files into a folder, created if missing; no --account = "Local".
	other := filepath.Join(t.TempDir(), "other.mbox")
	if err := os.WriteFile(other, []byte("From x@example.org Mon Jan  1 00:00:00 2019\nSubject: archived\n\nold\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs = pouchRun(t, dir, "import", "--format", "mbox", other, "--folder", "Archive/2019", "--json")
	if code != 0 || !strings.Contains(out, `"created_account": true`) {
		t.Errorf("import --folder = %d, %q, %q", code, out, errs)
	}
	if a := listJSON(t, dir, "--folder", "Archive/2019"); len(a) != 1 || a[0].Account != "Local" {
		t.Errorf("list --folder Archive/2019 = %+v", a)
	}
	if code, _, _ := pouchRun(t, dir, "import", "--format", "mbox", other, "--folder", "Outbox"); code != ExitUsage {
		t.Errorf("import --folder Outbox = %d, want %d", code, ExitUsage)
	}
}
