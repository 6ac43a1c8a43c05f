package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pouchmail/pouch/app/submit/submittest"
	"github.com/pouchmail/pouch/pop3/pop3test"
)

type sentJSON struct {
	ID        int64   `json:"id"`
	State     string  `json:"state"`
	MessageID string  `json:"message_id"`
	Reply     string  `json:"reply"`
	Error     *string `json:"error"`
}

type outboxEntry struct {
	ID    int64    `json:"id"`
	State string   `json:"state"`
	To    []string `json:"to"`
	Error string   `json:"error"`
}

type folderEntry struct {
	ID        int64  `json:"id"`
	Subject   string `json:"subject"`
	Folder    string `json:"folder"`
	MessageID string `json:"message_id"`
	SHA256    string `json:"sha256"`
}

// sendRig is the built binary with an account on a private Dovecot (POP3) and a private
// aiosmtpd (SMTP, STARTTLS) that delivers into the same mailbox.
func sendRig(t *testing.T) (*cli, *pop3test.Dovecot, *submittest.Server) {
	d := pop3test.NewDovecot(t, nil)
	uid, gid, chown := d.MailOwner()
	s := submittest.Start(t, &submittest.Options{Maildir: d.Maildir("alice"), UID: uid, GID: gid, Chown: chown})
	c := newCLI(t)
	bundle := filepath.Join(t.TempDir(), "trust.pem")
	if err := os.WriteFile(bundle, append(append([]byte{}, d.CertPEM...), s.CertPEM...), 0o600); err != nil {
		t.Fatal(err)
	}
	c.addAccount("home", d.TLSAddr, "secret-pw", "--security", "tls", "--ca-file", bundle, "--keep-forever",
		"--smtp-host", "127.0.0.1", "--smtp-port", strconv.Itoa(s.StartTLSPort), "--smtp-security", "starttls",
		"--from", "Alice Ærø <alice@example.org>", "--signature", "Alice")
	return c, d, s
}

