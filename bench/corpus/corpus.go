// Package corpus generates the benchmark's mailbox: realistic messages (sizes, MIME structures,
// charsets) that are a pure function of a seed and an index, so every run and every machine
// measures the same bytes, and writes them straight into a Maildir.
package corpus

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math"
	"math/rand/v2"
	"mime/quotedprintable"
	"strconv"
	"strings"
	"time"
)

// Size model of Generate. The median and spread follow published measurements of personal
// mailboxes: most messages are a few KB to tens of KB, a small share carries attachments.
const (
	MedianSize     = 10_000    // bytes; the median of a whole rendered message
	textMedian     = 7_000     // median body target: headers and encodings make up the rest
	sizeSigma      = 0.9       // log-normal spread of text messages
	minSize        = 800       // a header and a line or two
	maxTextSize    = 200_000   // the longest text-only message
	AttachmentRate = 0.02      // share of messages with an attachment
	MinAttachment  = 100 << 10 // attachment size range (before base64), log-uniform
	MaxAttachment  = 3 << 20
)

// base is the Date of message 0; later messages are a minute apart.
var base = time.Date(2024, 1, 2, 8, 0, 0, 0, time.UTC)

// Kind is a message's MIME structure.
type Kind int

const (
	PlainASCII      Kind = iota // text/plain; us-ascii, 7bit
	PlainUTF8QP                 // text/plain; utf-8, quoted-printable
	PlainLatin1                 // text/plain; iso-8859-1, 8bit
	Alternative                 // multipart/alternative: text/plain + text/html, utf-8
	Cyrillic1251                // text/plain; windows-1251, base64
	MixedAttachment             // multipart/mixed: text + a base64 attachment
)

// Spec says what message i of a seed looks like; Generate renders it.
type Spec struct {
	Kind       Kind
	TextSize   int // approximate size of the whole message without attachment
	Attachment int // attachment size before encoding; 0 = none
}

func rng(seed uint64, i int) *rand.Rand {
	return rand.New(rand.NewPCG(seed, uint64(i)*0x9E3779B97F4A7C15+1))
}

// SpecOf draws the shape of message i.
func SpecOf(seed uint64, i int) Spec {
	r := rng(seed, i)
	size := int(math.Exp(math.Log(textMedian) + sizeSigma*r.NormFloat64()))
	size = min(max(size, minSize), maxTextSize)
	s := Spec{Kind: Kind(r.IntN(5)), TextSize: size}
	if r.Float64() < AttachmentRate {
		s.Kind = MixedAttachment
		lo, hi := math.Log(MinAttachment), math.Log(MaxAttachment)
		s.Attachment = int(math.Exp(lo + r.Float64()*(hi-lo)))
		s.TextSize = min(s.TextSize, 4000)
	}
	return s
}

// Generate returns message i of the corpus of seed, with LF line ends (as a Maildir holds it).
func Generate(seed uint64, i int) []byte {
	s := SpecOf(seed, i)
	r := rng(seed^0x5eed, i) // separate stream: the spec does not shift with the body
	var b bytes.Buffer
	b.Grow(s.TextSize + s.Attachment*4/3 + 1024)
	header(&b, r, i, s)
	switch s.Kind {
	case PlainASCII:
		b.WriteString("Content-Type: text/plain; charset=us-ascii\nContent-Transfer-Encoding: 7bit\n\n")
		fill(&b, r, s.TextSize, asciiWords)
	case PlainUTF8QP:
		b.WriteString("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n")
		var text bytes.Buffer
		fill(&text, r, s.TextSize*3/4, utf8Words)
		qp(&b, text.Bytes())
	case PlainLatin1:
		b.WriteString("Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: 8bit\n\n")
		fill(&b, r, s.TextSize, latin1Words)
	case Alternative:
		bnd := fmt.Sprintf("=_alt_%08x", r.Uint32())
		fmt.Fprintf(&b, "Content-Type: multipart/alternative; boundary=\"%s\"\n\nThis is a multi-part message in MIME format.\n", bnd)
		fmt.Fprintf(&b, "\n--%s\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n", bnd)
		var text bytes.Buffer
		fill(&text, r, s.TextSize/3, utf8Words)
		qp(&b, text.Bytes())
		fmt.Fprintf(&b, "\n--%s\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n", bnd)
		text.Reset()
		html(&text, r, s.TextSize/2)
		qp(&b, text.Bytes())
		fmt.Fprintf(&b, "\n--%s--\n", bnd)
	case Cyrillic1251:
		b.WriteString("Content-Type: text/plain; charset=windows-1251\nContent-Transfer-Encoding: base64\n\n")
		var text bytes.Buffer
		fill(&text, r, s.TextSize*3/4, cp1251Words)
		b64(&b, text.Bytes())
	case MixedAttachment:
		bnd := fmt.Sprintf("=_mix_%08x", r.Uint32())
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"%s\"\n\n", bnd)
		fmt.Fprintf(&b, "--%s\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n", bnd)
		fill(&b, r, s.TextSize/2, utf8Words)
		att := attachmentNames[r.IntN(len(attachmentNames))]
		name, ctype := att[0], att[1]
		fmt.Fprintf(&b, "\n--%s\nContent-Type: %s; name=\"%s\"\nContent-Disposition: attachment; filename=\"%s\"\nContent-Transfer-Encoding: base64\n\n",
			bnd, ctype, name, name)
		blob := make([]byte, s.Attachment)
		for j := 0; j+8 <= len(blob); j += 8 {
			v := r.Uint64()
			for k := range 8 {
				blob[j+k] = byte(v >> (8 * k))
			}
		}
		b64(&b, blob)
		fmt.Fprintf(&b, "\n--%s--\n", bnd)
	}
	return b.Bytes()
}

