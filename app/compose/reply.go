package compose

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/mail"

	"github.com/pouchmail/pouch/mailstore/mimetext"
)

// Original is what a reply or a forward takes from the message it answers.
type Original struct {
	From, ReplyTo, To, Cc []*Address
	// Bcc: a draft's (BuildDraft); a received message seldom has the field, and answers
	// never use it.
	Bcc        []*Address
	Subject    string
	Date       string // as the message has it, for the attribution line
	MessageID  string
	References []string
	Text       string // readable text (HTML turned into text)
	raw        []byte
}

// maxReferences bounds the References chain carried on: the first one and the latest ones.
const maxReferences = 20

// ReadOriginal parses the headers and text of a stored message, best-effort: the message came
// from the network, and a reply to a strange one must still be possible.
func ReadOriginal(raw []byte) (*Original, error) {
	e, err := message.Read(bytes.NewReader(raw))
	if e == nil {
		return nil, fmt.Errorf("compose: reading the original: %w", err)
	}
	h := mail.Header{Header: e.Header}
	o := &Original{raw: raw}
	o.From, _ = h.AddressList("From")
	o.ReplyTo, _ = h.AddressList("Reply-To")
	o.To, _ = h.AddressList("To")
	o.Cc, _ = h.AddressList("Cc")
	o.Bcc, _ = h.AddressList("Bcc")
	o.Subject, _ = h.Subject()
	o.Date = h.Get("Date")
	o.MessageID, _ = h.MessageID()
	if refs, err := h.MsgIDList("References"); err == nil {
		o.References = refs
	}
	if len(o.References) == 0 {
		if irt, err := h.MsgIDList("In-Reply-To"); err == nil && len(irt) == 1 {
			o.References = irt
		}
	}
	if b, _ := mimetext.ParseBody(raw); b != nil {
		o.Text = b.Text
	}
	return o, nil
}

var replyPrefix = regexp.MustCompile(`(?i)^\s*((re|aw|sv|antw)(\[\d+\])?\s*:\s*)+`)
var forwardPrefix = regexp.MustCompile(`(?i)^\s*((fwd?|wg|tr)\s*:\s*)+`)

// ReplySubject is "Re: " and the subject, without stacking: "Re: Re: x" and "RE: x" give "Re: x".
func ReplySubject(s string) string {
	return "Re: " + replyPrefix.ReplaceAllString(s, "")
}

// ForwardSubject is "Fwd: " and the subject, without stacking.
func ForwardSubject(s string) string {
	return "Fwd: " + forwardPrefix.ReplaceAllString(s, "")
}

// ReplyOptions say how to answer.
type ReplyOptions struct {
	From *Address // the account's identity
	// Own are the user's addresses (the identity, the account's address): a reply to all
	// leaves them out.
	Own  []string
	All  bool   // reply to the sender and every recipient, not just the sender
	Body string // the user's text, above the quote
}

// Reply answers o: the sender (Reply-To if set), or with All every recipient too without the
// user's own addresses and without duplicates; "Re:" once; In-Reply-To and References for the
// thread; the original quoted below the body ("On DATE, NAME wrote:" and "> " lines).
func Reply(o *Original, opts ReplyOptions) *Message {
	own := map[string]bool{}
	for _, a := range opts.Own {
		own[strings.ToLower(a)] = true
	}
	if opts.From != nil {
		own[strings.ToLower(opts.From.Address)] = true
	}
	seen := map[string]bool{}
	pick := func(lists ...[]*Address) []*Address {
		var out []*Address
		for _, l := range lists {
			for _, a := range l {
				k := strings.ToLower(a.Address)
				if own[k] || seen[k] || checkAddress(a) != nil {
					continue
				}
				seen[k] = true
				out = append(out, a)
			}
		}
		return out
	}
	sender := o.ReplyTo
	if len(sender) == 0 {
		sender = o.From
	}
	m := &Message{From: opts.From, Subject: ReplySubject(o.Subject)}
	m.To = pick(sender)
	if opts.All {
		m.To = append(m.To, pick(o.To)...)
		m.Cc = pick(o.Cc)
	}
	if len(m.To) == 0 && len(m.Cc) == 0 {
		// A reply to one's own message goes to its recipients.
		m.To = pick(o.To)
		if opts.All {
			m.Cc = pick(o.Cc)
		}
	}
	if o.MessageID != "" {
		m.InReplyTo = o.MessageID
		refs := append(append([]string{}, o.References...), o.MessageID)
		if len(refs) > maxReferences {
			refs = append(refs[:1], refs[len(refs)-maxReferences+1:]...)
		}
		m.References = refs
	}
	m.Text = joinText(opts.Body, attribution(o)+"\n"+Quote(o.Text))
	return m
}

func attribution(o *Original) string {
	who := "someone"
	if len(o.From) > 0 {
		who = o.From[0].Name
		if who == "" {
			who = o.From[0].Address
		}
	}
	if o.Date == "" {
		return who + " wrote:"
	}
	return fmt.Sprintf("On %s, %s wrote:", strings.TrimSpace(o.Date), who)
}

// Quote prefixes every line of text with "> " (">" for an empty line, and quoted lines get
// one more ">").
func Quote(text string) string {
	text = strings.TrimRight(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	var b strings.Builder
	for _, l := range strings.Split(text, "\n") {
		switch {
		case l == "":
			b.WriteString(">\n")
		case strings.HasPrefix(l, ">"):
			b.WriteString(">" + l + "\n")
		default:
			b.WriteString("> " + l + "\n")
		}
	}
	return b.String()
}

func joinText(body, rest string) string {
	body = strings.TrimRight(body, "\r\n")
	if body == "" {
		return rest
	}
	return body + "\n\n" + rest
}

// Forward forwards o inline to the recipients the caller sets: "Fwd:" once, the original's
// headers and text below the body, and its attachments kept.
func Forward(o *Original, from *Address, body string) (*Message, error) {
	var b strings.Builder
	b.WriteString("---------- Forwarded message ----------\n")
	line := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, "%s: %s\n", k, v)
		}
	}
	line("From", formatList(o.From))
	line("Date", strings.TrimSpace(o.Date))
	line("Subject", o.Subject)
	line("To", formatList(o.To))
	line("Cc", formatList(o.Cc))
	b.WriteString("\n")
	b.WriteString(strings.TrimRight(o.Text, "\n"))
	b.WriteString("\n")
	m := &Message{From: from, Subject: ForwardSubject(o.Subject), Text: joinText(body, b.String())}
	pb, _ := mimetext.ParseBody(o.raw)
	if pb != nil {
		for i, a := range pb.Attachments {
			name, data, err := mimetext.AttachmentData(o.raw, i)
			if err != nil {
				return nil, fmt.Errorf("compose: forwarding attachment %d (%s): %w", i+1, a.Filename, err)
			}
			if name == "" {
				name = fmt.Sprintf("attachment-%d", i+1)
			}
			m.Attachments = append(m.Attachments, Attachment{Filename: name, ContentType: a.ContentType, Data: data})
		}
	}
	return m, nil
}

func formatList(as []*Address) string {
	s := make([]string, len(as))
	for i, a := range as {
		if a.Name != "" {
			s[i] = fmt.Sprintf("%s <%s>", a.Name, a.Address)
		} else {
			s[i] = a.Address
		}
	}
	return strings.Join(s, ", ")
}
