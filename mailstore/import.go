package mailstore

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/pouchmail/pouch/mailstore/mimetext"
)

// Imported messages are stored like downloaded ones, with two differences: their UIDL is
// "import:<sha256 of the raw bytes>" (71 characters: RFC 1939 caps a server's UIDL at 70, so it
// cannot collide with one), and they get no ledger row, so no session will ever DELE anything
// because of an import. Raw bytes are normalised to the wire form (CRLF line ends) so that the
// SHA-256 of an imported message equals that of the same message fetched by POP3, which is how
// duplicates are recognised: a message whose hash is already stored (in any account) is
// skipped.

// ImportUIDLPrefix starts the synthetic UIDL of every imported message.
const ImportUIDLPrefix = "import:"

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

// importItem is one message read from an archive, already in wire form.
type importItem struct {
	raw  []byte
	read bool
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
	var res ImportResult
	var name string
	if err := s.db.QueryRowContext(ctx, `SELECT name FROM accounts WHERE id = ?`, accountID).Scan(&name); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			err = fmt.Errorf("account %d: %w", accountID, ErrNotFound)
		}
		return res, fmt.Errorf("mailstore: import: %w", err)
	}
	var source func(fn func(importItem) error) error
	switch format {
	case FormatMbox:
		source = func(fn func(importItem) error) error {
			f, err := os.Open(path)
			if err != nil {
				return err
			}
			defer f.Close()
			err = ReadMbox(f, func(msg []byte) error {
				return fn(importItem{raw: withFinalCRLF(ToCRLF(msg))})
			})
			var ie *ImportError
			if errors.As(err, &ie) {
				ie.Path = path
			}
			return err
		}
	case FormatMaildir:
		files, err := maildirFiles(path)
		if err != nil {
			return res, fmt.Errorf("mailstore: import: %w", err)
		}
		source = func(fn func(importItem) error) error {
			for _, f := range files {
				b, err := readFileMax(f.path)
				if err != nil {
					return err
				}
				if err := fn(importItem{raw: withFinalCRLF(ToCRLF(b)), read: f.read}); err != nil {
					return err
				}
			}
			return nil
		}
	case FormatEML:
		files, err := emlFiles(path)
		if err != nil {
			return res, fmt.Errorf("mailstore: import: %w", err)
		}
		source = func(fn func(importItem) error) error {
			for _, p := range files {
				b, err := readFileMax(p)
				if err != nil {
					return err
				}
				if err := fn(importItem{raw: ToCRLF(b)}); err != nil {
					return err
				}
			}
			return nil
		}
	default:
		_, err := ParseFormat(string(format))
		return res, fmt.Errorf("mailstore: import: %w", err)
	}

	// Count first, so progress has a total; reading twice costs little next to parsing.
	total := 0
	if err := source(func(importItem) error { total++; return ctx.Err() }); err != nil {
		return res, fmt.Errorf("mailstore: import: %w", err)
	}
	b := &importBatcher{s: s, accountID: accountID, account: name, now: now}
	done := 0
	err := source(func(it importItem) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		b.items = append(b.items, it)
		done++
		if len(b.items) >= importBatch {
			if err := b.flush(ctx, &res); err != nil {
				return err
			}
		}
		if progress != nil {
			progress(done, total)
		}
		return nil
	})
	if err == nil {
		err = b.flush(ctx, &res)
	}
	if err != nil {
		return res, fmt.Errorf("mailstore: import: %w", err)
	}
	return res, nil
}

type importBatcher struct {
	s         *Store
	accountID int64
	account   string
	now       time.Time
	items     []importItem
}

