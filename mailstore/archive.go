package mailstore

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// Export and Import move messages between the archive and mbox, Maildir and EML files. Each
// format's reading and writing is in its own file (mbox.go, maildir.go, eml.go); this is what
// they share.
//
// Imported messages are stored like downloaded ones, through a Saver, with two differences:
// their UIDL is ImportUIDLPrefix + the hex SHA-256 of the raw bytes, and they get no ledger
// row, so no session will ever DELE anything because of an import. Raw bytes are normalised to
// the wire form (CRLF line ends) so that the SHA-256 of an imported message equals that of the
// same message fetched by POP3, which is how duplicates are recognised: a message whose hash
// is already stored (in any account) is skipped.

// Format is an archive format for Export and Import.
type Format string

const (
	// FormatMbox is one file in mboxrd form: LF line ends, a "From " line before each message,
	// and body lines matching />*From / escaped with one more '>'.
	FormatMbox Format = "mbox"
	// FormatEML is one file per message holding the raw bytes exactly as received.
	FormatEML Format = "eml"
	// FormatMaildir is a Maildir (cur, new, tmp) with one LF file per message.
	FormatMaildir Format = "maildir"
)

// formats are each format's writer (Export) and reader (Import).
var formats = map[Format]struct {
	writer func(out string) (messageWriter, error)
	source func(path string) (source, error)
}{
	FormatMbox:    {newMboxWriter, mboxSource},
	FormatEML:     {newEMLWriter, emlSource},
	FormatMaildir: {newMaildirWriter, maildirSource},
}

// messageWriter writes exported messages in one format.
type messageWriter interface {
	write(m *Message, raw []byte) error
	close() error
}

// source calls fn with each message of an archive to import, in wire form.
type source func(fn func(BatchItem) error) error

// ParseFormat checks a format name given by a user.
func ParseFormat(s string) (Format, error) {
	f := Format(strings.ToLower(s))
	if _, ok := formats[f]; !ok {
		return "", fmt.Errorf("unknown archive format %q (want mbox, eml or maildir)", s)
	}
	return f, nil
}

// maxImportMessage bounds one message read from an archive.
const maxImportMessage = 256 << 20

// importBatch is how many messages one transaction stores.
const importBatch = 200

// ImportResult counts what Import did.
type ImportResult struct {
	Imported int // stored
	Skipped  int // already present (same raw bytes)
}

// ImportError says which file or message of an archive could not be read.
type ImportError struct {
	Path string
	Msg  string
}

func (e *ImportError) Error() string { return fmt.Sprintf("import %s: %s", e.Path, e.Msg) }

// Export writes the messages ids, in that order, to out and returns how many it wrote.
//
//   - mbox: out is a new file (an existing one is never overwritten).
//   - eml: out is a directory (created if needed); each message becomes "DATE TIME SUBJECT.eml",
//     made safe for every file system and unique (" (2)" and so on, existing files untouched).
//   - maildir: out is a Maildir (created if needed); read messages go to cur with ":2,S",
//     unread ones to new. Files are written to tmp and renamed, as Maildir asks.
//
// mbox and Maildir files hold the raw message with CRLF turned into LF, as mail tools store
// it: a message fetched from a server's Maildir comes out byte for byte as the server's file,
// except that a file without a final newline gets one (the POP3 wire form always ends in
// CRLF, so Pouch cannot know it was missing). progress, if not nil, is called after each
// message.
func (s *Store) Export(ctx context.Context, format Format, out string, ids []int64, progress func(done, total int)) (int, error) {
	f, ok := formats[format]
	if !ok {
		_, err := ParseFormat(string(format))
		return 0, fmt.Errorf("mailstore: export: %w", err)
	}
	w, err := f.writer(out)
	if err != nil {
		return 0, fmt.Errorf("mailstore: export: %w", err)
	}
	n := 0
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			w.close()
			return n, err
		}
		m, err := s.Message(ctx, id)
		if err != nil {
			w.close()
			return n, fmt.Errorf("mailstore: export: %w", err)
		}
		raw, err := s.Raw(ctx, id)
		if err != nil {
			w.close()
			return n, fmt.Errorf("mailstore: export: %w", err)
		}
		if err := w.write(m, raw); err != nil {
			w.close()
			return n, fmt.Errorf("mailstore: export message %d: %w", id, err)
		}
		n++
		if progress != nil {
			progress(n, len(ids))
		}
	}
	if err := w.close(); err != nil {
		return n, fmt.Errorf("mailstore: export: %w", err)
	}
	return n, nil
}

