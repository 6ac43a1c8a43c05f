package mailstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
)

// ChunkSize is the size of one stored piece of a large message. Messages up to this size stay
// inline in messages.raw; larger ones go to message_chunks so that neither saving nor reading
// them needs the whole message in memory.
const ChunkSize = 1 << 20

// IntegrityError says a stored message's bytes do not match the hash and size recorded when
// it was saved.
type IntegrityError struct {
	ID               int64
	WantSHA, GotSHA  string
	WantSize, GotLen int64
}

func (e *IntegrityError) Error() string {
	return fmt.Sprintf("mailstore: message %d: stored bytes (sha256 %s, %d bytes) do not match the record (sha256 %s, %d bytes)",
		e.ID, e.GotSHA, e.GotLen, e.WantSHA, e.WantSize)
}

// PartialError says a message holds headers only, so it is not a complete local copy.
type PartialError struct{ ID int64 }

func (e *PartialError) Error() string {
	return fmt.Sprintf("mailstore: message %d is stored as headers only", e.ID)
}

func hexSHA256(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// readHead reads the start of a message from r into buf (ChunkSize bytes). If the message
// fits, head is all of it and rest is nil; otherwise rest reads what follows head.
func readHead(r io.Reader, buf []byte) (head []byte, rest io.Reader, err error) {
	n, err := io.ReadFull(r, buf)
	switch {
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return buf[:n], nil, nil
	case err != nil:
		return nil, nil, err
	}
	// buf is full: a message of exactly that size is still inline, so peek.
	var one [1]byte
	k, err := io.ReadFull(r, one[:])
	switch {
	case k == 1:
		return buf, io.MultiReader(bytes.NewReader(one[:]), r), nil
	case errors.Is(err, io.EOF):
		return buf, nil, nil
	}
	return nil, nil, err
}

// writeChunks stores a message larger than ChunkSize as the pieces of message id, through
// chunk (insertChunk): head, then the rest read into buf (which head may share), hashing as it
// goes. It returns the size and hex SHA-256 of the whole message.
func writeChunks(ctx context.Context, chunk *sql.Stmt, id int64, head []byte, rest io.Reader, buf []byte) (int64, string, error) {
	sum := sha256.New()
	var size int64
	piece, last := head, false
	for seq := 0; len(piece) > 0; seq++ {
		sum.Write(piece)
		if _, err := chunk.ExecContext(ctx, id, seq, piece); err != nil {
			return 0, "", err
		}
		size += int64(len(piece))
		if last {
			break
		}
		if err := ctx.Err(); err != nil {
			return 0, "", err
		}
		n, err := io.ReadFull(rest, buf)
		piece, last = buf[:n], err != nil
		if last && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
			return 0, "", err
		}
	}
	return size, hex.EncodeToString(sum.Sum(nil)), nil
}

// Raw returns exactly the bytes saved for message id.
func (s *Store) Raw(ctx context.Context, id int64) ([]byte, error) {
	raw, chunks, err := s.raw(ctx, id)
	if chunks != nil {
		defer chunks.Close()
		return io.ReadAll(chunks)
	}
	return raw, err
}

// OpenRaw streams message id's bytes exactly as saved, one chunk in memory at a time.
func (s *Store) OpenRaw(ctx context.Context, id int64) (io.ReadCloser, error) {
	raw, chunks, err := s.raw(ctx, id)
	if chunks != nil {
		return chunks, nil
	}
	if err != nil {
		return nil, err
	}
	return io.NopCloser(bytes.NewReader(raw)), nil
}

// raw returns message id's bytes when they are inline, else a reader of its chunks.
func (s *Store) raw(ctx context.Context, id int64) ([]byte, *chunkReader, error) {
	var (
		raw     []byte
		chunked bool
	)
	err := s.db.QueryRowContext(ctx, `SELECT raw, chunked FROM messages WHERE id = ?`, id).Scan(&raw, &chunked)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, fmt.Errorf("mailstore: message %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("mailstore: message %d: %w", id, err)
	}
	if chunked {
		return nil, &chunkReader{ctx: ctx, db: s.db, id: id}, nil
	}
	if raw == nil {
		raw = []byte{}
	}
	return raw, nil, nil
}

// chunkReader reads a chunked message's pieces in order, one query per chunk.
type chunkReader struct {
	ctx  context.Context
	db   *sql.DB
	id   int64
	seq  int
	buf  []byte
	done bool
}

func (c *chunkReader) Read(p []byte) (int, error) {
	for len(c.buf) == 0 {
		if c.done {
			return 0, io.EOF
		}
		err := c.db.QueryRowContext(c.ctx, `SELECT data FROM message_chunks WHERE message_id = ? AND seq = ?`, c.id, c.seq).Scan(&c.buf)
		if errors.Is(err, sql.ErrNoRows) {
			c.done = true
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("mailstore: message %d chunk %d: %w", c.id, c.seq, err)
		}
		c.seq++
	}
	n := copy(p, c.buf)
	c.buf = c.buf[n:]
	return n, nil
}

func (c *chunkReader) Close() error { c.done, c.buf = true, nil; return nil }

// VerifyMessage re-reads message id's stored bytes and checks them against the SHA-256 and
// size recorded when it was saved: an *IntegrityError on mismatch, a *PartialError for a
// headers-only message. Deleting the server's copy is safe only after this returns nil.
func (s *Store) VerifyMessage(ctx context.Context, id int64) error {
	m, err := s.Message(ctx, id)
	if err != nil {
		return err
	}
	if m.Partial {
		return &PartialError{ID: id}
	}
	rc, err := s.OpenRaw(ctx, id)
	if err != nil {
		return err
	}
	defer rc.Close()
	h := sha256.New()
	n, err := io.Copy(h, rc)
	if err != nil {
		return fmt.Errorf("mailstore: verify message %d: %w", id, err)
	}
	got := hex.EncodeToString(h.Sum(nil))
	if got != m.SHA256 || n != m.Size {
		return &IntegrityError{ID: id, WantSHA: m.SHA256, GotSHA: got, WantSize: m.Size, GotLen: n}
	}
	return nil
}
