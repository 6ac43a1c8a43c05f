// Package popdrain is the benchmark's yardstick: the least a POP3 client can do. It logs in,
// sends every RETR at once from a writer goroutine while a reader discards the replies, so the
// time it takes is the server's (and the link's) own limit, which no real client can beat.
package popdrain

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"
)

// ReadTimeout bounds the wait for any one line from the server.
const ReadTimeout = 60 * time.Second

// Config says where and as whom to log in.
type Config struct {
	Addr           string
	TLS            *tls.Config // nil = plain TCP
	User, Password string
}

// Result counts what a session received.
type Result struct {
	Messages int
	Octets   int64 // the sizes the server announced in STAT
	Bytes    int64 // message bytes received (CRLF lines, dot-stuffing removed)
}

// ServerError is a -ERR reply.
type ServerError struct {
	Command, Reply string
}

func (e *ServerError) Error() string {
	return fmt.Sprintf("popdrain: %s: %s", e.Command, e.Reply)
}

type session struct {
	conn net.Conn
	r    *bufio.Reader
	stop func() bool
}

func (s *session) close() {
	s.stop()
	s.conn.Close()
}

func dial(ctx context.Context, cfg Config) (*session, error) {
	d := &net.Dialer{Timeout: 10 * time.Second}
	var conn net.Conn
	var err error
	if cfg.TLS != nil {
		conn, err = (&tls.Dialer{NetDialer: d, Config: cfg.TLS}).DialContext(ctx, "tcp", cfg.Addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", cfg.Addr)
	}
	if err != nil {
		return nil, fmt.Errorf("popdrain: %w", err)
	}
	// Cancelling ctx closes the connection, which ends any blocked read or write.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	s := &session{conn: conn, r: bufio.NewReaderSize(conn, 256<<10), stop: stop}
	if _, err := s.status("greeting"); err != nil {
		s.close()
		return nil, err
	}
	for _, cmd := range []string{"USER " + cfg.User, "PASS " + cfg.Password} {
		if _, err := s.cmd(cmd); err != nil {
			s.close()
			return nil, err
		}
	}
	return s, nil
}

// line reads one line; the read deadline is set per reply by status, as setting it per line
// costs measurably at hundreds of thousands of lines a second.
func (s *session) line() ([]byte, error) {
	l, err := s.r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		// An over-long line: keep reading it whole.
		buf := append([]byte(nil), l...)
		for errors.Is(err, bufio.ErrBufferFull) {
			l, err = s.r.ReadSlice('\n')
			buf = append(buf, l...)
		}
		l = buf
	}
	if err != nil {
		return nil, fmt.Errorf("popdrain: reading: %w", err)
	}
	return l, nil
}

func (s *session) status(what string) (string, error) {
	if err := s.conn.SetReadDeadline(time.Now().Add(ReadTimeout)); err != nil {
		return "", err
	}
	l, err := s.line()
	if err != nil {
		return "", err
	}
	text := strings.TrimRight(string(l), "\r\n")
	if !strings.HasPrefix(text, "+OK") {
		return "", &ServerError{Command: what, Reply: text}
	}
	return strings.TrimSpace(strings.TrimPrefix(text, "+OK")), nil
}

func (s *session) cmd(c string) (string, error) {
	if _, err := io.WriteString(s.conn, c+"\r\n"); err != nil {
		return "", fmt.Errorf("popdrain: %w", err)
	}
	what, _, _ := strings.Cut(c, " ") // never echo a password into an error
	return s.status(what)
}

// multiline reads a dot-terminated body, returning its line and byte counts (dot-stuffing
// removed).
func (s *session) multiline() (lines int, n int64, err error) {
	for {
		l, err := s.line()
		if err != nil {
			return lines, n, err
		}
		if l[0] == '.' {
			if bytes.Equal(l, []byte(".\r\n")) || bytes.Equal(l, []byte(".\n")) {
				return lines, n, nil
			}
			l = l[1:]
		}
		lines++
		n += int64(len(l))
	}
}

func (s *session) stat() (int, int64, error) {
	reply, err := s.cmd("STAT")
	if err != nil {
		return 0, 0, err
	}
	f := strings.Fields(reply)
	if len(f) < 2 {
		return 0, 0, fmt.Errorf("popdrain: STAT reply %q", reply)
	}
	n, err1 := strconv.Atoi(f[0])
	size, err2 := strconv.ParseInt(f[1], 10, 64)
	if err1 != nil || err2 != nil || n < 0 {
		return 0, 0, fmt.Errorf("popdrain: STAT reply %q", reply)
	}
	return n, size, nil
}

func (s *session) quit() error {
	_, err := s.cmd("QUIT")
	s.close()
	return err
}

// Warm logs in, lists every message (UIDL and LIST, which makes Dovecot read and index the
// whole mailbox) and quits. It returns the message count and the STAT size.
func Warm(ctx context.Context, cfg Config) (Result, error) {
	s, err := dial(ctx, cfg)
	if err != nil {
		return Result{}, err
	}
	defer s.close()
	n, octets, err := s.stat()
	if err != nil {
		return Result{}, err
	}
	for _, c := range []string{"UIDL", "LIST"} {
		if _, err := s.cmd(c); err != nil {
			return Result{}, err
		}
		if _, _, err := s.multiline(); err != nil {
			return Result{}, err
		}
	}
	return Result{Messages: n, Octets: octets}, s.quit()
}

// Listing logs in, reads the UIDL listing and quits: the least an idle poll does, the
// baseline of Pouch's. Messages counts the listing's lines.
func Listing(ctx context.Context, cfg Config) (Result, error) {
	s, err := dial(ctx, cfg)
	if err != nil {
		return Result{}, err
	}
	defer s.close()
	if _, err := s.cmd("UIDL"); err != nil {
		return Result{}, err
	}
	n, _, err := s.multiline()
	if err != nil {
		return Result{}, err
	}
	return Result{Messages: n}, s.quit()
}

// Drain logs in and downloads every message with all RETR commands pipelined, discarding the
// bytes. Nothing is deleted: the session ends with QUIT without DELE.
func Drain(ctx context.Context, cfg Config) (Result, error) {
	s, err := dial(ctx, cfg)
	if err != nil {
		return Result{}, err
	}
	defer s.close()
	n, octets, err := s.stat()
	if err != nil {
		return Result{}, err
	}
	res := Result{Octets: octets}
	werr := make(chan error, 1)
	go func() {
		// A buffered writer: the commands leave in large segments, as a pipelining client
		// sends them. The reader runs meanwhile, so neither side's window fills up.
		w := bufio.NewWriterSize(s.conn, 64<<10)
		for i := 1; i <= n; i++ {
			if _, err := fmt.Fprintf(w, "RETR %d\r\n", i); err != nil {
				werr <- err
				return
			}
		}
		werr <- w.Flush()
	}()
	for i := 1; i <= n; i++ {
		if _, err := s.status(fmt.Sprintf("RETR %d", i)); err != nil {
			return res, err
		}
		_, b, err := s.multiline()
		if err != nil {
			return res, err
		}
		res.Messages++
		res.Bytes += b
	}
	if err := <-werr; err != nil {
		return res, fmt.Errorf("popdrain: sending: %w", err)
	}
	return res, s.quit()
}
