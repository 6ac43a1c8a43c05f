package cli

import (
	"flag"
	"io"
	"testing"

	"github.com/pouchmail/pouch/app/autoconfig"
	"github.com/pouchmail/pouch/mailstore"
)

func TestSMTPFlagsFromDiscovery(t *testing.T) {
	parse := func(args ...string) (*smtpFlags, map[string]bool) {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		f := addSMTPFlags(fs)
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		return f, visited(fs)
	}
	found := &autoconfig.Settings{SMTP: &autoconfig.Server{Host: "smtp.example.org", Port: 587, Security: autoconfig.StartTLS, User: "ann@example.org"}}

	a := &mailstore.Account{Username: "ann@example.org"}
	f, set := parse()
	if err := f.apply(a, found, set); err != nil {
		t.Fatal(err)
	}
	if a.SMTPHost != "smtp.example.org" || a.SMTPPort != 587 || a.SMTPSecurity != mailstore.SecurityStartTLS || a.SMTPUser != "" {
		t.Errorf("from discovery: %+v", a)
	}

	a = &mailstore.Account{Username: "ann"}
	f, set = parse("--smtp-host", "mail.example.net", "--smtp-security", "tls", "--from", "Ann <ann@example.net>", "--smtp-auth", "plain")
	if err := f.apply(a, found, set); err != nil {
		t.Fatal(err)
	}
	if a.SMTPHost != "mail.example.net" || a.SMTPPort != 465 || a.SMTPSecurity != mailstore.SecurityTLS ||
		a.SMTPAuth != "PLAIN" || a.DisplayName != "Ann" || a.Address != "ann@example.net" {
		t.Errorf("flags win: %+v", a)
	}

	// Plain text is never proposed, and never accepted.
	plain := &autoconfig.Settings{SMTP: &autoconfig.Server{Host: "smtp.example.org", Port: 25, Security: "none"}}
	a = &mailstore.Account{}
	f, set = parse()
	if err := f.apply(a, plain, set); err != nil || a.SMTPHost != "" {
		t.Errorf("plain-text SMTP from discovery taken: %+v %v", a, err)
	}
	f, set = parse("--smtp-host", "h", "--smtp-security", "none")
	if err := f.apply(&mailstore.Account{}, nil, set); err == nil {
		t.Errorf("--smtp-security none accepted")
	}
	f, set = parse("--smtp-port", "587")
	if err := f.apply(&mailstore.Account{}, nil, set); err == nil {
		t.Errorf("--smtp-port without --smtp-host accepted")
	}
}
