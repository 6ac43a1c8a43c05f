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
	"strconv"
	"time"

	"github.com/pouchmail/pouch/mailstore/mimetext"
)

// BatchItem is one downloaded message for Saver.Save: its bytes are either in Data or, for a
// message too large to hold in memory, read from File.
type BatchItem struct {
	UIDL    string
	Data    []byte    // the whole message when File is nil
	File    io.Reader // if not nil, the message is read from here to the end
	Partial bool      // headers only (the account's size limit)
}

// BatchResult says what Saver.Save did with one item.
type BatchResult struct {
	ID     int64  // the stored message; the earlier one when Exists
	Size   int64  // bytes of the message
	SHA256 string // hex SHA-256 of the message
	Exists bool   // the same bytes were already stored for the account: only the ledger was linked
	// Replaced is the message that was stored under the same UIDL with other bytes (a UIDL
	// reused by the server, or a message changed under it); it keeps its bytes and is renamed
	// to RetiredUIDL. 0 if none.
	Replaced int64
}

// RetiredUIDL is the UIDL given to message id when its UIDL comes to name other bytes on the
// server. The space makes it impossible as a server UIDL (RFC 1939 allows 0x21-0x7E only), and
// the id makes it unique.
func RetiredUIDL(uidl string, id int64) string {
	return "replaced:" + strconv.FormatInt(id, 10) + " " + uidl
}

// Saver stores messages of one account in batches, one transaction per batch, reusing its
// buffers between batches. It is not safe for concurrent use; the store's other writers
// (the search indexer, say) wait for a batch's transaction like for any other.
type Saver struct {
	s         *Store
	accountID int64
	buf       []byte // ChunkSize: the head of a large message, then each of its chunks
}

// NewSaver returns a Saver for accountID.
func (s *Store) NewSaver(accountID int64) *Saver {
	return &Saver{s: s, accountID: accountID}
}

// batchStmts are the statements of one batch's transaction, prepared once per batch rather
// than once per message.
type batchStmts struct {
	find, byHash, insert, chunk, fix, rename, drop, ledger *sql.Stmt
}

func (b *batchStmts) close() {
	for _, st := range []*sql.Stmt{b.find, b.byHash, b.insert, b.chunk, b.fix, b.rename, b.drop, b.ledger} {
		if st != nil {
			st.Close()
		}
	}
}

func prepareBatch(ctx context.Context, tx *sql.Tx) (*batchStmts, error) {
	b := &batchStmts{}
	for _, p := range []struct {
		dst **sql.Stmt
		q   string
	}{
		{&b.find, `SELECT id FROM messages WHERE account_id = ? AND uidl = ?`},
		// Earlier messages of the same UIDL (the current one, or retired ones) with these bytes.
		{&b.byHash, `SELECT id FROM messages WHERE account_id = ?1 AND sha256 = ?2 AND id <> ?3 AND partial = ?4
			AND uidl LIKE 'replaced:%' AND substr(uidl, instr(uidl, ' ') + 1) = ?5
			ORDER BY id = ?6 DESC, id DESC LIMIT 1`},
		{&b.insert, `INSERT INTO messages
			(account_id, account_name, uidl, raw, sha256, size, date, received,
			 from_addr, to_addr, cc_addr, subject, message_id, has_attachments, partial, chunked)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`},
		{&b.chunk, `INSERT INTO message_chunks (message_id, seq, data) VALUES (?, ?, ?)`},
		{&b.fix, `UPDATE messages SET sha256 = ?, size = ? WHERE id = ?`},
		{&b.rename, `UPDATE messages SET uidl = ? WHERE id = ?`},
		{&b.drop, `DELETE FROM messages WHERE id = ?`},
		// The row says which bytes the UIDL named when they were downloaded. When they differ
		// from what the row knew, the UIDL names a new message: it is first seen now, and an
		// old delete request does not apply to it.
		{&b.ledger, `INSERT INTO ledger (account_id, uidl, first_seen, downloaded_at, message_id, size, sha256, failures, failure)
			VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6, 0, '')
			ON CONFLICT (account_id, uidl) DO UPDATE SET downloaded_at = excluded.downloaded_at,
				message_id = excluded.message_id, size = excluded.size, sha256 = excluded.sha256,
				failures = 0, failure = '',
				first_seen = CASE WHEN ledger.sha256 IS NOT excluded.sha256 AND ledger.sha256 IS NOT NULL
					THEN excluded.first_seen ELSE ledger.first_seen END,
				delete_requested_at = CASE WHEN ledger.sha256 IS NOT excluded.sha256
					THEN NULL ELSE ledger.delete_requested_at END`},
	} {
		st, err := tx.PrepareContext(ctx, p.q)
		if err != nil {
			b.close()
			return nil, err
		}
		*p.dst = st
	}
	return b, nil
}