// Tiny returns a small message (a few hundred bytes) for the idle-poll mailbox, where only the
// count matters.
func Tiny(i int) []byte {
	return fmt.Appendf(nil, "From: Poller <poll@example.org>\nTo: alice@example.org\nSubject: idle %d\n"+
		"Date: %s\nMessage-ID: <idle.%d@example.org>\n\nmessage %d\n",
		i, base.Add(time.Duration(i)*time.Second).Format(time.RFC1123Z), i, i)
}

// Big returns one message of about size bytes: a short text and a base64 attachment.
func Big(seed uint64, size int) []byte {
	r := rng(seed, -1)
	var b bytes.Buffer
	b.Grow(size + 4096)
	b.WriteString("From: Archive <archive@example.org>\nTo: alice@example.org\nSubject: big attachment\n" +
		"Date: Tue, 02 Jan 2024 08:00:00 +0000\nMessage-ID: <big@example.org>\nMIME-Version: 1.0\n" +
		"Content-Type: multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\nSee attached.\n" +
		"\n--b\nContent-Type: application/octet-stream; name=\"disk.img\"\nContent-Transfer-Encoding: base64\n\n")
	blob := make([]byte, size*3/4)
	for j := 0; j+8 <= len(blob); j += 8 {
		v := r.Uint64()
		for k := range 8 {
			blob[j+k] = byte(v >> (8 * k))
		}
	}
	b64(&b, blob)
	b.WriteString("\n--b--\n")
	return b.Bytes()
}

var attachmentNames = [][2]string{
	{"report.pdf", "application/pdf"}, {"photo.jpg", "image/jpeg"}, {"slides.pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
	{"data.zip", "application/zip"}, {"scan.png", "image/png"},
}

var (
	firstNames = []string{"Anna", "Bernd", "Chloé", "Dmitri", "Eva", "François", "Günter", "Hana", "Ivan", "Jörg", "Kateřina", "Luis"}
	lastNames  = []string{"Müller", "Smith", "Dupont", "Ivanov", "Nowak", "García", "Rossi", "Øster", "Kowalski", "Brown"}
	domains    = []string{"example.org", "example.com", "mail.example.net", "lists.example.org"}
	subjects   = []string{"Quarterly report", "Re: meeting notes", "Invoice 2024-%d", "Fwd: photos from the trip",
		"Übersicht der Änderungen", "Réunion de jeudi", "Отчёт за месяц", "Build #%d failed", "[list] digest %d", "Hello again"}
	asciiWords  = []string{"the", "report", "meeting", "project", "budget", "please", "review", "attached", "schedule", "thanks", "regards", "deadline", "server", "update", "question", "tomorrow", "we", "will", "and", "of", "to", "a", "in", "is", "for"}
	utf8Words   = []string{"the", "naïve", "café", "résumé", "Grüße", "straße", "déjà", "vu", "über", "señor", "piñata", "Zürich", "smörgåsbord", "and", "of", "to", "€", "—", "“quoted”", "数据", "メール", "проект"}
	latin1Words = latin1(utf8Words[:15])
	cp1251Words = cp1251([]string{"привет", "проект", "отчёт", "встреча", "сервер", "письмо", "спасибо", "завтра", "и", "в", "на", "с"})
)

func latin1(ws []string) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		var b []byte
		for _, r := range w {
			if r < 256 {
				b = append(b, byte(r))
			} else {
				b = append(b, '?')
			}
		}
		out[i] = string(b)
	}
	return out
}

func cp1251(ws []string) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		var b []byte
		for _, r := range w {
			switch {
			case r >= 'а' && r <= 'я':
				b = append(b, byte(0xE0+r-'а'))
			case r >= 'А' && r <= 'Я':
				b = append(b, byte(0xC0+r-'А'))
			case r == 'ё':
				b = append(b, 0xB8)
			case r < 128:
				b = append(b, byte(r))
			default:
				b = append(b, '?')
			}
		}
		out[i] = string(b)
	}
	return out
}