func TestSendEndToEnd(t *testing.T) {
	c, _, s := sendRig(t)
	accts := decode[[]map[string]any](t, c.ok("", "account", "list", "--json"))
	if accts[0]["smtp_host"] != "127.0.0.1" || accts[0]["smtp_security"] != "starttls" || accts[0]["from"] != "Alice Ærø <alice@example.org>" {
		t.Errorf("account list --json = %v", accts[0])
	}
	att := filepath.Join(t.TempDir(), "Bericht März.bin")
	attData := bytes.Repeat([]byte{0, 1, 2, 0xfe, '\r', '\n', '.'}, 5000)
	if err := os.WriteFile(att, attData, 0o600); err != nil {
		t.Fatal(err)
	}

	// Mistakes queue nothing and exit 2.
	for _, args := range [][]string{
		{"send", "--account", "home", "--to", "not an address", "--subject", "x"},
		{"send", "--account", "home", "--to", "bob@example.net", "--subject", "x", "--attach", "/nonexistent/file"},
		{"send", "--account", "nobody", "--to", "bob@example.net", "--subject", "x"},
		{"send", "--account", "home", "--subject", "x"},
	} {
		r := c.run("body\n", args...)
		if r.code != 2 || strings.Count(strings.TrimSpace(r.stderr), "\n") != 1 {
			t.Errorf("pouch %v: exit %d, stderr %q; want 2 and one line (plus the usage hint)", args, r.code, r.stderr)
		}
	}
	if box := decode[[]outboxEntry](t, c.ok("", "outbox", "list", "--json")); len(box) != 0 {
		t.Fatalf("a mistake queued something: %+v", box)
	}

	// Sent: exit 0, the bytes in Sent are the bytes the server got.
	out := decode[sentJSON](t, c.ok("Hi Bob,\n.\nsee the attachment.\n", "send", "--account", "home", "--to", "Bob <bob@example.net>",
		"--to", "alice@example.org", "--bcc", "hidden@example.com", "--subject", "E2E Grüße", "--attach", att, "--json"))
	if out.State != "sent" || out.Error != nil || !strings.HasSuffix(out.MessageID, "@example.org") {
		t.Fatalf("send --json = %+v", out)
	}
	sent := decode[[]folderEntry](t, c.ok("", "list", "--folder", "sent", "--json"))
	if len(sent) != 1 || sent[0].ID != out.ID || sent[0].Folder != "sent" {
		t.Fatalf("list --folder sent = %+v", sent)
	}
	sentRaw := c.ok("", "show", fmt.Sprint(out.ID), "--raw")
	acc, _ := s.Accepted()
	if len(acc) != 1 || len(acc[0].RcptTos) != 3 {
		t.Fatalf("server deliveries %+v", acc)
	}

	// Fetched back over POP3: subject, addresses, body and attachment as sent.
	c.ok("", "fetch")
	inbox := decode[[]folderEntry](t, c.ok("", "list", "--folder", "inbox", "--json"))
	if len(inbox) != 1 || inbox[0].Subject != "E2E Grüße" || inbox[0].MessageID != out.MessageID {
		t.Fatalf("inbox = %+v", inbox)
	}
	raw := c.ok("", "show", fmt.Sprint(inbox[0].ID), "--raw")
	if !strings.HasSuffix(raw, sentRaw) || strings.Contains(raw, "hidden@example.com") {
		t.Errorf("fetched message is not the sent bytes under the server's headers")
	}
	shown := c.ok("", "show", fmt.Sprint(inbox[0].ID))
	for _, want := range []string{"From:    Alice Ærø <alice@example.org>", "Bob <bob@example.net>", "Hi Bob,\n.\nsee the attachment.",
		"Attachment: Bericht März.bin", "-- \nAlice"} {
		if !strings.Contains(shown, want) {
			t.Errorf("show lacks %q:\n%s", want, shown)
		}
	}
	if r := c.run("", "search", "in:sent grüße", "--json"); r.code != 0 || !strings.Contains(r.stdout, `"folder": "sent"`) {
		t.Errorf("search in:sent: %d %q %q", r.code, r.stdout, r.stderr)
	}

	// Reply and forward.
	rep := decode[sentJSON](t, c.ok("Thanks!\n", "reply", fmt.Sprint(inbox[0].ID), "--all", "--json"))
	fwd := decode[sentJSON](t, c.ok("FYI\n", "forward", fmt.Sprint(inbox[0].ID), "--to", "erin@example.com", "--json"))
	if rep.State != "sent" || fwd.State != "sent" {
		t.Fatalf("reply %+v forward %+v", rep, fwd)
	}
	c.ok("", "fetch")
	for _, m := range decode[[]folderEntry](t, c.ok("", "list", "--folder", "inbox", "--json")) {
		raw := c.ok("", "show", fmt.Sprint(m.ID), "--raw")
		switch m.Subject {
		case "Re: E2E Grüße":
			if !strings.Contains(raw, "In-Reply-To: <"+out.MessageID+">") {
				t.Errorf("reply lacks In-Reply-To")
			}
		case "Fwd: E2E Grüße":
			if !strings.Contains(c.ok("", "show", fmt.Sprint(m.ID)), "Attachment: Bericht März.bin") {
				t.Errorf("forward lost the attachment")
			}
		}
	}

	// 451 once: exit 1, queued; retry sends it.
	s.ReplyNext("451 4.3.0 Greylisted, try again")
	r := c.run("x\n", "send", "--account", "home", "--to", "bob@example.net", "--subject", "greylisted", "--json")
	q := decode[sentJSON](t, r.stdout)
	if r.code != 1 || q.State != "queued" || !strings.Contains(r.stderr, "Greylisted") {
		t.Fatalf("451: exit %d %+v %q", r.code, q, r.stderr)
	}
	box := decode[[]outboxEntry](t, c.ok("", "outbox", "--json"))
	if len(box) != 1 || box[0].State != "queued" || !strings.Contains(box[0].Error, "Greylisted") {
		t.Errorf("outbox = %+v", box)
	}
	if got := decode[sentJSON](t, c.ok("", "outbox", "retry", fmt.Sprint(q.ID), "--json")); got.State != "sent" {
		t.Errorf("retry = %+v", got)
	}

	// 550: exit 1 with the server's text; stays until discarded.
	s.ReplyNext("550 5.7.1 Message rejected as spam")
	r = c.run("x\n", "send", "--account", "home", "--to", "bob@example.net", "--subject", "spam?")
	if r.code != 1 || !strings.Contains(r.stderr, "Message rejected as spam") {
		t.Fatalf("550: exit %d %q", r.code, r.stderr)
	}
	box = decode[[]outboxEntry](t, c.ok("", "outbox", "list", "--json"))
	if len(box) != 1 || box[0].State != "failed" {
		t.Fatalf("outbox = %+v", box)
	}
	c.ok("", "outbox", "discard", fmt.Sprint(box[0].ID))

	// An account without an SMTP server: exit 2, nothing queued.
	c.ok("pw\n", "account", "add", "--name", "nosmtp", "--host", "127.0.0.1", "--user", "x", "--password-stdin")
	if r := c.run("x\n", "send", "--account", "nosmtp", "--to", "bob@example.net", "--subject", "x"); r.code != 2 || !strings.Contains(r.stderr, "no SMTP server") {
		t.Errorf("no SMTP: exit %d %q", r.code, r.stderr)
	}
	if box := decode[[]outboxEntry](t, c.ok("", "outbox", "list", "--json")); len(box) != 0 {
		t.Errorf("outbox = %+v", box)
	}
}

