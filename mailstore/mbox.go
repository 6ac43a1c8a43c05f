package mailstore

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	netmail "net/mail"
	"os"
	"regexp"
	"strings"
	"time"
	"unicode"
)

// mboxSource reads the messages of the mbox file at path.
func mboxSource(path string) (source, error) {
	return func(fn func(BatchItem) error) error {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		err = ReadMbox(f, func(msg []byte) error {
			return fn(BatchItem{Data: withFinalCRLF(ToCRLF(msg))})
		})
		var ie *ImportError
		if errors.As(err, &ie) {
			ie.Path = path
		}
		return err
	}, nil
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

type mboxWriter struct {
	f    *os.File
	path string
	buf  *bytes.Buffer
	err  error
}

func newMboxWriter(path string) (messageWriter, error) {
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
