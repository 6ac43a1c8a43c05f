package mimetext

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/textproto"
)

// Body is a message's readable content, for display.
type Body struct {
	Text        string // plain text, lines separated by "\n"
	HTML        bool   // Text was converted from HTML
	Headings    []int  // the lines of Text (from 0) that were HTML headings, in order
	Attachments []Attachment
}

// Attachment describes a part that is not shown as text.
type Attachment struct {
	Filename    string // display-safe, without directories; may be empty
	ContentType string // lower-case media type, e.g. "application/pdf"
	Size        int64  // decoded size in bytes
}

// ParseBody extracts readable text and the list of attachments from raw.
// text/plain is preferred (so multipart/alternative shows its plain part);
// otherwise HTML is converted to plain text. No remote content is ever
// fetched. Parsing is best-effort: the returned Body is never nil, and a
// non-nil error reports a malformed or truncated message whose Body holds
// what could be read. An unknown charset is not an error: the text is shown
// as UTF-8 if valid, else as windows-1252.
func ParseBody(raw []byte) (*Body, error) {
	return parse(func() (*message.Entity, error) { return readEntity(raw) }, maxTextBytes, true)
}

// IndexText returns the searchable text of raw: its body text and its attachments' file
// names, one a line. Attachments are skipped undecoded, which is most of the bytes of most
// mail; whatever could be read is indexed.
func IndexText(raw []byte) (body, attachments string) {
	b, _ := parse(func() (*message.Entity, error) { return readEntity(raw) }, maxTextBytes, false)
	return b.indexText()
}

// IndexTextFrom is IndexText reading the message from r, for a message too large to hold in
// memory: each text part is read up to textLimit bytes. After a malformed header the body is
// read from where the header stopped.
func IndexTextFrom(r io.Reader, textLimit int64) (body, attachments string) {
	b, _ := parse(func() (*message.Entity, error) {
		br := bufio.NewReader(r)
		h, herr := textproto.ReadHeader(br)
		if herr != nil {
			herr = fmt.Errorf("%w: header", errMalformed)
		}
		e, _ := message.New(message.Header{Header: h}, br)
		return e, herr
	}, textLimit, false)
	return b.indexText()
}

func (b *Body) indexText() (body, attachments string) {
	names := make([]string, 0, len(b.Attachments))
	for _, a := range b.Attachments {
		if a.Filename != "" {
			names = append(names, a.Filename)
		}
	}
	return b.Text, strings.Join(names, "\n")
}

// parse fills a Body from the entity read returns (with the header's parse error, if any).
// Untrusted input: a parser bug must not take the application down, so a panic becomes an
// error and the Body holds what was read before it.
func parse(read func() (*message.Entity, error), textLimit int64, sizes bool) (b *Body, err error) {
	b = &Body{}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("mimetext: parse body: %w: %v", errMalformed, r)
		}
	}()
	e, herr := read()
	return b, bodyOf(b, e, herr, textLimit, sizes)
}

// bodyOf fills b from the parsed entity e; herr is the header's parse error, if any. Without
// sizes, attachments are not decoded (their Size stays 0).
func bodyOf(b *Body, e *message.Entity, herr error, textLimit int64, sizes bool) error {
	var plain, htmls []string
	var partErr error
	werr := walk(e, func(p *message.Entity) error {
		text, isHTML := isText(p.Header)
		if !text {
			t, _ := mediaType(p.Header)
			var n int64
			if sizes {
				var err error
				n, err = io.Copy(io.Discard, p.Body)
				if err != nil && partErr == nil {
					partErr = err
				}
			}
			b.Attachments = append(b.Attachments, Attachment{Filename: filename(p.Header), ContentType: t, Size: n})
			return nil
		}
		if isHTML && len(plain) > 0 {
			return nil // the plain text is what is shown and indexed: no need to decode this
		}
		data, err := io.ReadAll(io.LimitReader(p.Body, textLimit))
		if err != nil && partErr == nil {
			partErr = err // keep the text read so far
		}
		s := toUTF8(string(data))
		if isHTML {
			htmls = append(htmls, s)
		} else {
			plain = append(plain, s)
		}
		return nil
	})

	switch {
	case len(plain) > 0:
		b.Text = cleanText(strings.Join(plain, "\n"))
	case len(htmls) > 0:
		b.Text, b.Headings = headingLines(cleanText(htmlToText(strings.Join(htmls, "\n"))))
		b.HTML = true
	}
	if err := errors.Join(herr, werr, partErr); err != nil {
		return fmt.Errorf("mimetext: parse body: %w", err)
	}
	return nil
}

// cleanText normalises line ends to "\n" and drops control characters
// (terminal escape sequences included) other than tab and newline, in one pass.
func cleanText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i, r := range s {
		switch {
		case r == '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				continue // the "\n" follows
			}
			b.WriteByte('\n')
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