// Save stores items, each with its ledger row (downloaded_at, message_id), in one
// transaction, and returns a result per item in order. A message of at most ChunkSize bytes is
// stored inline, a larger one in ChunkSize pieces, read from its File one piece at a time.
// An (account, UIDL) already stored, by an earlier session or earlier in items, is not stored
// again (Exists). Before the commit the transaction's own connection is checked for
// synchronous=FULL (a *DurabilityError otherwise): once Save returns nil, every item survives
// power loss, and the caller may delete the server's copies. On error nothing of the batch is
// stored.
func (sv *Saver) Save(ctx context.Context, items []BatchItem, now time.Time) ([]BatchResult, error) {
	wrap := func(err error) error { return fmt.Errorf("mailstore: save %d message(s): %w", len(items), err) }
	for _, it := range items {
		if it.UIDL == "" {
			return nil, wrap(errors.New("empty UIDL"))
		}
	}
	if len(items) == 0 {
		return nil, nil
	}
	sv.s.writeMu.Lock()
	defer sv.s.writeMu.Unlock()
	tx, err := sv.s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, wrap(err)
	}
	defer tx.Rollback()
	var account string
	err = tx.QueryRowContext(ctx, `SELECT name FROM accounts WHERE id = ?`, sv.accountID).Scan(&account)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, wrap(fmt.Errorf("account %d: %w", sv.accountID, ErrNotFound))
	}
	if err != nil {
		return nil, wrap(err)
	}
	st, err := prepareBatch(ctx, tx)
	if err != nil {
		return nil, wrap(err)
	}
	defer st.close()
	results := make([]BatchResult, len(items))
	t := now.Unix()
	for i, it := range items {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		r, err := sv.saveItem(ctx, st, account, it, t)
		if err != nil {
			return nil, wrap(fmt.Errorf("message %q: %w", it.UIDL, err))
		}
		if _, err := st.ledger.ExecContext(ctx, sv.accountID, it.UIDL, t, r.ID, r.Size, r.SHA256); err != nil {
			return nil, wrap(fmt.Errorf("message %q: %w", it.UIDL, err))
		}
		results[i] = r
	}
	if err := checkDurable(ctx, tx); err != nil {
		return nil, wrap(err)
	}
	if err := tx.Commit(); err != nil {
		return nil, wrap(err)
	}
	return results, nil
}

// saveItem stores one downloaded message, the one place where the archive decides whether
// downloaded bytes are new. They are always written first; then, if the account already holds
// the same bytes (a session cut short after its commit, a listing that comes back), the new
// row is dropped again and the ledger is linked to the stored copy (Exists). Downloaded bytes
// are never discarded unless the archive holds them already: when the UIDL's earlier message
// has other bytes, both are kept, and the earlier one is renamed to RetiredUIDL (Replaced).
func (sv *Saver) saveItem(ctx context.Context, st *batchStmts, account string, it BatchItem, t int64) (BatchResult, error) {
	var prev int64
	err := st.find.QueryRowContext(ctx, sv.accountID, it.UIDL).Scan(&prev)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		prev = 0
	case err != nil:
		return BatchResult{}, err
	default:
		// Free the UIDL for the download while the two are compared; the transaction hides
		// the intermediate state.
		if _, err := st.rename.ExecContext(ctx, RetiredUIDL(it.UIDL, prev), prev); err != nil {
			return BatchResult{}, err
		}
	}
	r, err := sv.saveOne(ctx, st, account, it, t)
	if err != nil {
		return BatchResult{}, err
	}
	if prev == 0 {
		return r, nil
	}
	var same int64
	err = st.byHash.QueryRowContext(ctx, sv.accountID, r.SHA256, r.ID, it.Partial, it.UIDL, prev).Scan(&same)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		r.Replaced = prev
		return r, nil
	case err != nil:
		return BatchResult{}, err
	}
	if _, err := st.drop.ExecContext(ctx, r.ID); err != nil {
		return BatchResult{}, err
	}
	// The UIDL names bytes stored before (a swap back to an earlier message): that copy takes
	// the UIDL again, and the one in between stays retired.
	if _, err := st.rename.ExecContext(ctx, it.UIDL, same); err != nil {
		return BatchResult{}, err
	}
	if same != prev {
		r.Replaced = prev
	}
	return BatchResult{ID: same, Size: r.Size, SHA256: r.SHA256, Exists: true, Replaced: r.Replaced}, nil
}

