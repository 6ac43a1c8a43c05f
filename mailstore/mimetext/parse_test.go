package mimetext_test

import (
	"path/filepath"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/pouchmail/pouch/mailstore/mimetext"
)

// wantHeaders are the decoded display fields of a fixture.
type wantHeaders struct {
	date                             string // RFC 3339 in UTC, "" = zero
	from, to, cc, subject, messageID string
	attachments                      bool
}

var fixtureHeaders = map[string]wantHeaders{
	"valid/plain.eml": {
		date: "2006-01-02T15:04:05Z", from: "Alice Example <alice@example.org>",
		to: "Bob <bob@example.com>, carol@example.com", cc: "Dave, Jr. <dave@example.net>",
		subject: "Hello from Alice", messageID: "plain-1@example.org",
	},
	"valid/mixed-attachment.eml": {
		date: "2006-01-03T09:00:00Z", from: "reports@example.org", to: "bob@example.com",
		subject: "Monthly report", messageID: "mixed-1@example.org", attachments: true,
	},
	"valid/alternative.eml": {
		date: "2006-01-04T13:30:00Z", from: "News Letter <news@example.org>", to: "bob@example.com",
		subject: "Plain and fancy", messageID: "alt-1@example.org",
	},
	"valid/html-only.eml": {
		date: "2006-01-05T12:00:00Z", from: "shop@example.org", to: "bob@example.com",
		subject: "Your order", messageID: "html-1@example.org",
	},
	"valid/latin1.eml": {
		date: "2006-01-06T08:00:00Z", from: "René François <rene@example.fr>", to: "bob@example.com",
		subject: "Café crème", messageID: "latin1-1@example.fr",
	},
	"valid/windows1252.eml": {
		date: "2006-01-07T18:45:00Z", from: "Jürgen <juergen@example.de>", to: "bob@example.com",
		subject: "“Price” €10 – café", messageID: "cp1252-1@example.de",
	},
	"valid/dot-line.eml": {
		date: "2006-01-08T07:00:00Z", from: "dots@example.org", to: "bob@example.com",
		subject: "Dots", messageID: "dot-1@example.org",
	},
	"valid/missing-date.eml": {
		from: "nodate@example.org", to: "bob@example.com",
		subject: "No date here", messageID: "nodate-1@example.org",
	},
	"valid/utf8.eml": {
		date: "2006-01-09T02:11:11Z", from: "山田太郎 <taro@example.jp>", to: "bob@example.com",
		subject: "Grüße aus München", messageID: "utf8-1@example.jp",
	},
	// Malformed ones: what can still be read is.
	"malformed/garbage-date.eml": {
		from: "garbage@example.org", to: "bob@example.com", subject: "Garbage date",
	},
	"malformed/unknown-charset.eml": {
		date: "2006-01-10T10:10:10Z", from: "Worf <worf@example.org>", to: "bob@example.com", subject: "nuqneH",
	},
	"malformed/truncated-mime.eml": {
		date: "2006-01-11T12:00:00Z", from: "cut@example.org", to: "bob@example.com",
		subject: "Truncated", attachments: true,
	},
	"malformed/header-only.eml": {
		date: "2006-01-12T12:00:00Z", from: "head@example.org", subject: "Only a header",
	},
	"malformed/bad-header-line.eml": {
		date: "2006-01-13T13:00:00Z", from: "badline@example.org", subject: "Broken header",
	},
	"malformed/8bit-header.eml": {
		date: "2006-01-15T15:00:00Z", from: "Müller <mueller@example.de>", to: "bob@example.com",
		subject: "Grüße ohne Kodierung [31m red",
	},
	"malformed/deep-nesting.eml": {
		date: "2006-01-14T14:00:00Z", from: "deep@example.org", subject: "Deep",
	},
	"malformed/binary-junk.eml": {},
	"malformed/empty.eml":       {},
}

// TestParseHeaders: every fixture's display fields, whatever could be read of the malformed ones.
func TestParseHeaders(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*", "*.eml"))
	if err != nil || len(files) != len(fixtureHeaders) {
		t.Fatalf("%d fixtures, %v; want the %d of fixtureHeaders", len(files), err, len(fixtureHeaders))
	}
	for name, want := range fixtureHeaders {
		t.Run(name, func(t *testing.T) {
			hd := mimetext.ParseHeaders(readFixture(t, name))
			date := ""
			if !hd.Date.IsZero() {
				date = hd.Date.UTC().Format(time.RFC3339)
			}
			got := wantHeaders{date, hd.From, hd.To, hd.Cc, hd.Subject, hd.MessageID, hd.HasAttachments}
			if got != want {
				t.Errorf("ParseHeaders() = %+v, want %+v", got, want)
			}
		})
	}
}

// FuzzParse feeds arbitrary bytes to ParseHeaders and ParseBody: neither may panic, and what
// is shown is valid UTF-8.
func FuzzParse(f *testing.F) {
	for name := range fixtureHeaders {
		f.Add(readFixture(f, name))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		hd := mimetext.ParseHeaders(raw)
		for _, v := range []string{hd.From, hd.To, hd.Cc, hd.Subject, hd.MessageID} {
			if !utf8.ValidString(v) {
				t.Errorf("header field not valid UTF-8: %q", v)
			}
		}
		b, _ := mimetext.ParseBody(raw)
		if b == nil {
			t.Fatal("ParseBody() body = nil")
		}
		if !utf8.ValidString(b.Text) {
			t.Errorf("Text is not valid UTF-8: %q", b.Text)
		}
	})
}
