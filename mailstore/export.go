package mailstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	netmail "net/mail"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"time"
	"unicode"
)

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

// ParseFormat checks a format name given by a user.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(s)); f {
	case FormatMbox, FormatEML, FormatMaildir:
		return f, nil
	}
	return "", fmt.Errorf("unknown archive format %q (want mbox, eml or maildir)", s)
}

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
	var (
		w   messageWriter
		err error
	)
	switch format {
	case FormatMbox:
		w, err = newMboxWriter(out)
	case FormatEML:
		w, err = newEMLWriter(out)
	case FormatMaildir:
		w, err = newMaildirWriter(out)
	default:
		_, err = ParseFormat(string(format))
	}
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

type messageWriter interface {
	write(m *Message, raw []byte) error
	close() error
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

// --- mbox ---

type mboxWriter struct {
	f    *os.File
	path string
	buf  *bytes.Buffer
	err  error
}

func newMboxWriter(path string) (*mboxWriter, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("%s already exists; choose a new file name", path)
	}
	if err != nil {
		return nil, err
	}
	return &mboxWriter{f: f, path: path, buf: &bytes.Buffer{}}, nil
}

func (w *mboxWriter) write(m *Message, raw []byte) error {
	w.buf.Reset()
	date := m.Date
	if date.IsZero() {
		date = m.Received
	}
	WriteMboxrd(w.buf, raw, mboxSender(m.From), date)
	_, err := w.f.Write(w.buf.Bytes())
	if err != nil {
		w.err = err
	}
	return err
}

func (w *mboxWriter) close() error {
	err := w.f.Sync()
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	if w.err != nil || err != nil {
		// Keep what was written: it is a valid mbox up to the last message.
		return errors.Join(w.err, err)
	}
	return nil
}

// mboxSender returns the first address of a From display value, or MAILER-DAEMON.
func mboxSender(from string) string {
	if list, err := netmail.ParseAddressList(from); err == nil && len(list) > 0 && list[0].Address != "" {
		if a := list[0].Address; !strings.ContainsFunc(a, unicode.IsSpace) {
			return a
		}
	}
	if from != "" && !strings.ContainsFunc(from, unicode.IsSpace) && strings.Contains(from, "@") {
		return from
	}
	return "MAILER-DAEMON"
}

// WriteMboxrd appends one mboxrd entry to w: the "From sender date" line (date in UTC, asctime
// form), the message with CRLF turned into LF and lines matching />*From / given one more '>',
// a final newline if the message lacks one, and the blank separator line.
func WriteMboxrd(w *bytes.Buffer, raw []byte, sender string, date time.Time) {
	w.WriteString("From ")
	w.WriteString(sender)
	w.WriteByte(' ')
	w.WriteString(date.UTC().Format("Mon Jan _2 15:04:05 2006"))
	w.WriteByte('\n')
	body := ToLF(raw)
	for len(body) > 0 {
		line := body
		if i := bytes.IndexByte(body, '\n'); i >= 0 {
			line = body[:i+1]
		}
		body = body[len(line):]
		if isFromLine(line) {
			w.WriteByte('>')
		}
		w.Write(line)
	}
	if len(raw) > 0 && !bytes.HasSuffix(w.Bytes(), []byte("\n")) {
		w.WriteByte('\n')
	}
	w.WriteByte('\n')
}

// isFromLine reports whether line matches />*From /.
func isFromLine(line []byte) bool {
	return bytes.HasPrefix(bytes.TrimLeft(line, ">"), []byte("From "))
}

// --- EML ---

type emlWriter struct{ dir string }

func newEMLWriter(dir string) (*emlWriter, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	return &emlWriter{dir: dir}, nil
}

func (w *emlWriter) write(m *Message, raw []byte) error {
	base := EMLName(m)
	for i := 1; ; i++ {
		name := base + ".eml"
		if i > 1 {
			name = fmt.Sprintf("%s (%d).eml", base, i)
		}
		err := writeNew(filepath.Join(w.dir, name), raw)
		if errors.Is(err, fs.ErrExist) && i < 10000 {
			continue
		}
		return err
	}
}

func (w *emlWriter) close() error { return nil }

// EMLName returns a readable file name without extension for m: "2026-11-16 09.15 Subject",
// in local time, with characters that some file system refuses replaced, at most 100 bytes.
func EMLName(m *Message) string {
	date := m.Date
	if date.IsZero() {
		date = m.Received
	}
	subject := strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return ' '
		case unicode.IsControl(r), strings.ContainsRune(`<>:"/\|?*`, r):
			return '_'
		}
		return r
	}, m.Subject)
	subject = strings.Join(strings.Fields(subject), " ")
	const maxSubject = 80
	if len(subject) > maxSubject {
		cut := maxSubject
		for cut > 0 && !isRuneStart(subject[cut]) {
			cut--
		}
		subject = subject[:cut]
	}
	// Windows drops trailing dots and spaces.
	subject = strings.TrimRight(subject, ". ")
	if subject == "" {
		subject = "no subject"
	}
	return date.Local().Format("2006-01-02 15.04") + " " + subject
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

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

// --- Maildir ---

type maildirWriter struct {
	dir  string
	host string
	pid  int
	seq  atomic.Int64
}

func newMaildirWriter(dir string) (*maildirWriter, error) {
	for _, sub := range []string{"cur", "new", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return nil, err
		}
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "localhost"
	}
	// Maildir names use '/' and ':' as separators; the spec escapes them in the host part.
	host = strings.NewReplacer("/", `\057`, ":", `\072`).Replace(host)
	return &maildirWriter{dir: dir, host: host, pid: os.Getpid()}, nil
}

// write delivers one message: tmp/NAME, then a rename into new/NAME (unread) or
// cur/NAME:2,S (read). NAME is "<received>.M<µs>P<pid>Q<seq>.<host>", unique per process,
// microsecond and message.
func (w *maildirWriter) write(m *Message, raw []byte) error {
	now := time.Now()
	name := fmt.Sprintf("%d.M%dP%dQ%d.%s", now.Unix(), now.Nanosecond()/1000, w.pid, w.seq.Add(1), w.host)
	tmp := filepath.Join(w.dir, "tmp", name)
	if err := writeNew(tmp, ToLF(raw)); err != nil {
		return err
	}
	final := filepath.Join(w.dir, "new", name)
	if m.Read {
		final = filepath.Join(w.dir, "cur", name+":2,S")
	}
	if _, err := os.Lstat(final); err == nil {
		os.Remove(tmp)
		return fmt.Errorf("%s already exists", final)
	}
	if err := os.Rename(tmp, final); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

func (w *maildirWriter) close() error {
	return syncDir(filepath.Join(w.dir, "cur"), filepath.Join(w.dir, "new"))
}

// syncDir makes renames into dirs durable. Windows cannot sync a directory (and its renames
// are durable once they return), so it is skipped there.
func syncDir(dirs ...string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	for _, d := range dirs {
		f, err := os.Open(d)
		if err != nil {
			return err
		}
		err = f.Sync()
		f.Close()
		if err != nil {
			return err
		}
	}
	return nil
}