// killedSend runs `pouch send` that kills itself at a checkpoint, or is killed after delay.
func (c *cli) killedSend(t *testing.T, subject, point string, delay time.Duration) bool {
	t.Helper()
	cmd := exec.Command(pouchBin, "--data-dir", c.dataDir, "send", "--account", "home", "--to", "bob@example.net",
		"--subject", subject)
	cmd.Env = append([]string{}, c.env...)
	if point != "" {
		cmd.Env = append(cmd.Env, "POUCH_TEST_KILLPOINT="+point)
	}
	cmd.Stdin = strings.NewReader("body\n")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if point == "" {
		time.Sleep(delay)
		_ = cmd.Process.Signal(syscall.SIGKILL)
	}
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); ok {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			return true
		}
	}
	if point != "" {
		t.Fatalf("send with kill point %q was not killed: %v\n%s", point, err, out.String())
	}
	return false
}

func TestSendCrashSafety(t *testing.T) {
	c, _, s := sendRig(t)
	delivered := func(subject string) int {
		n := 0
		acc, _ := s.Accepted()
		for _, d := range acc {
			b, err := os.ReadFile(filepath.Join(s.Maildir, "new", d.File))
			if err == nil && bytes.Contains(b, []byte("\nSubject: "+subject+"\n")) {
				n++
			}
		}
		return n
	}
	where := func(subject string) (folder, state string) {
		for _, m := range decode[[]folderEntry](t, c.ok("", "list", "--json")) {
			if m.Subject != subject {
				continue
			}
			if m.Folder != "outbox" {
				return m.Folder, ""
			}
			for _, o := range decode[[]outboxEntry](t, c.ok("", "outbox", "list", "--json")) {
				if o.ID == m.ID {
					return "outbox", o.State
				}
			}
			return "outbox", "?"
		}
		return "", ""
	}

	// Killed with "submitting" committed, before the final dot: may have been sent (it was not).
	if !c.killedSend(t, "kill before dot", "smtp-submitting", 0) {
		t.Fatal("not killed")
	}
	if f, st := where("kill before dot"); f != "outbox" || st != "maybe-sent" {
		t.Errorf("after a kill before the final dot: %s %s, want outbox maybe-sent", f, st)
	}
	// Killed after the server's 250, before Sent was recorded: may have been sent (it was).
	if !c.killedSend(t, "kill after dot", "smtp-data-sent", 0) {
		t.Fatal("not killed")
	}
	if f, st := where("kill after dot"); f != "outbox" || st != "maybe-sent" {
		t.Errorf("after a kill after the server's answer: %s %s, want outbox maybe-sent", f, st)
	}
	// Nothing is sent again on its own; the user resolves it.
	c.ok("", "outbox", "list")
	time.Sleep(300 * time.Millisecond)
	if n := delivered("kill after dot"); n != 1 {
		t.Errorf("the server got %q %d times, want 1", "kill after dot", n)
	}
	if n := delivered("kill before dot"); n != 0 {
		t.Errorf("a message without its final dot was delivered %d times", n)
	}
	for _, o := range decode[[]outboxEntry](t, c.ok("", "outbox", "list", "--json")) {
		c.ok("", "outbox", "sent", fmt.Sprint(o.ID))
	}

	// SIGKILL at random moments: every message is in the outbox or in Sent, never lost, never
	// delivered twice.
	kills := 0
	for i := range 8 {
		subject := fmt.Sprintf("random kill %d", i)
		if c.killedSend(t, subject, "", time.Duration(5+i*12)*time.Millisecond) {
			kills++
		}
		f, st := where(subject)
		n := delivered(subject)
		switch {
		case f == "" && n == 0:
			// Killed before the outbox commit: nothing was queued, nothing sent. Allowed.
		case f == "sent" && n == 1, f == "outbox" && (st == "queued" || st == "maybe-sent") && n <= 1:
		default:
			t.Errorf("%s: folder %q state %q, delivered %d times", subject, f, st, n)
		}
		if f == "outbox" && st == "queued" && n != 0 {
			t.Errorf("%s: queued to go again although the server has it", subject)
		}
	}
	t.Logf("%d of 8 random sends killed", kills)
}