// Import reads the archive at path in format and stores its messages under accountID:
//
//   - mbox: one file, mboxrd or mboxo (Thunderbird); a line starting ">From " (any number of
//     '>') loses one '>'. A message starts at a "From " line that follows an empty line or
//     looks like a From_ line ("From sender Mon Jan  2 15:04:05 2006").
//   - maildir: the files of cur and new (tmp is skipped); the S flag marks a message read.
//   - eml: one .eml file, or a directory searched recursively for .eml files.
//
// LF line ends become CRLF. mbox and Maildir messages without a final line end get CRLF, as a
// POP3 server sends them; EML files otherwise keep their bytes. Messages already stored (same
// raw hash) are skipped. progress, if not nil, is called after each message with the number
// handled and the total found.
func (s *Store) Import(ctx context.Context, accountID int64, format Format, path string, now time.Time, progress func(done, total int)) (ImportResult, error) {
	return s.ImportInto(ctx, accountID, "", format, path, now, progress)
}

// ImportInto is Import into a folder: "" or inbox (the account's inbox), sent, or a user
// folder, created with its parents if missing. The Outbox, Drafts and the Trash take no
// imports (ErrFolderNotAllowed).
func (s *Store) ImportInto(ctx context.Context, accountID int64, folder Folder, format Format, path string, now time.Time, progress func(done, total int)) (ImportResult, error) {
	var res ImportResult
	wrap := func(err error) error { return fmt.Errorf("mailstore: import: %w", err) }
	if _, err := s.Account(ctx, accountID); err != nil {
		return res, wrap(err)
	}
	sv := &Saver{s: s, accountID: accountID, imported: true, folder: FolderInbox}
	switch {
	case folder == "" || folder == FolderInbox:
	case folder == FolderSent:
		sv.folder = FolderSent
	case folder.System():
		return res, fmt.Errorf("import into %s: %w: only inbox, sent or a folder of yours", folder, ErrFolderNotAllowed)
	default:
		id, err := s.ensureFolder(ctx, folder, now)
		if err != nil {
			return res, wrap(err)
		}
		sv.folderID = sql.NullInt64{Int64: id, Valid: true}
	}
	f, ok := formats[format]
	if !ok {
		_, err := ParseFormat(string(format))
		return res, wrap(err)
	}
	src, err := f.source(path)
	if err != nil {
		return res, wrap(err)
	}
	// Count first, so progress has a total; reading twice costs little next to parsing.
	total := 0
	if err := src(func(BatchItem) error { total++; return ctx.Err() }); err != nil {
		return res, wrap(err)
	}
	var items []BatchItem
	flush := func() error {
		rs, err := sv.Save(ctx, items, now)
		for _, r := range rs {
			if r.Exists {
				res.Skipped++
			} else {
				res.Imported++
			}
		}
		items = items[:0]
		return err
	}
	done := 0
	err = src(func(it BatchItem) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		items = append(items, it)
		done++
		if len(items) >= importBatch {
			if err := flush(); err != nil {
				return err
			}
		}
		if progress != nil {
			progress(done, total)
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return res, wrap(err)
	}
	return res, nil
}

// importFile is one file of a Maildir or EML import, holding one message.
type importFile struct {
	path string
	read bool // a Maildir message marked seen
}

// filesSource reads one message from each file, in wire form: LF line ends become CRLF and,
// with finalCRLF, a message without a final line end gets one.
func filesSource(files []importFile, finalCRLF bool) source {
	return func(fn func(BatchItem) error) error {
		for _, f := range files {
			b, err := readFileMax(f.path)
			if err != nil {
				return err
			}
			if b = ToCRLF(b); finalCRLF {
				b = withFinalCRLF(b)
			}
			if err := fn(BatchItem{Data: b, Read: f.read}); err != nil {
				return err
			}
		}
		return nil
	}
}

func readFileMax(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxImportMessage+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxImportMessage {
		return nil, &ImportError{Path: path, Msg: fmt.Sprintf("message larger than %d MiB", maxImportMessage>>20)}
	}
	return b, nil
}

// ToLF turns every CRLF into LF; lone CRs stay.
func ToLF(raw []byte) []byte { return bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n")) }

// ToCRLF turns every LF not already preceded by CR into CRLF.
func ToCRLF(b []byte) []byte {
	n := bytes.Count(b, []byte("\n")) - bytes.Count(b, []byte("\r\n"))
	if n == 0 {
		return b
	}
	out := make([]byte, 0, len(b)+n)
	for i, c := range b {
		if c == '\n' && (i == 0 || b[i-1] != '\r') {
			out = append(out, '\r')
		}
		out = append(out, c)
	}
	return out
}

// withFinalCRLF appends CRLF to b unless it is empty or ends with LF.
func withFinalCRLF(b []byte) []byte {
	if len(b) == 0 || b[len(b)-1] == '\n' {
		return b
	}
	return append(b, '\r', '\n')
}

// writeNew creates path (failing with fs.ErrExist if it exists) and writes data. Files are
// not synced one by one: an export is a copy and the archive stays the truth, so after a crash
// the export is simply run again (100,000 fsyncs would make it minutes slower).
func writeNew(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	return f.Close()
}
