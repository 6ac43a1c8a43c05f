package mimetext

import (
	"errors"
	"fmt"
	"io"

	"github.com/emersion/go-message"
)

// maxAttachmentBytes bounds one decoded attachment held in memory.
const maxAttachmentBytes = 256 << 20

// ErrNoAttachment means the message has no attachment with the requested index.
var ErrNoAttachment = errors.New("mimetext: no such attachment")

// AttachmentData returns the display-safe file name and the decoded bytes of
// the index-th attachment of raw, counting as ParseBody lists them in
// Body.Attachments. An index out of range gives an error wrapping
// ErrNoAttachment.
func AttachmentData(raw []byte, index int) (name string, data []byte, err error) {
	if index < 0 {
		return "", nil, fmt.Errorf("attachment %d: %w", index, ErrNoAttachment)
	}
	defer func() {
		// Untrusted input: a parser bug must not take the application down.
		if r := recover(); r != nil {
			name, data, err = "", nil, fmt.Errorf("mimetext: attachment %d: %w: %v", index, errMalformed, r)
		}
	}()
	e, _ := readEntity(raw)
	n := 0
	found := false
	werr := walk(e, func(p *message.Entity) error {
		if text, _ := isText(p.Header); text {
			return nil
		}
		if n != index {
			n++
			return nil
		}
		found = true
		name = filename(p.Header)
		b, rerr := io.ReadAll(io.LimitReader(p.Body, maxAttachmentBytes+1))
		if rerr == nil && len(b) > maxAttachmentBytes {
			rerr = fmt.Errorf("larger than %d bytes", maxAttachmentBytes)
		}
		data, err = b, rerr
		return errStop
	})
	if !found {
		if werr != nil {
			return "", nil, fmt.Errorf("mimetext: attachment %d: %w", index, werr)
		}
		return "", nil, fmt.Errorf("mimetext: attachment %d: %w", index, ErrNoAttachment)
	}
	if err != nil {
		// A truncated part: the bytes read so far are returned with the error.
		return name, data, fmt.Errorf("mimetext: attachment %d: %w", index, err)
	}
	return name, data, nil
}
