package compose_test

import (
	"strings"
	"testing"
	"unicode"

	"github.com/pouchmail/pouch/app/compose"
)

func addrs(as []*compose.Address) string {
	var out []string
	for _, a := range as {
		out = append(out, a.String())
	}
	return strings.Join(out, ", ")
}

func TestParseMailto(t *testing.T) {
	for _, tc := range []struct {
		url                        string
		to, cc, bcc, subject, body string
		err                        string
	}{
		{url: "mailto:ann@example.org", to: "<ann@example.org>"},
		{url: "MAILTO:ann@example.org", to: "<ann@example.org>"},
		{url: "mailto:", to: ""},
		{url: "mailto:ann@example.org,bob@example.net", to: "<ann@example.org>, <bob@example.net>"},
		{url: "mailto:ann@example.org%2Cbob@example.net", to: "<ann@example.org>, <bob@example.net>"},
		{url: "mailto:?to=ann@example.org&to=bob@example.net", to: "<ann@example.org>, <bob@example.net>"},
		{url: "mailto:ann@example.org?cc=bob@example.net&bcc=carl@example.com&subject=Hello%20there&body=Line%201%0D%0ALine%202",
			to: "<ann@example.org>", cc: "<bob@example.net>", bcc: "<carl@example.com>", subject: "Hello there", body: "Line 1\nLine 2"},
		// RFC 6068's examples.
		{url: "mailto:infobot@example.com?subject=current-issue", to: "<infobot@example.com>", subject: "current-issue"},
		{url: "mailto:list@example.org?In-Reply-To=%3C3469A91.D10AF4C@example.com%3E", to: "<list@example.org>"},
		{url: "mailto:joe@example.com?cc=bob@example.com&body=hello", to: "<joe@example.com>", cc: "<bob@example.com>", body: "hello"},
		{url: "mailto:%22not%40me%22@example.org", to: "<\"not@me\"@example.org>"},
		{url: "mailto:Ann%20Example%20%3Cann@example.org%3E", to: "\"Ann Example\" <ann@example.org>"},
		{url: "mailto:?SUBJECT=Caf%C3%A9&Body=a+b", subject: "Café", body: "a+b"},
		// Dangerous or unknown fields are ignored.
		{url: "mailto:ann@example.org?from=evil@example.com&reply-to=evil@example.com&x-header=1&attach=/etc/passwd",
			to: "<ann@example.org>"},
		// No header injection through the subject; controls go.
		{url: "mailto:ann@example.org?subject=Hi%0D%0ABcc:%20evil@example.com%00", to: "<ann@example.org>", subject: "Hi Bcc: evil@example.com"},
		{url: "mailto:ann@example.org?body=a%00b%1B[31m%09c", to: "<ann@example.org>", body: "ab[31m\tc"},
		{url: "mailto:ann@example.org#frag", to: "<ann@example.org>"},
		{url: "mailto:ann@example.org?subject=a&subject=b", to: "<ann@example.org>", subject: "a b"},
		{url: "mailto:ann@example.org?&&subject=x&", to: "<ann@example.org>", subject: "x"},
		// Errors.
		{url: "http://example.org", err: "not a mailto"},
		{url: "mailto:not-an-address", err: "not an email address"},
		{url: "mailto:ann@example.org?cc=bob", err: "cc"},
		{url: "mailto:ann%ZZ@example.org", err: "invalid URL escape"},
		{url: "mailto:ann@example.org?subject=%E", err: "subject"},
		{url: "mailto:ann@example.org%0D%0ABcc:x@y.z", err: "not an email address"},
		{url: "mailto:" + strings.Repeat("a", compose.MaxMailtoLen), err: "longer than"},
	} {
		m, err := compose.ParseMailto(tc.url)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%.60s: error %v, want one with %q", tc.url, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.url, err)
			continue
		}
		got := []string{addrs(m.To), addrs(m.Cc), addrs(m.Bcc), m.Subject, m.Text}
		want := []string{tc.to, tc.cc, tc.bcc, tc.subject, tc.body}
		for i, f := range []string{"to", "cc", "bcc", "subject", "body"} {
			if got[i] != want[i] {
				t.Errorf("%s: %s = %q, want %q", tc.url, f, got[i], want[i])
			}
		}
		if m.From != nil || m.InReplyTo != "" || len(m.References) > 0 || len(m.Attachments) > 0 || m.MessageID != "" {
			t.Errorf("%s: fields beyond the listed ones set: %+v", tc.url, m)
		}
	}
}

func FuzzParseMailto(f *testing.F) {
	for _, s := range []string{
		"mailto:ann@example.org",
		"mailto:ann@example.org,bob@example.net?cc=c@example.com&bcc=d@example.com&subject=Hi%20there&body=a%0D%0Ab",
		"mailto:?to=%22x%2Cy%22%20%3Cz@example.org%3E&from=evil@example.com",
		"mailto:a@b.c?subject=%E2%82%AC%0A%00&body=%FF%FE",
		"mailto:ann%ZZ",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := compose.ParseMailto(s)
		if err != nil {
			if m != nil {
				t.Fatal("a message with an error")
			}
			return
		}
		if !compose.IsMailto(s) {
			t.Fatalf("%q accepted without the mailto: scheme", s)
		}
		if m.From != nil || m.InReplyTo != "" || len(m.References) > 0 || len(m.Attachments) > 0 || m.MessageID != "" || !m.Date.IsZero() {
			t.Fatalf("%q: fields beyond to, cc, bcc, subject and body: %+v", s, m)
		}
		for _, list := range [][]*compose.Address{m.To, m.Cc, m.Bcc} {
			for _, a := range list {
				// Each address parses again as the compose window and Build will read it.
				if _, err := compose.ParseAddress("to", a.String()); err != nil {
					t.Fatalf("%q: address %q does not parse back: %v", s, a.String(), err)
				}
			}
		}
		if strings.IndexFunc(m.Subject, func(r rune) bool { return unicode.IsControl(r) }) >= 0 {
			t.Fatalf("%q: control characters in the subject %q", s, m.Subject)
		}
		if strings.IndexFunc(m.Text, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }) >= 0 {
			t.Fatalf("%q: control characters in the body %q", s, m.Text)
		}
	})
}
