package mailstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"
	"time"

	"github.com/pouchmail/pouch/mailstore/mimetext"
)

// ChunkSize is the size of one stored piece of a large message. Messages up to this size stay
// inline in messages.raw; larger ones go to message_chunks so that neither saving nor reading
// them needs the whole message in memory.
const ChunkSize = 1 << 20

// HashUIDLPrefix starts the UIDL the store makes up for a message from a server without UIDL
// (SaveOptions.UIDLFromHash): "sha256:" and the hex SHA-256 of the bytes.
const HashUIDLPrefix = "sha256:"

// SaveOptions change how SaveMessageWith stores a message.
type SaveOptions struct {
	// Partial marks the message as headers only (the account's size limit); it can be
	// replaced by the full message later with ReplaceMessageFrom.
	Partial bool
	// UIDLFromHash stores the message under HashUIDLPrefix + its SHA-256 instead of the given
	// UIDL, for servers without UIDL: downloading the same message again is then ErrExists.
	UIDLFromHash bool
}

// DurabilityError says a commit would not have been durable: the connection did not run with
// synchronous=FULL, so the caller must not delete the server's copy.
type DurabilityError struct{ Err error }

func (e *DurabilityError) Error() string {
	return fmt.Sprintf("mailstore: the commit would not be durable: %v", e.Err)
}
func (e *DurabilityError) Unwrap() error { return e.Err }

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

// SaveMessageFrom is SaveMessage reading the message from r, in bounded memory.
func (s *Store) SaveMessageFrom(ctx context.Context, accountID int64, uidl string, r io.Reader, now time.Time) (*Message, error) {
	return s.SaveMessageWith(ctx, accountID, uidl, r, now, SaveOptions{})
}