func header(b *bytes.Buffer, r *rand.Rand, i int, s Spec) {
	from := fmt.Sprintf("%s %s", firstNames[r.IntN(len(firstNames))], lastNames[r.IntN(len(lastNames))])
	dom := domains[r.IntN(len(domains))]
	for h := range 2 + r.IntN(4) {
		fmt.Fprintf(b, "Received: from relay%d.%s (relay%d.%s [192.0.2.%d])\n\tby mx.example.org with ESMTPS id %016x\n\tfor <alice@example.org>; %s\n",
			h, dom, h, dom, r.IntN(250)+1, r.Uint64(), base.Add(time.Duration(i)*time.Minute).Format(time.RFC1123Z))
	}
	fmt.Fprintf(b, "From: %s <user%d@%s>\n", encodeWord(from), r.IntN(500), dom)
	b.WriteString("To: Alice <alice@example.org>\n")
	if r.IntN(3) == 0 {
		b.WriteString("Cc: team@example.org, Bob <bob@example.com>\n")
	}
	subj := subjects[r.IntN(len(subjects))]
	subj = strings.Replace(subj, "%d", strconv.Itoa(i), 1)
	fmt.Fprintf(b, "Subject: %s\n", encodeWord(subj))
	fmt.Fprintf(b, "Date: %s\n", base.Add(time.Duration(i)*time.Minute).Format(time.RFC1123Z))
	fmt.Fprintf(b, "Message-ID: <%d.%08x@%s>\n", i, r.Uint32(), dom)
	b.WriteString("MIME-Version: 1.0\n")
	if s.Kind == PlainASCII && r.IntN(2) == 0 {
		fmt.Fprintf(b, "List-Id: <list%d.example.org>\nList-Unsubscribe: <mailto:leave@example.org>\n", r.IntN(9))
	}
}

// encodeWord returns s as is when ASCII, else as an RFC 2047 encoded word (B or Q at random
// positions in the corpus).
func encodeWord(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			if len(s)%2 == 0 {
				return "=?utf-8?b?" + base64.StdEncoding.EncodeToString([]byte(s)) + "?="
			}
			var q bytes.Buffer
			for j := 0; j < len(s); j++ {
				c := s[j]
				switch {
				case c == ' ':
					q.WriteByte('_')
				case c < 0x80 && c != '=' && c != '?' && c != '_':
					q.WriteByte(c)
				default:
					fmt.Fprintf(&q, "=%02X", c)
				}
			}
			return "=?utf-8?q?" + q.String() + "?="
		}
	}
	return s
}

// fill appends lines of words, wrapped near 72 columns, until b has grown by about n bytes.
// Now and then a line starts with a dot, which POP3 must dot-stuff.
func fill(b *bytes.Buffer, r *rand.Rand, n int, words []string) {
	end := b.Len() + n
	col := 0
	for b.Len() < end {
		w := words[r.IntN(len(words))]
		if col > 0 && col+len(w) > 72 {
			b.WriteByte('\n')
			col = 0
			if r.IntN(40) == 0 {
				b.WriteByte('.')
				col++
			}
		} else if col > 0 {
			b.WriteByte(' ')
			col++
		}
		b.WriteString(w)
		col += len(w)
	}
	b.WriteByte('\n')
}

func html(b *bytes.Buffer, r *rand.Rand, n int) {
	end := b.Len() + n
	b.WriteString("<!DOCTYPE html>\n<html><body>\n")
	for b.Len() < end {
		b.WriteString("<p style=\"font-family: Arial, sans-serif; margin: 0 0 8px 0\">")
		fill(b, r, 200+r.IntN(400), utf8Words)
		b.WriteString("</p>\n")
	}
	b.WriteString("</body></html>\n")
}

// qp appends text quoted-printable encoded, with LF line ends like the rest of the file (the
// encoder writes CRLF).
func qp(b *bytes.Buffer, text []byte) {
	var enc bytes.Buffer
	w := quotedprintable.NewWriter(&enc)
	_, _ = w.Write(text) // writes to a bytes.Buffer do not fail
	_ = w.Close()
	b.Write(bytes.ReplaceAll(enc.Bytes(), []byte("\r\n"), []byte("\n")))
	b.WriteByte('\n')
}

// b64 appends data in base64, 76 columns per line.
func b64(b *bytes.Buffer, data []byte) {
	enc := base64.StdEncoding
	line := make([]byte, 76)
	for len(data) > 0 {
		n := min(len(data), 57)
		enc.Encode(line, data[:n])
		b.Write(line[:enc.EncodedLen(n)])
		b.WriteByte('\n')
		data = data[n:]
	}
}
