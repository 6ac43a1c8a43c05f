// Package mimetext reads mail for display and search: the header fields shown in a list, the
// body as plain text (HTML turned into text, nothing remote loaded) and the attachments. Mail
// is untrusted: nothing here fails on a malformed message or panics, and nesting, part count
// and text size are bounded. It knows nothing of storage.
package mimetext

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	netmail "net/mail"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/charset" // also registers non-UTF-8 charsets with go-message
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
	"golang.org/x/text/encoding/charmap"
)

// Limits for reading untrusted mail: go-message bounds only the top-level
// header, so nesting depth and part count are bounded here.
const (
	maxDepth     = 16
	maxParts     = 1000
	maxTextBytes = 4 << 20 // per text part shown
)

var (
	errTooDeep   = errors.New("MIME nesting too deep")
	errTooMany   = errors.New("too many MIME parts")
	errMalformed = errors.New("malformed message")
)

// readEntity parses raw best-effort. A malformed header keeps the fields
// read before the bad line, and the body then starts after the first blank
// line (or is all of raw if there is none). The returned entity is never nil;
// the error only reports what was wrong.
func readEntity(raw []byte) (*message.Entity, error) {
	// raw is already in memory, so the header cannot be larger than it;
	// no separate header limit is needed.
	br := bufio.NewReader(bytes.NewReader(raw))
	h, herr := textproto.ReadHeader(br)
	var body io.Reader = br
	if herr != nil {
		body = bytes.NewReader(afterBlankLine(raw))
		// The parser's message quotes the bad line, which may be binary.
		msg := clean(herr.Error())
		if len(msg) > 80 {
			msg = strings.ToValidUTF8(msg[:80], "") + "..."
		}
		herr = fmt.Errorf("%w: header: %s", errMalformed, msg)
	}
	// New always returns an entity; its error only reports an unknown
	// charset or transfer encoding, which is shown as best we can.
	e, _ := message.New(message.Header{Header: h}, body)
	return e, herr
}

// afterBlankLine returns what follows the first empty line of raw, or raw
// itself if it has none.
func afterBlankLine(raw []byte) []byte {
	best := -1
	size := 0
	for _, sep := range []string{"\r\n\r\n", "\n\n"} {
		if i := bytes.Index(raw, []byte(sep)); i >= 0 && (best < 0 || i < best) {
			best, size = i, len(sep)
		}
	}
	if best < 0 {
		return raw
	}
	return raw[best+size:]
}

func isCharsetOrEncoding(err error) bool {
	return message.IsUnknownCharset(err) || message.IsUnknownEncoding(err)
}

// walk calls leaf for every non-multipart part of e in order, descending at
// most maxDepth levels and visiting at most maxParts parts. An error from a
// truncated or malformed multipart stops the walk; leaves already visited
// stay visited.
func walk(e *message.Entity, leaf func(*message.Entity) error) error {
	n := 0
	return walkDepth(e, 0, &n, leaf)
}

func walkDepth(e *message.Entity, depth int, n *int, leaf func(*message.Entity) error) error {
	mr := e.MultipartReader()
	if mr == nil {
		return leaf(e)
	}
	if depth >= maxDepth {
		return errTooDeep
	}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return nil
		}
		if err != nil && (p == nil || !isCharsetOrEncoding(err)) {
			return fmt.Errorf("%w: %v", errMalformed, err)
		}
		if *n++; *n > maxParts {
			return errTooMany
		}
		if err := walkDepth(p, depth+1, n, leaf); err != nil {
			return err
		}
	}
}

// mediaType returns the lower-case media type of h, "text/plain" when
// absent, tolerating broken parameters.
func mediaType(h message.Header) (string, map[string]string) {
	t, params, err := h.ContentType()
	if err != nil {
		// go-message returns the raw value on error; keep the type only.
		t, _, _ = strings.Cut(h.Get("Content-Type"), ";")
		params = nil
	}
	t = strings.ToLower(strings.TrimSpace(t))
	if t == "" {
		t = "text/plain"
	}
	return t, params
}

// isText reports whether a leaf is body text rather than an attachment.
func isText(h message.Header) (text, html bool) {
	t, _ := mediaType(h)
	disp, _, _ := h.ContentDisposition()
	if strings.EqualFold(strings.TrimSpace(disp), "attachment") {
		return false, false
	}
	switch t {
	case "text/plain":
		return true, false
	case "text/html":
		return true, true
	}
	return false, false
}