// saveOne inserts one new message (inline or chunked) inside the batch's transaction.
func (sv *Saver) saveOne(ctx context.Context, st *batchStmts, account string, it BatchItem, t int64) (BatchResult, error) {
	if it.File == nil && len(it.Data) > ChunkSize {
		it.File = bytes.NewReader(it.Data)
	}
	head := it.Data
	var rest io.Reader
	if it.File != nil {
		if sv.buf == nil {
			sv.buf = make([]byte, ChunkSize)
		}
		n, err := io.ReadFull(it.File, sv.buf)
		switch {
		case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		case err != nil:
			return BatchResult{}, err
		default:
			// ChunkSize read: a message of exactly that size is still inline, so peek.
			var one [1]byte
			k, err := io.ReadFull(it.File, one[:])
			if k == 1 {
				rest = io.MultiReader(bytes.NewReader(one[:]), it.File)
			} else if !errors.Is(err, io.EOF) {
				return BatchResult{}, err
			}
		}
		head = sv.buf[:n]
	}
	hd := mimetext.ParseHeaders(head)
	var date any
	if !hd.Date.IsZero() {
		date = hd.Date.Unix()
	}
	if rest == nil {
		// Inline: at most ChunkSize bytes.
		sum := sha256.Sum256(head)
		r := BatchResult{Size: int64(len(head)), SHA256: hex.EncodeToString(sum[:])}
		raw := head
		if raw == nil {
			raw = []byte{} // nil would be bound as NULL
		}
		res, err := st.insert.ExecContext(ctx, sv.accountID, account, it.UIDL, raw, r.SHA256, r.Size, date, t,
			hd.From, hd.To, hd.Cc, hd.Subject, hd.MessageID, hd.HasAttachments, it.Partial, false)
		if err != nil {
			return BatchResult{}, err
		}
		if r.ID, err = res.LastInsertId(); err != nil {
			return BatchResult{}, err
		}
		return r, nil
	}
	// Chunked: the row first, then the pieces while hashing, then the hash and size.
	res, err := st.insert.ExecContext(ctx, sv.accountID, account, it.UIDL, []byte{}, "", 0, date, t,
		hd.From, hd.To, hd.Cc, hd.Subject, hd.MessageID, hd.HasAttachments, it.Partial, true)
	if err != nil {
		return BatchResult{}, err
	}
	var r BatchResult
	if r.ID, err = res.LastInsertId(); err != nil {
		return BatchResult{}, err
	}
	sum := sha256.New()
	buf := sv.buf
	n := len(head)
	for seq := 0; ; seq++ {
		if n > 0 {
			sum.Write(buf[:n])
			if _, err := st.chunk.ExecContext(ctx, r.ID, seq, buf[:n]); err != nil {
				return BatchResult{}, err
			}
			r.Size += int64(n)
		}
		if err := ctx.Err(); err != nil {
			return BatchResult{}, err
		}
		var rerr error
		n, rerr = io.ReadFull(rest, buf)
		if errors.Is(rerr, io.EOF) || errors.Is(rerr, io.ErrUnexpectedEOF) {
			if n > 0 {
				sum.Write(buf[:n])
				if _, err := st.chunk.ExecContext(ctx, r.ID, seq+1, buf[:n]); err != nil {
					return BatchResult{}, err
				}
				r.Size += int64(n)
			}
			break
		}
		if rerr != nil {
			return BatchResult{}, rerr
		}
	}
	r.SHA256 = hex.EncodeToString(sum.Sum(nil))
	if _, err := st.fix.ExecContext(ctx, r.SHA256, r.Size, r.ID); err != nil {
		return BatchResult{}, err
	}
	return r, nil
}