// SaveMessageWith stores the message read from r under (accountID, uidl) with its ledger row
// in one transaction, like SaveMessage. A message up to ChunkSize is stored inline; a larger
// one is written in ChunkSize pieces while it is hashed, so memory stays bounded whatever its
// size. Headers are parsed from the first ChunkSize bytes. Before the commit the transaction's
// own connection is checked for synchronous=FULL (a *DurabilityError otherwise): once this
// returns nil the copy survives power loss.
func (s *Store) SaveMessageWith(ctx context.Context, accountID int64, uidl string, r io.Reader, now time.Time, opts SaveOptions) (*Message, error) {
	if uidl == "" && !opts.UIDLFromHash {
		return nil, errors.New("mailstore: save message: empty UIDL")
	}
	label := uidl
	wrap := func(err error) error { return fmt.Errorf("mailstore: save message %q: %w", label, err) }

	head := make([]byte, ChunkSize)
	n, err := io.ReadFull(r, head)
	chunked := true
	switch {
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		chunked = false
	case err != nil:
		return nil, wrap(err)
	}
	head = head[:n]
	if chunked {
		// A message of exactly ChunkSize bytes is still small: peek one byte.
		var one [1]byte
		k, err := io.ReadFull(r, one[:])
		if k == 0 && (errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)) {
			chunked = false
		} else if err != nil {
			return nil, wrap(err)
		} else {
			r = io.MultiReader(bytes.NewReader(one[:]), r)
		}
	}
	sum := sha256.New()
	sum.Write(head)
	if !chunked && opts.UIDLFromHash {
		uidl = HashUIDLPrefix + hex.EncodeToString(sum.Sum(nil))
		label = uidl
	}
	hd := mimetext.ParseHeaders(head)
	m := Message{
		AccountID: accountID, UIDL: uidl, From: hd.From, To: hd.To, Cc: hd.Cc, Subject: hd.Subject,
		MessageID: hd.MessageID, Received: time.Unix(now.Unix(), 0), HasAttachments: hd.HasAttachments,
		Partial: opts.Partial,
	}
	var date any
	if !hd.Date.IsZero() {
		date = hd.Date.Unix()
		m.Date = time.Unix(hd.Date.Unix(), 0)
	}

	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, wrap(err)
	}
	defer tx.Rollback()
	err = tx.QueryRowContext(ctx, `SELECT name FROM accounts WHERE id = ?`, accountID).Scan(&m.Account)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, wrap(fmt.Errorf("account %d: %w", accountID, ErrNotFound))
	}
	if err != nil {
		return nil, wrap(err)
	}
	inline := head
	rowUIDL := uidl
	if chunked {
		inline = []byte{}
		if opts.UIDLFromHash {
			// The real UIDL is known only at the end; no other writer runs inside this
			// (immediate) transaction, so a fixed placeholder cannot collide.
			rowUIDL = "\x00pending"
		}
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO messages
		(account_id, account_name, uidl, raw, sha256, size, date, received,
		 from_addr, to_addr, cc_addr, subject, message_id, has_attachments, partial, chunked)
		VALUES (?, ?, ?, ?, '', 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		accountID, m.Account, rowUIDL, inline, date, now.Unix(),
		m.From, m.To, m.Cc, m.Subject, m.MessageID, m.HasAttachments, opts.Partial, chunked)
	if isUnique(err) {
		tx.Rollback()
		return nil, s.existing(ctx, accountID, uidl, now, wrap)
	}
	if err != nil {
		return nil, wrap(err)
	}
	if m.ID, err = res.LastInsertId(); err != nil {
		return nil, wrap(err)
	}
	m.Size = int64(len(head))
	if chunked {
		size, err := writeChunks(ctx, tx, m.ID, head, r, sum)
		if err != nil {
			return nil, wrap(err)
		}
		m.Size = size
	}
	m.SHA256 = hex.EncodeToString(sum.Sum(nil))
	if opts.UIDLFromHash {
		uidl = HashUIDLPrefix + m.SHA256
		label, m.UIDL = uidl, uidl
	}
	_, err = tx.ExecContext(ctx, `UPDATE messages SET sha256 = ?, size = ?, uidl = ? WHERE id = ?`, m.SHA256, m.Size, uidl, m.ID)
	if isUnique(err) {
		tx.Rollback()
		return nil, s.existing(ctx, accountID, uidl, now, wrap)
	}
	if err != nil {
		return nil, wrap(err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO ledger (account_id, uidl, first_seen, downloaded_at, message_id)
		VALUES (?1, ?2, ?3, ?3, ?4)
		ON CONFLICT (account_id, uidl) DO UPDATE SET downloaded_at = excluded.downloaded_at, message_id = excluded.message_id`,
		accountID, uidl, now.Unix(), m.ID)
	if err != nil {
		return nil, wrap(err)
	}
	if err := checkDurable(ctx, tx); err != nil {
		return nil, wrap(err)
	}
	if err := tx.Commit(); err != nil {
		return nil, wrap(err)
	}
	return &m, nil
}

// existing handles a save of an (account, UIDL) that is already stored: the ledger row is
// linked to the stored message (it may have been pruned and re-created), and ErrExists returned.
func (s *Store) existing(ctx context.Context, accountID int64, uidl string, now time.Time, wrap func(error) error) error {
	_, err := s.db.ExecContext(ctx, `UPDATE ledger SET downloaded_at = coalesce(downloaded_at, ?3),
		message_id = (SELECT id FROM messages WHERE account_id = ?1 AND uidl = ?2)
		WHERE account_id = ?1 AND uidl = ?2 AND message_id IS NULL`, accountID, uidl, now.Unix())
	if err != nil {
		return wrap(errors.Join(ErrExists, err))
	}
	return wrap(ErrExists)
}

// checkDurable reads synchronous back on the transaction's own connection: the pool applies
// it per connection, and a connection without it could lose a commit the caller then acts on.
func checkDurable(ctx context.Context, tx *sql.Tx) error {
	var got string
	if err := tx.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&got); err != nil {
		return &DurabilityError{Err: err}
	}
	if got != "2" {
		return &DurabilityError{Err: fmt.Errorf("synchronous = %s, want 2 (FULL)", got)}
	}
	return nil
}

// writeChunks stores head and the rest of r as chunks of message id, hashing into sum.
func writeChunks(ctx context.Context, tx *sql.Tx, id int64, head []byte, r io.Reader, sum hash.Hash) (int64, error) {
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO message_chunks (message_id, seq, data) VALUES (?, ?, ?)`)
	if err != nil {
		return 0, err
	}
	defer stmt.Close()
	if _, err := stmt.ExecContext(ctx, id, 0, head); err != nil {
		return 0, err
	}
	size := int64(len(head))
	buf := head[:cap(head)] // head is not needed any more: reuse its memory
	for seq := 1; ; seq++ {
		n, err := io.ReadFull(r, buf)
		if n > 0 {
			sum.Write(buf[:n])
			if _, err := stmt.ExecContext(ctx, id, seq, buf[:n]); err != nil {
				return 0, err
			}
			size += int64(n)
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return size, nil
		}
		if err != nil {
			return 0, err
		}
		if err := ctx.Err(); err != nil {
			return 0, err
		}
	}
}

// ReplaceMessageFrom replaces the bytes of message id (a partial one, say) with those read
// from r, keeping its id, ledger row and read/trash state; the parsed headers, hash and size
// are recomputed and the message is no longer partial.
func (s *Store) ReplaceMessageFrom(ctx context.Context, id int64, r io.Reader) (*Message, error) {
	wrap := func(err error) error { return fmt.Errorf("mailstore: replace message %d: %w", id, err) }
	head := make([]byte, ChunkSize)
	n, err := io.ReadFull(r, head)
	chunked := true
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		chunked = false
	} else if err != nil {
		return nil, wrap(err)
	}
	head = head[:n]
	sum := sha256.New()
	sum.Write(head)
	hd := mimetext.ParseHeaders(head)
	var date any
	if !hd.Date.IsZero() {
		date = hd.Date.Unix()
	}

	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, wrap(err)
	}
	defer tx.Rollback()
	var one int
	if err := tx.QueryRowContext(ctx, `SELECT 1 FROM messages WHERE id = ?`, id).Scan(&one); errors.Is(err, sql.ErrNoRows) {
		return nil, wrap(ErrNotFound)
	} else if err != nil {
		return nil, wrap(err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM message_chunks WHERE message_id = ?`, id); err != nil {
		return nil, wrap(err)
	}
	inline, size := head, int64(len(head))
	if chunked {
		inline = []byte{}
		if size, err = writeChunks(ctx, tx, id, head, r, sum); err != nil {
			return nil, wrap(err)
		}
	}
	sha := hex.EncodeToString(sum.Sum(nil))
	// The index row goes with the old bytes; the message rejoins the backlog, so its body and
	// attachments become searchable.
	_, err = tx.ExecContext(ctx, `UPDATE messages SET raw = ?, chunked = ?, sha256 = ?, size = ?, partial = 0, indexed = 0,
		date = ?, from_addr = ?, to_addr = ?, cc_addr = ?, subject = ?, message_id = ?, has_attachments = ?
		WHERE id = ?`, inline, chunked, sha, size,
		date, hd.From, hd.To, hd.Cc, hd.Subject, hd.MessageID, hd.HasAttachments, id)
	if err != nil {
		return nil, wrap(err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM message_fts WHERE rowid = ?`, id); err != nil {
		return nil, wrap(err)
	}
	// The ledger now knows the whole message's bytes: they are what a deletion is checked against.
	if _, err := tx.ExecContext(ctx, `UPDATE ledger SET size = ?, sha256 = ? WHERE message_id = ?`, size, sha, id); err != nil {
		return nil, wrap(err)
	}
	if err := checkDurable(ctx, tx); err != nil {
		return nil, wrap(err)
	}
	if err := tx.Commit(); err != nil {
		return nil, wrap(err)
	}
	return s.Message(ctx, id)
}

