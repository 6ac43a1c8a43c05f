// Package compose builds outgoing messages with go-message's mail writer: RFC 5322 headers
// (Message-ID on the sender's domain, Date, RFC 2047 encoded words for non-ASCII names and
// subjects), the text as quoted-printable UTF-8, attachments in base64 in multipart/mixed with
// RFC 2231 file names; and replies and forwards of a stored message. It knows nothing of
// SMTP, the archive or the window.
package compose

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/emersion/go-message/mail"
)

// Address is a mailbox: a display name and an address.
type Address = mail.Address

// Attachment is a file sent with a message.
type Attachment struct {
	Filename    string // without directories
	ContentType string // "" = from the extension, else sniffed from the data
	Data        []byte
}

// NewAttachment returns an attachment named after name's base name, with its content type
// from the extension (mime.TypeByExtension) or, failing that, the data
// (http.DetectContentType).
func NewAttachment(name string, data []byte) Attachment {
	base := filepath.Base(filepath.ToSlash(name))
	if i := strings.LastIndexAny(base, `/\`); i >= 0 {
		base = base[i+1:]
	}
	return Attachment{Filename: base, ContentType: contentType(base, data), Data: data}
}

func contentType(name string, data []byte) string {
	if t := mime.TypeByExtension(strings.ToLower(filepath.Ext(name))); t != "" {
		return t
	}
	return http.DetectContentType(data)
}

// Message is an outgoing message before it is built.
type Message struct {
	From        *Address
	To, Cc, Bcc []*Address // Bcc goes into the envelope only, never into a header
	Subject     string
	Text        string // the body, lines separated by "\n" (or "\r\n")
	Attachments []Attachment
	InReplyTo   string   // the Message-ID replied to, without <>; "" = none
	References  []string // the thread's Message-IDs, oldest first, without <>
	Date        time.Time
	MessageID   string // without <>; "" = made up on the sender's domain by Build
}

// AddressError says which address is wrong.
type AddressError struct {
	Field string // "from", "to", "cc", "bcc"
	Input string
	Err   error
}

func (e *AddressError) Error() string {
	return fmt.Sprintf("%s: %q is not an email address: %v", e.Field, e.Input, e.Err)
}
func (e *AddressError) Unwrap() error { return e.Err }

// ErrNoRecipient says a message has no To, Cc or Bcc.
var ErrNoRecipient = errors.New("compose: the message has no recipient")

// ParseAddress parses one mailbox as people type it: "ann@example.org" or
// "Ann Example <ann@example.org>"; encoded words are decoded.
func ParseAddress(field, s string) (*Address, error) {
	a, err := mail.ParseAddress(strings.TrimSpace(s))
	if err == nil {
		err = checkAddress(a)
	}
	if err != nil {
		return nil, &AddressError{Field: field, Input: s, Err: err}
	}
	return a, nil
}

// ParseAddressList parses a comma-separated list of mailboxes; "" gives none.
func ParseAddressList(field, s string) ([]*Address, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	as, err := mail.ParseAddressList(s)
	if err == nil {
		for _, a := range as {
			if err = checkAddress(a); err != nil {
				break
			}
		}
	}
	if err != nil {
		return nil, &AddressError{Field: field, Input: s, Err: err}
	}
	return as, nil
}

// checkAddress refuses what would break a header or the SMTP envelope.
func checkAddress(a *Address) error {
	at := strings.LastIndexByte(a.Address, '@')
	switch {
	case at <= 0 || at == len(a.Address)-1:
		return errors.New("no local part and domain")
	case strings.IndexFunc(a.Address, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) || r == '<' || r == '>' }) >= 0:
		return errors.New("spaces, controls or angle brackets in the address")
	case strings.IndexFunc(a.Name, unicode.IsControl) >= 0:
		return errors.New("control characters in the name")
	case len(a.Address) > 254:
		return errors.New("longer than 254 characters")
	}
	return nil
}

// Envelope returns the SMTP envelope: the sender's address and every recipient (To, Cc, Bcc)
// once, in order, compared without regard to case.
func (m *Message) Envelope() (from string, to []string) {
	seen := map[string]bool{}
	for _, list := range [][]*Address{m.To, m.Cc, m.Bcc} {
		for _, a := range list {
			k := strings.ToLower(a.Address)
			if !seen[k] {
				seen[k] = true
				to = append(to, a.Address)
			}
		}
	}
	if m.From != nil {
		from = m.From.Address
	}
	return from, to
}

// Build returns the message's bytes with CRLF line ends, as they will be submitted. It fills
// Date (now) and MessageID (on the sender's domain) when empty, so a caller that keeps m sees
// what was built.
func (m *Message) Build() ([]byte, error) { return m.build(false) }

// BuildDraft is Build for a draft kept locally: the Bcc recipients are in a Bcc field too, so
// that the draft, opened again, still has them (ReadOriginal). Never submit its bytes: sending
// builds the message again with Build.
func (m *Message) BuildDraft() ([]byte, error) { return m.build(true) }

func (m *Message) build(draft bool) ([]byte, error) {
	if m.From == nil {
		return nil, &AddressError{Field: "from", Err: errors.New("no sender")}
	}
	if err := checkAddress(m.From); err != nil {
		return nil, &AddressError{Field: "from", Input: m.From.String(), Err: err}
	}
	for field, list := range map[string][]*Address{"to": m.To, "cc": m.Cc, "bcc": m.Bcc} {
		for _, a := range list {
			if err := checkAddress(a); err != nil {
				return nil, &AddressError{Field: field, Input: a.String(), Err: err}
			}
		}
	}
	if len(m.To)+len(m.Cc)+len(m.Bcc) == 0 {
		return nil, ErrNoRecipient
	}
	if m.Date.IsZero() {
		m.Date = time.Now()
	}
	if m.MessageID == "" {
		m.MessageID = NewMessageID(domainOf(m.From.Address))
	}
	for _, id := range append([]string{m.MessageID, m.InReplyTo}, m.References...) {
		if strings.ContainsAny(id, "<> \t\r\n") {
			return nil, fmt.Errorf("compose: bad message ID %q", id)
		}
	}

	// go-message writes the fields last set first: set in reverse reading order.
	var h mail.Header
	if len(m.Attachments) == 0 {
		h.SetContentType("text/plain", map[string]string{"charset": "utf-8"})
		h.Set("Content-Transfer-Encoding", "quoted-printable")
	}
	h.SetMsgIDList("References", m.References)
	if m.InReplyTo != "" {
		h.SetMsgIDList("In-Reply-To", []string{m.InReplyTo})
	}
	h.SetMessageID(m.MessageID)
	h.SetSubject(oneLine(m.Subject))
	if draft && len(m.Bcc) > 0 {
		h.SetAddressList("Bcc", m.Bcc)
	}
	h.SetAddressList("Cc", m.Cc)
	h.SetAddressList("To", m.To)
	h.SetAddressList("From", []*Address{m.From})
	h.SetDate(m.Date)

	text := m.Text
	if text != "" && !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	var buf bytes.Buffer
	if len(m.Attachments) == 0 {
		w, err := mail.CreateSingleInlineWriter(&buf, h)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write([]byte(text)); err != nil {
			return nil, err
		}
		if err := w.Close(); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}
	mw, err := mail.CreateWriter(&buf, h)
	if err != nil {
		return nil, err
	}
	var th mail.InlineHeader
	th.SetContentType("text/plain", map[string]string{"charset": "utf-8"})
	th.Set("Content-Transfer-Encoding", "quoted-printable")
	tw, err := mw.CreateSingleInline(th)
	if err != nil {
		return nil, err
	}
	if _, err := tw.Write([]byte(text)); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	for _, at := range m.Attachments {
		var ah mail.AttachmentHeader
		ct := at.ContentType
		if ct == "" {
			ct = contentType(at.Filename, at.Data)
		}
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil {
			mt, params = "application/octet-stream", nil
		}
		ah.SetContentType(mt, params)
		// RFC 2231 (filename*=utf-8''…) for a non-ASCII name, as mime.FormatMediaType writes it.
		disp := mime.FormatMediaType("attachment", map[string]string{"filename": oneLine(at.Filename)})
		if disp == "" {
			disp = "attachment"
		}
		ah.Set("Content-Disposition", disp)
		ah.Set("Content-Transfer-Encoding", "base64")
		aw, err := mw.CreateAttachment(ah)
		if err != nil {
			return nil, err
		}
		if _, err := aw.Write(at.Data); err != nil {
			return nil, err
		}
		if err := aw.Close(); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// NewMessageID returns a unique Message-ID (without <>) on domain: the time and 64 random bits.
func NewMessageID(domain string) string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	if domain == "" {
		domain = "localhost"
	}
	return strings.ToUpper(strconv.FormatInt(time.Now().UnixNano(), 36)) + "." +
		strings.ToUpper(strconv.FormatUint(binary.BigEndian.Uint64(b[:]), 36)) + "@" + domain
}

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[i+1:]
	}
	return ""
}

// oneLine keeps a header value on one line: CR, LF and other controls become spaces.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

// WithSignature appends sig to text after the "-- " separator line; "" leaves text as is.
func WithSignature(text, sig string) string {
	sig = strings.TrimRight(sig, "\r\n")
	if strings.TrimSpace(sig) == "" {
		return text
	}
	text = strings.TrimRight(text, "\r\n")
	if text != "" {
		text += "\n\n"
	}
	return text + "-- \n" + sig + "\n"
}
