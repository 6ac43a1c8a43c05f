package mailstore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync/atomic"
	"time"
)

// maildirSource reads the messages of the Maildir at dir: new, then cur, each sorted by name.
func maildirSource(dir string) (source, error) {
	var files []importFile
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
			files = append(files, importFile{path: filepath.Join(dir, sub, n), read: sub == "cur" && strings.Contains(info, "S")})
		}
	}
	if !found {
		return nil, &ImportError{Path: dir, Msg: "not a Maildir (no cur or new directory)"}
	}
	return filesSource(files, true), nil
}

type maildirWriter struct {
	dir  string
	host string
	pid  int
	seq  atomic.Int64
}

func newMaildirWriter(dir string) (messageWriter, error) {
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
