package compose

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode"
)

// MaxMailtoLen bounds a mailto: URL; longer ones are refused rather than parsed.
const MaxMailtoLen = 64 << 10

// IsMailto says whether s is a mailto: URL (the scheme in any case).
func IsMailto(s string) bool {
	return len(s) >= 7 && strings.EqualFold(s[:7], "mailto:")
}

// ParseMailto reads a mailto: URL (RFC 6068) into a message to compose: the addresses of the
// path and of the to, cc and bcc fields, the subject and the body, percent-decoded ("+" stays a
// plus sign). Every other header field (From, Reply-To, In-Reply-To, …) is ignored, so a link
// cannot set the sender or thread a message; the subject is one line, the body's line ends are
// "\n" and control characters other than tabs and line ends are dropped. An address that does
// not parse, or a malformed percent escape, is an error.
func ParseMailto(s string) (*Message, error) {
	if !IsMailto(s) {
		return nil, errors.New("mailto: not a mailto: URL")
	}
	if len(s) > MaxMailtoLen {
		return nil, fmt.Errorf("mailto: the URL is longer than %d bytes", MaxMailtoLen)
	}
	rest := s[len("mailto:"):]
	if i := strings.IndexByte(rest, '#'); i >= 0 {
		rest = rest[:i] // a fragment has no meaning here
	}
	path, query, _ := strings.Cut(rest, "?")
	m := &Message{}
	add := func(field, enc string) error {
		v, err := url.PathUnescape(enc)
		if err != nil {
			return fmt.Errorf("mailto: %s: %v", field, err)
		}
		as, err := ParseAddressList(field, strings.Trim(v, ", \t"))
		if err != nil {
			return fmt.Errorf("mailto: %w", err)
		}
		switch field {
		case "to":
			m.To = append(m.To, as...)
		case "cc":
			m.Cc = append(m.Cc, as...)
		case "bcc":
			m.Bcc = append(m.Bcc, as...)
		}
		return nil
	}
	if err := add("to", path); err != nil {
		return nil, err
	}
	var subject, body []string
	if query != "" {
		for _, hf := range strings.Split(query, "&") {
			if hf == "" {
				continue
			}
			name, value, _ := strings.Cut(hf, "=")
			name, err := url.PathUnescape(name)
			if err != nil {
				return nil, fmt.Errorf("mailto: a field name: %v", err)
			}
			switch field := strings.ToLower(name); field {
			case "to", "cc", "bcc":
				if err := add(field, value); err != nil {
					return nil, err
				}
			case "subject", "body":
				v, err := url.PathUnescape(value)
				if err != nil {
					return nil, fmt.Errorf("mailto: %s: %v", field, err)
				}
				if field == "subject" {
					subject = append(subject, v)
				} else {
					body = append(body, v)
				}
			}
		}
	}
	m.Subject = strings.Join(strings.Fields(keepPrintable(strings.Join(subject, " "), false)), " ")
	m.Text = keepPrintable(strings.Join(body, "\n"), true)
	return m, nil
}

// keepPrintable drops control characters from s (invalid UTF-8 becomes U+FFFD); with lines, tabs and line
// ends stay, CR LF and lone CRs becoming "\n"; without, they become spaces.
func keepPrintable(s string, lines bool) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			if lines {
				return r
			}
			return ' '
		case unicode.IsControl(r), r == '\u2028', r == '\u2029':
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}
