package compose_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pouchmail/pouch/app/compose"
	"github.com/pouchmail/pouch/mailstore/mimetext"
)

func mustAddr(t *testing.T, s string) *compose.Address {
	t.Helper()
	a, err := compose.ParseAddress("to", s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestBuildWithAttachments(t *testing.T) {
	pdf := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte{0, 1, 2, 250}, 3000)...)
	m := &compose.Message{
		From:    mustAddr(t, "Ann <ann@example.org>"),
		To:      []*compose.Address{mustAddr(t, "bob@example.net")},
		Bcc:     []*compose.Address{mustAddr(t, "hidden@example.com"), mustAddr(t, "BOB@example.net")},
		Subject: "Report\r\nBcc: injected@example.com",
		Text:    "Hello Bob,\nthe report — attached.\n" + strings.Repeat("long line ", 30),
		Attachments: []compose.Attachment{
			compose.NewAttachment("/tmp/Bericht März.pdf", pdf),
			compose.NewAttachment("notes", []byte("plain notes\n")),
		},
	}
	raw, err := m.Build()
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("hidden@example.com")) || bytes.Contains(raw, []byte("\r\nBcc:")) {
		t.Errorf("a Bcc recipient shows in the message:\n%s", raw)
	}
	if bytes.Contains(bytes.ReplaceAll(raw, []byte("\r\n"), nil), []byte("\n")) {
		t.Errorf("bare LF in the message")
	}
	for _, l := range strings.Split(string(raw), "\r\n") {
		if len(l) > 998 {
			t.Errorf("line of %d bytes", len(l))
		}
	}
	for _, want := range []string{"multipart/mixed", "filename*=utf-8''Bericht%20M%C3%A4rz.pdf", "application/pdf",
		"Content-Transfer-Encoding: base64", "Content-Transfer-Encoding: quoted-printable", "Message-Id: <", "@example.org>"} {
		if !bytes.Contains(raw, []byte(want)) {
			t.Errorf("message lacks %q:\n%.1500s", want, raw)
		}
	}
	hd := mimetext.ParseHeaders(raw)
	if hd.Subject != "Report  Bcc: injected@example.com" || !hd.HasAttachments {
		t.Errorf("headers = %+v", hd)
	}
	body, err := mimetext.ParseBody(raw)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body.Text, "the report — attached.") || len(body.Attachments) != 2 {
		t.Errorf("body = %+v", body)
	}
	name, data, err := mimetext.AttachmentData(raw, 0)
	if err != nil || name != "Bericht März.pdf" || !bytes.Equal(data, pdf) {
		t.Errorf("attachment 0 = %q, %d bytes, %v", name, len(data), err)
	}
	if body.Attachments[1].ContentType != "text/plain" {
		t.Errorf("sniffed type = %q", body.Attachments[1].ContentType)
	}
	from, to := m.Envelope()
	if from != "ann@example.org" || strings.Join(to, ",") != "bob@example.net,hidden@example.com" {
		t.Errorf("envelope = %s %v", from, to)
	}
}

func TestAddressErrors(t *testing.T) {
	for _, s := range []string{"", "bob", "bob@", "@x", "a b@example.org", "Bob <bob@example.org>\r\nBcc: x@y"} {
		_, err := compose.ParseAddress("to", s)
		var aerr *compose.AddressError
		if !errors.As(err, &aerr) {
			t.Errorf("ParseAddress(%q) = %v, want *AddressError", s, err)
		}
	}
	if _, err := (&compose.Message{From: mustAddr(t, "a@example.org")}).Build(); !errors.Is(err, compose.ErrNoRecipient) {
		t.Errorf("Build without recipients = %v", err)
	}
}

const original = "From: Bob Builder <bob@example.net>\r\n" +
	"To: Ann <ann@example.org>, carol@example.com\r\n" +
	"Cc: ANN@example.org, dave@example.com, carol@example.com\r\n" +
	"Subject: Re: RE: =?utf-8?q?Pl=C3=A4ne?=\r\n" +
	"Date: Tue, 03 Mar 2026 09:30:00 +0100\r\n" +
	"Message-ID: <m2@example.net>\r\n" +
	"References: <m0@example.org> <m1@example.org>\r\n" +
	"Content-Type: multipart/mixed; boundary=b\r\n\r\n" +
	"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nFirst line\r\n\r\n> older\r\n" +
	"--b\r\nContent-Type: image/png\r\nContent-Disposition: attachment; filename=dot.png\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--b--\r\n"

