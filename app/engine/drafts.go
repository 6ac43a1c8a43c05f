package engine

import (
	"context"
	"fmt"
	"strings"

	"github.com/pouchmail/pouch/app/compose"
	"github.com/pouchmail/pouch/mailstore"
	"github.com/pouchmail/pouch/mailstore/mimetext"
)

// Correspondents lists the addresses of the archive's messages, most used first (limit 0 =
// all): the window's address completion.
func (e *Engine) Correspondents(ctx context.Context, limit int) ([]mailstore.Correspondent, error) {
	return e.store.Correspondents(ctx, limit)
}

// OpenDraft reads draft id back into a message to go on writing: its recipients (Bcc too: a
// draft keeps them in a field of its own, compose.BuildDraft), subject, text, attachments,
// thread and Message-ID; and the account it belongs to.
func (e *Engine) OpenDraft(ctx context.Context, id int64) (*compose.Message, string, error) {
	msg, err := e.store.Message(ctx, id)
	if err != nil {
		return nil, "", messageErr(id, err)
	}
	if msg.Folder != mailstore.FolderDrafts {
		return nil, "", fmt.Errorf("message %d is not a draft (it is in %s)", id, msg.Folder)
	}
	raw, err := e.store.Raw(ctx, id)
	if err != nil {
		return nil, "", messageErr(id, err)
	}
	o, err := compose.ReadOriginal(raw)
	if err != nil {
		return nil, "", err
	}
	m := &compose.Message{Subject: o.Subject, Text: o.Text, MessageID: o.MessageID, References: o.References}
	if len(o.From) > 0 {
		m.From = o.From[0]
	}
	m.To, m.Cc, m.Bcc = withoutPlaceholder(o.To), withoutPlaceholder(o.Cc), o.Bcc
	if n := len(m.References); n > 0 {
		m.InReplyTo = m.References[n-1]
	}
	if b, _ := mimetext.ParseBody(raw); b != nil {
		for i := range b.Attachments {
			name, data, err := mimetext.AttachmentData(raw, i)
			if err != nil {
				return nil, "", fmt.Errorf("draft %d: attachment %d: %w", id, i+1, err)
			}
			if name == "" {
				name = fmt.Sprintf("attachment-%d", i+1)
			}
			m.Attachments = append(m.Attachments, compose.Attachment{Filename: name, ContentType: b.Attachments[i].ContentType, Data: data})
		}
	}
	return m, msg.Account, nil
}

// withoutPlaceholder drops the stand-in recipient of a draft saved without any.
func withoutPlaceholder(as []*compose.Address) []*compose.Address {
	var out []*compose.Address
	for _, a := range as {
		if !strings.EqualFold(a.Address, draftPlaceholder) {
			out = append(out, a)
		}
	}
	return out
}
