package mailstore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode"
)

// emlSource reads the .eml file at path, or the .eml files under the directory path, sorted.
func emlSource(path string) (source, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return filesSource([]importFile{{path: path}}, false), nil
	}
	var files []importFile
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() && strings.EqualFold(filepath.Ext(p), ".eml") {
			files = append(files, importFile{path: p})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(files, func(i, j int) bool { return files[i].path < files[j].path })
	return filesSource(files, false), nil
}

type emlWriter struct{ dir string }

func newEMLWriter(dir string) (messageWriter, error) {
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