func TestReply(t *testing.T) {
	o, err := compose.ReadOriginal([]byte(original))
	if err != nil {
		t.Fatal(err)
	}
	me := mustAddr(t, "Ann <ann@example.org>")
	m := compose.Reply(o, compose.ReplyOptions{From: me, Own: []string{"ann@example.org"}, Body: "Fine by me."})
	if m.Subject != "Re: Pläne" {
		t.Errorf("subject = %q", m.Subject)
	}
	if len(m.To) != 1 || m.To[0].Address != "bob@example.net" || len(m.Cc) != 0 {
		t.Errorf("reply to = %v cc %v", m.To, m.Cc)
	}
	if m.InReplyTo != "m2@example.net" || strings.Join(m.References, " ") != "m0@example.org m1@example.org m2@example.net" {
		t.Errorf("threading = %q %v", m.InReplyTo, m.References)
	}
	wantText := "Fine by me.\n\nOn Tue, 03 Mar 2026 09:30:00 +0100, Bob Builder wrote:\n> First line\n>\n>> older\n"
	if m.Text != wantText {
		t.Errorf("text = %q, want %q", m.Text, wantText)
	}
	all := compose.Reply(o, compose.ReplyOptions{From: me, Own: []string{"ann@example.org"}, All: true})
	var to, cc []string
	for _, a := range all.To {
		to = append(to, a.Address)
	}
	for _, a := range all.Cc {
		cc = append(cc, a.Address)
	}
	if strings.Join(to, ",") != "bob@example.net,carol@example.com" || strings.Join(cc, ",") != "dave@example.com" {
		t.Errorf("reply all: to %v cc %v", to, cc)
	}
	raw, err := m.Build()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(raw, []byte("In-Reply-To: <m2@example.net>\r\n")) ||
		!bytes.Contains(raw, []byte("References: <m0@example.org> <m1@example.org> <m2@example.net>\r\n")) {
		t.Errorf("threading headers missing:\n%s", raw)
	}
	for in, want := range map[string]string{"Re: Re: x": "Re: x", "AW: x": "Re: x", "x": "Re: x", "Re[2]: x": "Re: x"} {
		if got := compose.ReplySubject(in); got != want {
			t.Errorf("ReplySubject(%q) = %q", in, got)
		}
	}
}

func TestForwardKeepsAttachments(t *testing.T) {
	o, err := compose.ReadOriginal([]byte(original))
	if err != nil {
		t.Fatal(err)
	}
	m, err := compose.Forward(o, mustAddr(t, "ann@example.org"), "FYI")
	if err != nil {
		t.Fatal(err)
	}
	m.To = []*compose.Address{mustAddr(t, "erin@example.com")}
	m.Date = time.Now()
	if m.Subject != "Fwd: Re: RE: Pläne" || !strings.HasPrefix(m.Text, "FYI\n\n---------- Forwarded message") ||
		!strings.Contains(m.Text, "From: Bob Builder <bob@example.net>") || !strings.Contains(m.Text, "First line") {
		t.Errorf("forward = %q / %q", m.Subject, m.Text)
	}
	if len(m.Attachments) != 1 || m.Attachments[0].Filename != "dot.png" || m.Attachments[0].ContentType != "image/png" {
		t.Fatalf("attachments = %+v", m.Attachments)
	}
	raw, err := m.Build()
	if err != nil {
		t.Fatal(err)
	}
	_, data, err := mimetext.AttachmentData(raw, 0)
	if err != nil || string(data) != "\x89PNG\r\n\x1a\n" {
		t.Errorf("forwarded attachment = %q, %v", data, err)
	}
}

// TestBuildDraftKeepsBcc: a draft carries its Bcc recipients in a field, read back by
// ReadOriginal; the message as submitted (Build) never does.
func TestBuildDraftKeepsBcc(t *testing.T) {
	m := &compose.Message{
		From: mustAddr(t, "Ann <ann@example.org>"),
		To:   []*compose.Address{mustAddr(t, "bob@example.net")},
		Bcc:  []*compose.Address{mustAddr(t, "Hidden Person <hidden@example.com>"), mustAddr(t, "carol@example.net")},
		Text: "hello\n",
	}
	draft, err := m.BuildDraft()
	if err != nil {
		t.Fatal(err)
	}
	o, err := compose.ReadOriginal(draft)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range o.Bcc {
		got = append(got, a.String())
	}
	if want := []string{`"Hidden Person" <hidden@example.com>`, "<carol@example.net>"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("Bcc read back from the draft = %q, want %q", got, want)
	}
	sent, err := m.Build()
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sent, []byte("hidden@example.com")) || bytes.Contains(sent, []byte("Bcc:")) {
		t.Errorf("the message to submit shows a Bcc recipient:\n%s", sent)
	}
	if o, _ := compose.ReadOriginal(sent); len(o.Bcc) != 0 {
		t.Errorf("Bcc read from the message to submit: %v", o.Bcc)
	}
	// Without Bcc, a draft has no Bcc field.
	m.Bcc = nil
	if d, _ := m.BuildDraft(); bytes.Contains(d, []byte("Bcc:")) {
		t.Errorf("empty Bcc field in a draft:\n%s", d)
	}
}
