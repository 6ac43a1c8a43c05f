package mimetext_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/pouchmail/pouch/mailstore/mimetext"
)

func TestAttachmentData(t *testing.T) {
	tests := []struct {
		file     string
		index    int
		name     string
		prefix   string // start of the decoded bytes
		size     int
		wantErr  bool
		notFound bool
	}{
		{file: "valid/mixed-attachment.eml", index: 0, name: "report.pdf", prefix: "%PDF", size: 286},
		{file: "valid/mixed-attachment.eml", index: 1, notFound: true},
		{file: "valid/mixed-attachment.eml", index: -1, notFound: true},
		{file: "valid/plain.eml", index: 0, notFound: true},
		{file: "valid/alternative.eml", index: 0, notFound: true},
		// Cut off mid-part: the bytes read so far come back with an error.
		{file: "malformed/truncated-mime.eml", index: 0, name: "pic.png", size: 57, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			raw := readFixture(t, tc.file)
			name, data, err := mimetext.AttachmentData(raw, tc.index)
			if tc.notFound {
				if !errors.Is(err, mimetext.ErrNoAttachment) {
					t.Fatalf("AttachmentData(%d) error = %v, want ErrNoAttachment", tc.index, err)
				}
				return
			}
			if (err != nil) != tc.wantErr {
				t.Fatalf("AttachmentData(%d) error = %v, want error %v", tc.index, err, tc.wantErr)
			}
			if name != tc.name || len(data) != tc.size || !bytes.HasPrefix(data, []byte(tc.prefix)) {
				t.Errorf("AttachmentData(%d) = %q, %d bytes %q..., want %q, %d bytes %q...",
					tc.index, name, len(data), data[:min(8, len(data))], tc.name, tc.size, tc.prefix)
			}
			// The same index and size as ParseBody lists.
			b, _ := mimetext.ParseBody(raw)
			if len(b.Attachments) <= tc.index || b.Attachments[tc.index].Size != int64(len(data)) {
				t.Errorf("ParseBody lists %+v, AttachmentData gave %d bytes", b.Attachments, len(data))
			}
		})
	}
}

// FuzzAttachmentData: decoding never panics and never makes more than it was given, names
// are safe to use as file names, and a decoded attachment is the one ParseBody lists.
func FuzzAttachmentData(f *testing.F) {
	f.Add([]byte("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Disposition: attachment\r\n\r\nx\r\n--b--\r\n"), 0)
	f.Add(readFixture(f, "valid/mixed-attachment.eml"), 0)
	f.Add(readFixture(f, "malformed/truncated-mime.eml"), 0)
	f.Fuzz(func(t *testing.T, raw []byte, index int) {
		name, data, err := mimetext.AttachmentData(raw, index)
		// Transfer decoding only shrinks; a text part's charset conversion to UTF-8 at most
		// triples (a byte becomes a rune of the Basic Multilingual Plane, or U+FFFD).
		if len(data) > 3*len(raw) {
			t.Fatalf("AttachmentData(%d) = %d bytes from a %d-byte message", index, len(data), len(raw))
		}
		if !utf8.ValidString(name) || strings.ContainsAny(name, "/\\\x00") || name == "." || name == ".." {
			t.Errorf("AttachmentData(%d) name %q is not a safe file name", index, name)
		}
		if err != nil {
			return
		}
		b, _ := mimetext.ParseBody(raw)
		if index >= len(b.Attachments) || b.Attachments[index].Size != int64(len(data)) || b.Attachments[index].Filename != name {
			t.Errorf("AttachmentData(%d) = %q, %d bytes; ParseBody lists %+v", index, name, len(data), b.Attachments)
		}
	})
}
