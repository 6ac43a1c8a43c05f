package engine

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// spoolMemory is how much of a download is kept in memory; the rest goes to a temporary file.
// Spooling (rather than writing into the store while RETR runs) keeps the database's write
// lock off the network's pace, and memory bounded whatever the message size.
const spoolMemory = 1 << 20

// spool holds one downloaded message, in memory or in a file under DataDir/spool.
type spool struct {
	dir, prefix string
	mem         bytes.Buffer
	f           *os.File
	size        int64
}

func (e *Engine) newSpool(accountID int64) *spool {
	return &spool{dir: filepath.Join(e.dataDir(), "spool"), prefix: "account-" + strconv.FormatInt(accountID, 10) + "-"}
}

// fill reads r (at most limit bytes) into the spool, replacing what it held.
func (s *spool) fill(r io.Reader, limit int64) error {
	s.reset()
	lr := &io.LimitedReader{R: r, N: limit + 1}
	n, err := io.CopyN(&s.mem, lr, spoolMemory)
	s.size = n
	if errors.Is(err, io.EOF) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return fmt.Errorf("download spool: %w", err)
	}
	if s.f, err = os.CreateTemp(s.dir, s.prefix+"*"); err != nil {
		return fmt.Errorf("download spool: %w", err)
	}
	w := s.f
	if _, err := w.Write(s.mem.Bytes()); err != nil {
		return fmt.Errorf("download spool: %w", err)
	}
	s.mem.Reset()
	n, err = io.Copy(w, lr)
	s.size += n
	if err != nil {
		return err
	}
	if s.size > limit {
		return fmt.Errorf("the message is larger than %d bytes", limit)
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("download spool: %w", err)
	}
	return nil
}

// reader returns the spooled bytes from the start.
func (s *spool) reader() io.Reader {
	if s.f != nil {
		return s.f
	}
	return bytes.NewReader(s.mem.Bytes())
}

// reset drops the spooled bytes and any file.
func (s *spool) reset() {
	s.mem.Reset()
	s.size = 0
	if s.f != nil {
		s.f.Close()
		os.Remove(s.f.Name())
		s.f = nil
	}
}

// cleanStale removes spool files a killed session of this account left behind. The caller
// holds the account's lock, so no live session owns them.
func (s *spool) cleanStale() {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), s.prefix) {
			os.Remove(filepath.Join(s.dir, e.Name()))
		}
	}
}