// flush stores the pending messages in one transaction, skipping known hashes.
func (b *importBatcher) flush(ctx context.Context, res *ImportResult) error {
	if len(b.items) == 0 {
		return nil
	}
	tx, err := b.s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	exists, err := tx.PrepareContext(ctx, `SELECT count(*) FROM messages WHERE sha256 = ?`)
	if err != nil {
		return err
	}
	defer exists.Close()
	ins, err := tx.PrepareContext(ctx, `INSERT INTO messages
		(account_id, account_name, uidl, raw, sha256, size, date, received,
		 from_addr, to_addr, cc_addr, subject, message_id, has_attachments, read)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer ins.Close()
	var r ImportResult
	for _, it := range b.items {
		sum := sha256.Sum256(it.raw)
		hash := hex.EncodeToString(sum[:])
		var n int
		if err := exists.QueryRowContext(ctx, hash).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			r.Skipped++
			continue
		}
		hd := mimetext.ParseHeaders(it.raw)
		var date any
		if !hd.Date.IsZero() {
			date = hd.Date.Unix()
		}
		_, err := ins.ExecContext(ctx, b.accountID, b.account, ImportUIDLPrefix+hash, it.raw, hash, len(it.raw), date,
			b.now.Unix(), hd.From, hd.To, hd.Cc, hd.Subject, hd.MessageID, hd.HasAttachments, it.read)
		if err != nil {
			return err
		}
		r.Imported++
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	res.Imported += r.Imported
	res.Skipped += r.Skipped
	b.items = b.items[:0]
	return nil
}

// withFinalCRLF appends CRLF to b unless it is empty or ends with LF.
func withFinalCRLF(b []byte) []byte {
	if len(b) == 0 || b[len(b)-1] == '\n' {
		return b
	}
	return append(b, '\r', '\n')
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

type maildirFile struct {
	path string
	read bool
}

// maildirFiles lists the messages of the Maildir at dir (new, then cur), sorted by name.
func maildirFiles(dir string) ([]maildirFile, error) {
	var files []maildirFile
	found := false
	for _, sub := range []string{"new", "cur"} {
		entries, err := os.ReadDir(filepath.Join(dir, sub))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		found = true
		names := make([]string, 0, len(entries))
		for _, e := range entries {
			if e.Type().IsRegular() && !strings.HasPrefix(e.Name(), ".") {
				names = append(names, e.Name())
			}
		}
		sort.Strings(names)
		for _, n := range names {
			_, info, _ := strings.Cut(n, ":2,")
			files = append(files, maildirFile{path: filepath.Join(dir, sub, n), read: sub == "cur" && strings.Contains(info, "S")})
		}
	}
	if !found {
		return nil, &ImportError{Path: dir, Msg: "not a Maildir (no cur or new directory)"}
	}
	return files, nil
}

// emlFiles returns path if it is a file, else the .eml files under it, sorted.
func emlFiles(path string) ([]string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return []string{path}, nil
	}
	var files []string
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() && strings.EqualFold(filepath.Ext(p), ".eml") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	return files, nil
}

// fromLineRE matches a classic From_ line: "From sender Mon Jan  2 15:04:05 2006" (and
// Thunderbird's "From - Mon Jan  2 15:04:05 2006").
var fromLineRE = regexp.MustCompile(`^From \S+ +[A-Z][a-z]{2} [A-Z][a-z]{2} +\d{1,2} \d{1,2}:\d{2}(:\d{2})? `)

// ReadMbox calls fn with each message of an mbox file, without its From_ line and the empty
// separator line before the next one, with ">From " lines unescaped (one '>' removed) and line
// ends as in the file. Text before the first From_ line other than empty lines is an error.
func ReadMbox(r io.Reader, fn func(msg []byte) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var (
		msg     []byte
		inMsg   bool
		blank   []byte // an empty line held back: it may be the separator
		prevEnd = true // start of file or after an empty line
		lineNo  int
	)
	flush := func() error {
		if !inMsg {
			return nil
		}
		err := fn(msg)
		msg = msg[:0:0]
		return err
	}
	for {
		line, err := readLine(br)
		if len(line) == 0 && err != nil {
			if err == io.EOF {
				break
			}
			return err
		}
		lineNo++
		isBlank := len(bytes.TrimRight(line, "\r\n")) == 0
		if bytes.HasPrefix(line, []byte("From ")) && (prevEnd || fromLineRE.Match(line)) {
			blank = nil
			if err := flush(); err != nil {
				return err
			}
			inMsg = true
			prevEnd = false
			continue
		}
		if !inMsg {
			if isBlank {
				continue
			}
			return &ImportError{Path: "mbox", Msg: fmt.Sprintf("line %d: not an mbox file (no \"From \" line before the first message)", lineNo)}
		}
		if blank != nil {
			msg = append(msg, blank...)
			blank = nil
		}
		if isBlank {
			blank = append([]byte(nil), line...)
			prevEnd = true
			continue
		}
		prevEnd = false
		if isFromLine(line) && line[0] == '>' {
			line = line[1:]
		}
		if len(msg)+len(line) > maxImportMessage {
			return &ImportError{Path: "mbox", Msg: fmt.Sprintf("line %d: message larger than %d MiB", lineNo, maxImportMessage>>20)}
		}
		msg = append(msg, line...)
		if err == io.EOF {
			break
		}
	}
	return flush()
}

// readLine returns the next line with its line end; long lines are read whole (the message
// size bound applies to the whole message).
func readLine(br *bufio.Reader) ([]byte, error) {
	line, err := br.ReadSlice('\n')
	if err != bufio.ErrBufferFull {
		return line, err
	}
	buf := append([]byte(nil), line...)
	for err == bufio.ErrBufferFull {
		line, err = br.ReadSlice('\n')
		buf = append(buf, line...)
		if len(buf) > maxImportMessage {
			return nil, &ImportError{Path: "mbox", Msg: "line too long"}
		}
	}
	return buf, err
}