// filename returns a display-safe file name for an attachment leaf.
func filename(h message.Header) string {
	ah := mail.AttachmentHeader{Header: h}
	name, err := ah.Filename()
	if err != nil || name == "" {
		// Fall back to the raw parameters, decoding encoded words.
		_, params, _ := mime.ParseMediaType(h.Get("Content-Disposition"))
		name = params["filename"]
		if name == "" {
			_, params, _ = mime.ParseMediaType(h.Get("Content-Type"))
			name = params["name"]
		}
		if d, err := wordDecoder.DecodeHeader(name); err == nil {
			name = d
		}
	}
	name = clean(name)
	// Never let a sender choose a directory.
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	if name == "." || name == "/" || name == ".." {
		return ""
	}
	return name
}

// Headers holds the fields of a message's header that are shown and searched.
type Headers struct {
	Date                             time.Time // zero if missing or unparsable
	From, To, Cc, Subject, MessageID string    // decoded for display; MessageID without <>
	HasAttachments                   bool
	// InReplyTo and References name the messages this one answers (without <>), for
	// threading: the parent first in InReplyTo, References oldest first (RFC 5322 3.6.4).
	InReplyTo  []string
	References []string
}

// ParseHeaders extracts the display fields of raw (its header, and whether any part is an
// attachment). It never fails: raw bytes are the truth and whatever cannot be parsed is left
// empty.
func ParseHeaders(raw []byte) (hd Headers) {
	defer func() {
		// A parser bug must not stop a message from being archived: the
		// server-side delete depends on the save succeeding.
		_ = recover()
	}()
	e, _ := readEntity(raw)
	h := mail.Header{Header: e.Header}
	if d, err := h.Date(); err == nil && !d.IsZero() {
		hd.Date = d
	}
	hd.From = addresses(h, "From")
	hd.To = addresses(h, "To")
	hd.Cc = addresses(h, "Cc")
	hd.Subject = text(h, "Subject")
	if id, err := h.MessageID(); err == nil && id != "" {
		hd.MessageID = clean(id)
	} else {
		hd.MessageID = strings.Trim(clean(h.Get("Message-Id")), "<> ")
	}
	hd.InReplyTo = MsgIDs(h.Get("In-Reply-To"))
	hd.References = MsgIDs(h.Get("References"))
	_ = walk(e, func(p *message.Entity) error {
		if t, _ := isText(p.Header); !t {
			hd.HasAttachments = true
			return errStop
		}
		return nil
	})
	return hd
}

var errStop = errors.New("stop")

// wordDecoder decodes RFC 2047 encoded words. Unlike go-message's, an
// unknown charset still decodes the Q/B encoding and leaves the bytes to
// toUTF8, so "=?x-unknown?Q?caf=E9?=" shows as "café" rather than raw.
var wordDecoder = &mime.WordDecoder{
	CharsetReader: func(cs string, input io.Reader) (io.Reader, error) {
		if r, err := charset.Reader(cs, input); err == nil {
			return r, nil
		}
		return input, nil
	},
}

// text decodes an unstructured header field for display.
func text(h mail.Header, key string) string {
	v := h.Get(key)
	if s, err := wordDecoder.DecodeHeader(v); err == nil {
		v = s
	}
	return clean(v)
}

// addresses formats an address header as "Name <addr>, addr, ...", or
// shows its decoded text if it does not parse.
func addresses(h mail.Header, key string) string {
	if h.Get(key) == "" {
		return ""
	}
	p := netmail.AddressParser{WordDecoder: wordDecoder}
	list, err := p.ParseList(h.Get(key))
	if err != nil || len(list) == 0 {
		return text(h, key)
	}
	out := make([]string, 0, len(list))
	for _, a := range list {
		name, addr := clean(a.Name), clean(a.Address)
		switch {
		case name != "" && name != addr:
			out = append(out, name+" <"+addr+">")
		default:
			out = append(out, addr)
		}
	}
	return strings.Join(out, ", ")
}

// clean makes s safe to display on one line: bytes that are not UTF-8 are
// read as windows-1252 (the usual undeclared charset), control characters
// become spaces, and surrounding space is trimmed.
func clean(s string) string {
	s = toUTF8(s)
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return ' '
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// toUTF8 returns s unchanged if it is valid UTF-8, else decodes it as
// windows-1252, which maps every byte to some character.
func toUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	d, err := charmap.Windows1252.NewDecoder().String(s)
	if err != nil {
		return strings.ToValidUTF8(s, "\uFFFD")
	}
	return d
}