// OpenRaw streams message id's bytes exactly as saved, one chunk in memory at a time.
func (s *Store) OpenRaw(ctx context.Context, id int64) (io.ReadCloser, error) {
	var (
		raw     []byte
		chunked bool
	)
	err := s.db.QueryRowContext(ctx, `SELECT raw, chunked FROM messages WHERE id = ?`, id).Scan(&raw, &chunked)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("mailstore: message %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("mailstore: message %d: %w", id, err)
	}
	if !chunked {
		return io.NopCloser(bytes.NewReader(raw)), nil
	}
	return &chunkReader{ctx: ctx, db: s.db, id: id}, nil
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

// readAllChunks reassembles a chunked message (for Raw).
func (s *Store) readAllChunks(ctx context.Context, id int64) ([]byte, error) {
	rc := &chunkReader{ctx: ctx, db: s.db, id: id}
	defer rc.Close()
	return io.ReadAll(rc)
}

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

// RequestServerDelete queues the server deletion of an account's UIDLs (delete_requested_at):
// the next session DELEs them. UIDLs not in the ledger are ignored.
func (s *Store) RequestServerDelete(ctx context.Context, accountID int64, uidls []string, now time.Time) error {
	return s.eachUIDL(ctx, "request server delete", accountID, uidls,
		`UPDATE ledger SET delete_requested_at = ?3 WHERE account_id = ?1 AND uidl = ?2 AND delete_requested_at IS NULL`, now)
}

// PruneLedger removes the ledger rows of UIDLs the server no longer lists (onServer is the
// complete listing of a successful session) and returns how many. The ledger describes what is
// on the server now; a UIDL that comes back later may name another message (servers reuse
// UIDLs after a rebuild), so nothing about it is kept: not a download, not a delete request.
// A message deleted here whose UIDL comes back is compared by hash when downloaded again, and
// stored again only if its bytes are not in the archive.
func (s *Store) PruneLedger(ctx context.Context, accountID int64, onServer []string) (int, error) {
	wrap := func(err error) error { return fmt.Errorf("mailstore: prune ledger: %w", err) }
	listed := make(map[string]struct{}, len(onServer))
	for _, u := range onServer {
		listed[u] = struct{}{}
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, wrap(err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT uidl FROM ledger WHERE account_id = ?`, accountID)
	if err != nil {
		return 0, wrap(err)
	}
	var gone []string
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			rows.Close()
			return 0, wrap(err)
		}
		if _, ok := listed[u]; !ok {
			gone = append(gone, u)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, wrap(err)
	}
	stmt, err := tx.PrepareContext(ctx, `DELETE FROM ledger WHERE account_id = ? AND uidl = ?`)
	if err != nil {
		return 0, wrap(err)
	}
	defer stmt.Close()
	for _, u := range gone {
		if _, err := stmt.ExecContext(ctx, accountID, u); err != nil {
			return 0, wrap(err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, wrap(err)
	}
	return len(gone), nil
}

// IsHashUIDL reports whether uidl was made up by UIDLFromHash.
func IsHashUIDL(uidl string) bool { return strings.HasPrefix(uidl, HashUIDLPrefix) }
