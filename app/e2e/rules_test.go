package e2e

import (
	"strconv"
	"strings"
	"testing"

	"github.com/pouchmail/pouch/internal/testenv"
)

// TestRuleCommands: rules added on the command line run on the mail `pouch fetch` stores;
// mistakes are one line and exit 2; conversations show in list --json and list --thread.
func TestRuleCommands(t *testing.T) {
	d := testenv.Dovecot(t, nil)
	for name, raw := range map[string]string{
		"invoice": "From: billing@shop.example\nSubject: Your invoice 42\nMessage-ID: <inv@shop.example>\n\nDue.\n",
		"lottery": "From: win@spam.example\nSubject: Hello\n\nYou won the lottery.\n",
		"parent":  "From: anna@example.org\nSubject: Plans\nMessage-ID: <p@example.org>\nDate: Mon, 2 Nov 2026 10:00:00 +0000\n\nShall we?\n",
		"reply":   "From: bob@example.org\nSubject: Re: Plans\nMessage-ID: <r@example.org>\nIn-Reply-To: <p@example.org>\nDate: Mon, 2 Nov 2026 11:00:00 +0000\n\nYes.\n",
	} {
		if err := d.Deliver("alice", name, []byte(raw)); err != nil {
			t.Fatal(err)
		}
	}
	c := newCLI(t)
	c.addAccount("home", d.TLSAddr, "secret-pw", "--ca-file", d.CertFile, "--keep-forever")

	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"rule", "add", "--name", "x", "--if", "has:nothing", "--mark-read"}, "has:nothing"},
		{[]string{"rule", "add", "--name", "x", "--if", "after:soon", "--flag"}, "after:soon"},
		{[]string{"rule", "add", "--name", "x", "--if", "invoice", "--move-to", "outbox"}, "outbox"},
		{[]string{"rule", "add", "--name", "x", "--if", "invoice", "--move-to", "Drafts"}, "drafts"},
		{[]string{"rule", "add", "--name", "x", "--if", "invoice", "--move-to", "No/Such"}, "No/Such"},
		{[]string{"rule", "add", "--name", "x", "--if", "invoice", "--stop"}, "needs an action"},
		{[]string{"rule", "add", "--name", "x", "--if", "account:nobody", "--flag"}, "nobody"},
		{[]string{"rule", "add", "--if", "invoice", "--flag"}, "needs a name"},
		{[]string{"rule", "remove", "nothing"}, "nothing"},
		{[]string{"rule", "run", "nothing"}, "nothing"},
		{[]string{"rule", "run", "--folder", "No/Such"}, "No/Such"},
		{[]string{"list", "--thread", "999999"}, "no conversation 999999"},
	} {
		r := c.run("", tc.args...)
		// One line says what is wrong (usage errors add the pointer to pouch help).
		if first, _, _ := strings.Cut(r.stderr, "\n"); r.code != 2 || !strings.Contains(first, tc.msg) {
			t.Errorf("pouch %v: exit %d, stderr %q; want 2 and a first line mentioning %q", tc.args, r.code, r.stderr, tc.msg)
		}
	}

	c.ok("", "rule", "add", "--name", "bills", "--if", "from:billing@ subject:invoice", "--mark-read", "--flag")
	c.ok("", "rule", "add", "--name", "lottery", "--if", "body:lottery", "--trash", "--stop")
	r := c.run("", "rule", "add", "--name", "bills", "--if", "x", "--flag")
	if r.code != 2 || !strings.Contains(r.stderr, "exists already") {
		t.Errorf("duplicate rule: exit %d, stderr %q", r.code, r.stderr)
	}
	type ruleJSON struct {
		Name     string  `json:"name"`
		If       string  `json:"if"`
		MoveTo   *string `json:"move_to"`
		Trash    bool    `json:"trash"`
		Stop     bool    `json:"stop"`
		Failures int     `json:"failures"`
	}
	rules := decode[[]ruleJSON](t, c.ok("", "rule", "list", "--json"))
	if len(rules) != 2 || rules[0].Name != "bills" || rules[1].Name != "lottery" || !rules[1].Trash || !rules[1].Stop || rules[0].MoveTo != nil {
		t.Errorf("rule list --json = %+v", rules)
	}

	c.ok("", "fetch", "--json")
	type msg struct {
		ID      int64  `json:"id"`
		Subject string `json:"subject"`
		Folder  string `json:"folder"`
		Thread  int64  `json:"thread"`
		Flagged bool   `json:"flagged"`
	}
	bySubject := map[string]msg{}
	for _, m := range decode[[]msg](t, c.ok("", "list", "--json")) {
		bySubject[m.Subject] = m
	}
	if m := bySubject["Your invoice 42"]; !m.Flagged || m.Folder != "inbox" {
		t.Errorf("invoice = %+v, want flagged in the inbox", m)
	}
	if _, ok := bySubject["Hello"]; ok || len(bySubject) != 3 {
		t.Errorf("list shows %v, want the lottery message in the Trash, not listed", bySubject)
	}
	trash := decode[[]msg](t, c.ok("", "list", "--folder", "trash", "--json"))
	if len(trash) != 1 || trash[0].Subject != "Hello" {
		t.Errorf("trash = %+v", trash)
	}
	p, rp := bySubject["Plans"], bySubject["Re: Plans"]
	if p.Thread == 0 || p.Thread != rp.Thread || p.Thread == bySubject["Your invoice 42"].Thread {
		t.Errorf("threads: plans %d, reply %d, invoice %d; want the first two alone together", p.Thread, rp.Thread, bySubject["Your invoice 42"].Thread)
	}
	conv := decode[[]msg](t, c.ok("", "list", "--thread", itoa(p.Thread), "--json"))
	if len(conv) != 2 || conv[0].Subject != "Plans" || conv[1].Subject != "Re: Plans" {
		t.Errorf("list --thread = %+v, want Plans then the reply", conv)
	}

	type runJSON struct {
		Examined int `json:"examined"`
		Changed  int `json:"changed"`
		Failed   int `json:"failed"`
		Rules    []struct {
			Rule    string `json:"rule"`
			Matched int    `json:"matched"`
			Failed  int    `json:"failed"`
		} `json:"rules"`
	}
	run := decode[runJSON](t, c.ok("", "rule", "run", "bills", "--folder", "inbox", "--json"))
	if run.Examined != 3 || run.Failed != 0 || len(run.Rules) != 1 || run.Rules[0].Matched != 1 {
		t.Errorf("rule run bills --folder inbox = %+v, want 3 examined, 1 matched", run)
	}
	c.ok("", "rule", "remove", "bills")
	if rules := decode[[]ruleJSON](t, c.ok("", "rule", "list", "--json")); len(rules) != 1 || rules[0].Name != "lottery" {
		t.Errorf("after remove: %+v", rules)
	}

	// Into a folder; then, with the folder deleted, the rule fails: the message stays in the
	// inbox and rule run exits 1 saying why.
	c.ok("", "folder", "create", "Family/Plans")
	c.ok("", "rule", "add", "--name", "plans", "--if", "subject:plans", "--move-to", "family/plans")
	c.ok("", "rule", "run", "plans")
	for _, m := range decode[[]msg](t, c.ok("", "list", "--folder", "Family/Plans", "--json")) {
		delete(bySubject, m.Subject)
	}
	if _, left := bySubject["Plans"]; left {
		t.Errorf("rule run plans left Plans out of Family/Plans")
	}
	c.ok("", "folder", "delete", "Family")
	c.ok("", "trash", "restore", itoa(p.ID), itoa(rp.ID))
	r = c.run("", "rule", "run", "plans", "--folder", "inbox", "--json")
	if r.code != 1 || !strings.Contains(r.stderr, `folder "Family/Plans" does not exist any more`) {
		t.Errorf("rule run with the folder gone: exit %d, stderr %q; want 1 and why", r.code, r.stderr)
	}
	if got := decode[runJSON](t, r.stdout); got.Failed != 2 || got.Changed != 0 {
		t.Errorf("rule run with the folder gone = %+v, want 2 failed, 0 changed", got)
	}
	inbox := decode[[]msg](t, c.ok("", "list", "--folder", "inbox", "--json"))
	if len(inbox) != 3 {
		t.Errorf("inbox holds %d messages, want 3 (the plans back, untouched by the failing rule)", len(inbox))
	}
	rules = decode[[]ruleJSON](t, c.ok("", "rule", "list", "--json"))
	if len(rules) != 2 || rules[1].Failures != 2 {
		t.Errorf("rule list after the failure = %+v, want plans with 2 failures", rules)
	}
	// New mail the failing rule matches: fetch stores it, leaves it in the inbox and warns.
	if err := d.Deliver("alice", "more", []byte("From: anna@example.org\nSubject: More plans\n\nAnd?\n")); err != nil {
		t.Fatal(err)
	}
	r = c.run("", "fetch")
	if r.code != 0 || !strings.Contains(r.stderr, "rule plans failed for 1 message(s), left in the Inbox") {
		t.Errorf("fetch with a failing rule: exit %d, stderr %q; want 0 and the warning", r.code, r.stderr)
	}
	// Nothing a rule did reached the server: all five messages are still there.
	if files, err := d.MaildirFiles("alice"); err != nil || len(files) != 5 {
		t.Errorf("server holds %d messages (%v), want 5", len(files), err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
