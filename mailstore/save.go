package mailstore

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/pouchmail/pouch/mailstore/mimetext"
)

// Every message enters the archive through a Saver: downloaded ones (Saver.Save, a batch per
// transaction, each with its ledger row) and imported ones (Import, with no ledger row). A
// message up to ChunkSize is stored inline, a larger one in ChunkSize pieces while it is
// hashed (raw.go), so memory stays bounded whatever its size. ReplaceMessageFrom gives a
// stored message (a partial one) its full bytes the same way.

// HashUIDLPrefix starts the UIDL made up for a message from a server without UIDL: "sha256:"
// and the hex SHA-256 of its bytes.
const HashUIDLPrefix = "sha256:"

// ImportUIDLPrefix starts the UIDL of every imported message: "import:" and the hex SHA-256 of
// its bytes (71 characters: RFC 1939 caps a server's UIDL at 70, so it cannot collide with one).
const ImportUIDLPrefix = "import:"

// pendingUIDL names an imported message stored in chunks while its hash is computed. No other
// writer runs inside the (immediate) transaction, and the row is renamed or dropped before the
// next message, so it cannot collide.
const pendingUIDL = "\x00pending"

// BatchItem is one message for Saver.Save: its bytes are either in Data or, for a message too
// large to hold in memory, read from File.
type BatchItem struct {
	UIDL    string
	Data    []byte    // the whole message when File is nil
	File    io.Reader // if not nil, the message is read from here to the end
	Partial bool      // headers only (the account's size limit)
	Read    bool      // stored as read (an imported Maildir message marked seen)
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

// DurabilityError says a commit would not have been durable: the connection did not run with
// synchronous=FULL, so the caller must not delete the server's copy.
type DurabilityError struct{ Err error }

func (e *DurabilityError) Error() string {
	return fmt.Sprintf("mailstore: the commit would not be durable: %v", e.Err)
}
func (e *DurabilityError) Unwrap() error { return e.Err }

// Saver stores messages of one account in batches, one transaction per batch, reusing its
// buffers between batches. It is not safe for concurrent use; the store's other writers
// (the search indexer, say) wait for a batch's transaction like for any other.
type Saver struct {
	s         *Store
	accountID int64
	// imported: the messages come from an archive file, not a server. Each is stored under
	// ImportUIDLPrefix + its hash (BatchItem.UIDL is ignored) with no ledger row, so no session
	// ever DELEs anything because of an import, and skipped (Exists) when the archive holds
	// its bytes already, in any account.
	imported bool
	// folder is where the messages go: FolderInbox for fetched and imported mail; messages
	// written here (SaveOutgoing, SaveDraft) go to their own.
	folder Folder
	// folderID, when valid, is the user folder imported messages go to (folder is then inbox).
	folderID sql.NullInt64
	buf      []byte // ChunkSize: the head of a large message, then each of its chunks
	// deferSync: batches commit with synchronous=NORMAL, durable only once Store.Sync returns
	// (DeferSync).
	deferSync bool
}

// NewSaver returns a Saver for accountID.
func (s *Store) NewSaver(accountID int64) *Saver {
	return &Saver{s: s, accountID: accountID, folder: FolderInbox}
}

// DeferSync makes the batches that follow commit with synchronous=NORMAL on their own
// connection: in WAL mode such a commit is atomic and survives a crash of the process, but not
// necessarily a power loss, until Store.Sync makes everything committed before it durable. A
// session uses it for the messages it downloads (one fsync per session instead of one per
// batch) and calls Sync before its first DELE; a message not yet durable is still on the server.
func (sv *Saver) DeferSync() { sv.deferSync = true }

// batchStmts are the statements of one batch's transaction, prepared once per batch rather
// than once per message.
type batchStmts struct {
	find, byHash, anyHash, insert, chunk, fix, rename, drop, ledger *sql.Stmt
	thread                                                          *threadStmts
}

func (b *batchStmts) close() {
	if b.thread != nil {
		b.thread.close()
	}
	for _, st := range []*sql.Stmt{b.find, b.byHash, b.anyHash, b.insert, b.chunk, b.fix, b.rename, b.drop, b.ledger} {
		if st != nil {
			st.Close()
		}
	}
}

const insertChunk = `INSERT INTO message_chunks (message_id, seq, data) VALUES (?, ?, ?)`

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
		// Any other message with these bytes, in any account (imports).
		{&b.anyHash, `SELECT id FROM messages WHERE sha256 = ? AND id <> ? LIMIT 1`},
		{&b.insert, `INSERT INTO messages
			(account_id, account_name, uidl, raw, sha256, size, date, received,
			 from_addr, to_addr, cc_addr, subject, message_id, has_attachments, partial, chunked, read, folder, folder_id, rules_pending,
			 thread_id, thread_subject)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`},
		{&b.chunk, insertChunk},
		{&b.fix, `UPDATE messages SET sha256 = ?, size = ? WHERE id = ?`},
		{&b.rename, `UPDATE messages SET uidl = ? WHERE id = ?`},
		{&b.drop, `DELETE FROM messages WHERE id = ?`},
		// The row says which bytes the UIDL named when they were downloaded. When they differ
		// from what the row knew, the UIDL names a new message: it is first seen now, and an
		// old delete request does not apply to it.
		{&b.ledger, `INSERT INTO ledger (account_id, uidl, first_seen, downloaded_at, message_id, size, sha256, partial, failures, failure)
			VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6, ?7, 0, '')
			ON CONFLICT (account_id, uidl) DO UPDATE SET downloaded_at = excluded.downloaded_at,
				message_id = excluded.message_id, size = excluded.size, sha256 = excluded.sha256,
				partial = excluded.partial, failures = 0, failure = '', failed_at = NULL, deleted_at = NULL,
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
	var err error
	if b.thread, err = prepareThread(ctx, tx); err != nil {
		b.close()
		return nil, err
	}
	return b, nil
}

// Save stores items, each with its ledger row (downloaded_at, message_id), in one
// transaction, and returns a result per item in order. A message of at most ChunkSize bytes is
// stored inline, a larger one in ChunkSize pieces, read from its File one piece at a time.
// Headers are parsed best-effort: a malformed message is still stored, since the raw bytes
// are the truth. Bytes the account already holds under the UIDL are not stored again
// (Exists). Before the commit the transaction's own connection is checked for
// synchronous=FULL (a *DurabilityError otherwise): once Save returns nil, every item survives
// power loss, and the caller may delete the server's copies. On error nothing of the batch is
// stored. An unknown account gives ErrNotFound.
func (sv *Saver) Save(ctx context.Context, items []BatchItem, now time.Time) ([]BatchResult, error) {
	wrap := func(err error) error { return fmt.Errorf("mailstore: save %d message(s): %w", len(items), err) }
	for _, it := range items {
		if it.UIDL == "" && !sv.imported {
			return nil, wrap(errors.New("empty UIDL"))
		}
	}
	if len(items) == 0 {
		return nil, nil
	}
	sv.s.writeMu.Lock()
	defer sv.s.writeMu.Unlock()
	want := syncFull
	if sv.deferSync {
		want = syncNormal
	}
	tx, done, err := sv.s.beginWrite(ctx, sv.deferSync)
	if err != nil {
		return nil, wrap(err)
	}
	defer done()
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
		if err == nil && !sv.imported {
			_, err = st.ledger.ExecContext(ctx, sv.accountID, it.UIDL, t, r.ID, r.Size, r.SHA256, it.Partial)
		}
		if err != nil && sv.imported {
			return nil, wrap(fmt.Errorf("message %d: %w", i+1, err))
		}
		if err != nil {
			return nil, wrap(fmt.Errorf("message %q: %w", it.UIDL, err))
		}
		results[i] = r
	}
	if err := checkSync(ctx, tx, want); err != nil {
		return nil, wrap(err)
	}
	if err := tx.Commit(); err != nil {
		return nil, wrap(err)
	}
	return results, nil
}

// saveItem stores one message, the one place where the archive decides whether downloaded
// bytes are new. They are always written first; then, if the account already holds the same
// bytes (a session cut short after its commit, a listing that comes back), the new row is
// dropped again and the ledger is linked to the stored copy (Exists). Downloaded bytes are
// never discarded unless the archive holds them already: when the UIDL's earlier message has
// other bytes, both are kept, and the earlier one is renamed to RetiredUIDL (Replaced).
func (sv *Saver) saveItem(ctx context.Context, st *batchStmts, account string, it BatchItem, t int64) (BatchResult, error) {
	if sv.imported {
		return sv.saveImported(ctx, st, account, it, t)
	}
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
	head, rest, err := sv.open(it)
	if err != nil {
		return BatchResult{}, err
	}
	r, err := sv.insert(ctx, st, account, it.UIDL, head, rest, it, t)
	if err != nil || prev == 0 {
		return r, err
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

// saveImported stores one imported message under ImportUIDLPrefix + its hash, unless the
// archive holds its bytes already (Exists).
func (sv *Saver) saveImported(ctx context.Context, st *batchStmts, account string, it BatchItem, t int64) (BatchResult, error) {
	head, rest, err := sv.open(it)
	if err != nil {
		return BatchResult{}, err
	}
	var r BatchResult
	if rest == nil {
		// The hash is known before anything is written: a duplicate is not written at all.
		r = BatchResult{Size: int64(len(head)), SHA256: hexSHA256(head)}
	} else if r, err = sv.insert(ctx, st, account, pendingUIDL, head, rest, it, t); err != nil {
		return BatchResult{}, err // too large to hash first: written, then named or dropped
	}
	var same int64
	err = st.anyHash.QueryRowContext(ctx, r.SHA256, r.ID).Scan(&same)
	switch {
	case err == nil:
		if r.ID != 0 {
			_, err = st.drop.ExecContext(ctx, r.ID)
		}
		return BatchResult{ID: same, Size: r.Size, SHA256: r.SHA256, Exists: true}, err
	case !errors.Is(err, sql.ErrNoRows):
		return BatchResult{}, err
	case rest == nil:
		return sv.insert(ctx, st, account, ImportUIDLPrefix+r.SHA256, head, nil, it, t)
	}
	_, err = st.rename.ExecContext(ctx, ImportUIDLPrefix+r.SHA256, r.ID)
	return r, err
}

// open returns the start of a message (all of it when it fits in ChunkSize) and, for a larger
// one, a reader of the rest.
func (sv *Saver) open(it BatchItem) (head []byte, rest io.Reader, err error) {
	if it.File == nil && len(it.Data) <= ChunkSize {
		return it.Data, nil, nil
	}
	r := it.File
	if r == nil {
		r = bytes.NewReader(it.Data)
	}
	if sv.buf == nil {
		sv.buf = make([]byte, ChunkSize)
	}
	return readHead(r, sv.buf)
}

// insert stores one new message under uidl inside the batch's transaction: inline, or with
// rest in chunks.
func (sv *Saver) insert(ctx context.Context, st *batchStmts, account, uidl string, head []byte, rest io.Reader, it BatchItem, t int64) (BatchResult, error) {
	hd := mimetext.ParseHeaders(head)
	r := BatchResult{Size: int64(len(head))}
	raw := head
	if rest == nil {
		r.SHA256 = hexSHA256(head)
	}
	if rest != nil || raw == nil {
		raw = []byte{} // chunked; or empty, and nil would be bound as NULL
	}
	// Fetched mail waits for the rules (rules.go); imported mail and mail written here do not.
	pending := !sv.imported && sv.folder == FolderInbox
	// The thread is found first, so that the row (and its raw bytes) is written once.
	thread, key, err := findThread(ctx, st.thread, 0, &hd, messageTime(&hd, t))
	if err != nil {
		return BatchResult{}, fmt.Errorf("thread: %w", err)
	}
	res, err := st.insert.ExecContext(ctx, sv.accountID, account, uidl, raw, r.SHA256, r.Size, unixOrNull(hd.Date), t,
		hd.From, hd.To, hd.Cc, hd.Subject, hd.MessageID, hd.HasAttachments, it.Partial, rest != nil, it.Read, string(sv.folder), sv.folderID, pending,
		thread, key)
	if err != nil {
		return BatchResult{}, err
	}
	if r.ID, err = res.LastInsertId(); err != nil {
		return BatchResult{}, err
	}
	if err := recordRefs(ctx, st.thread, r.ID, &hd); err != nil {
		return BatchResult{}, fmt.Errorf("thread: %w", err)
	}
	if rest == nil {
		return r, nil
	}
	// Chunked: the row first, then the pieces while hashing, then the hash and size.
	if r.Size, r.SHA256, err = writeChunks(ctx, st.chunk, r.ID, head, rest, sv.buf); err != nil {
		return BatchResult{}, err
	}
	_, err = st.fix.ExecContext(ctx, r.SHA256, r.Size, r.ID)
	return r, err
}

// ReplaceMessageFrom replaces the bytes of message id (a partial one, say) with those read
// from r, keeping its id, ledger row and read/trash state; the parsed headers, hash and size
// are recomputed and the message is no longer partial. Like Save, it stores a large message
// in chunks in bounded memory, and checks that its commit is durable.
func (s *Store) ReplaceMessageFrom(ctx context.Context, id int64, r io.Reader) (*Message, error) {
	wrap := func(err error) error { return fmt.Errorf("mailstore: replace message %d: %w", id, err) }
	buf := make([]byte, ChunkSize)
	head, rest, err := readHead(r, buf)
	if err != nil {
		return nil, wrap(err)
	}
	hd := mimetext.ParseHeaders(head)

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
	raw, size, sha := head, int64(len(head)), ""
	if rest == nil {
		sha = hexSHA256(head)
	} else {
		chunk, err := tx.PrepareContext(ctx, insertChunk)
		if err != nil {
			return nil, wrap(err)
		}
		defer chunk.Close()
		raw = []byte{}
		if size, sha, err = writeChunks(ctx, chunk, id, head, rest, buf); err != nil {
			return nil, wrap(err)
		}
	}
	// The index row goes with the old bytes; the message rejoins the backlog, so its body and
	// attachments become searchable.
	_, err = tx.ExecContext(ctx, `UPDATE messages SET raw = ?, chunked = ?, sha256 = ?, size = ?, partial = 0, indexed = 0,
		date = ?, from_addr = ?, to_addr = ?, cc_addr = ?, subject = ?, message_id = ?, has_attachments = ?
		WHERE id = ?`, raw, rest != nil, sha, size,
		unixOrNull(hd.Date), hd.From, hd.To, hd.Cc, hd.Subject, hd.MessageID, hd.HasAttachments, id)
	if err != nil {
		return nil, wrap(err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM message_fts WHERE rowid = ?`, id); err != nil {
		return nil, wrap(err)
	}
	// The ledger now knows the whole message's bytes: they are what a deletion is checked against.
	if _, err := tx.ExecContext(ctx, `UPDATE ledger SET size = ?, sha256 = ?, partial = 0 WHERE message_id = ?`, size, sha, id); err != nil {
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

// checkDurable reads synchronous back on the transaction's own connection: the pool applies
// it per connection, and a connection without it could lose a commit the caller then acts on.
func checkDurable(ctx context.Context, tx *sql.Tx) error { return checkSync(ctx, tx, syncFull) }

// checkSync reads synchronous back on q's own connection (a transaction's, or a connection)
// and wants it to be want.
func checkSync(ctx context.Context, q querier, want string) error {
	var got string
	if err := q.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&got); err != nil {
		return &DurabilityError{Err: err}
	}
	if got != want {
		return &DurabilityError{Err: fmt.Errorf("synchronous = %s, want %s", got, want)}
	}
	return nil
}

// unixOrNull is a time for a nullable column: NULL when zero.
func unixOrNull(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Unix()
}

// LocalUIDLPrefix starts the UIDL of every message written here (sent, outbox, drafts):
// "local " and 32 random hex digits. The space makes it impossible as a server UIDL (RFC 1939
// allows 0x21-0x7E only), so no listing can ever name it, and such a message has no ledger row:
// it can never cause a deletion on a server.
const LocalUIDLPrefix = "local "

func localUIDL() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return LocalUIDLPrefix + hex.EncodeToString(b[:]), nil
}

// Envelope is the SMTP envelope of a message in the outbox: Bcc recipients are in no header.
type Envelope struct {
	From string   // MAIL FROM
	To   []string // RCPT TO, one address each
}

// OutgoingOptions say where SaveOutgoing puts a message written here.
type OutgoingOptions struct {
	Folder   Folder    // FolderOutbox (with Envelope), FolderDrafts or FolderSent
	Envelope *Envelope // required for FolderOutbox: the message is queued for submission
	// DraftID, if not 0, is a draft of the same account that this message replaces: it is
	// removed in the same transaction (a draft that is sent leaves the drafts).
	DraftID int64
}

// SaveOutgoing stores a message written here (raw, the exact bytes that will be submitted) in
// opts.Folder of the account, stored as read, with no ledger row, and for the outbox with its
// submission queued to go at once, in one durable transaction: once it returns, the message
// survives a crash, and it is in the outbox (or sent, or "may have been sent") from then on.
func (s *Store) SaveOutgoing(ctx context.Context, accountID int64, raw []byte, opts OutgoingOptions, now time.Time) (int64, error) {
	wrap := func(err error) error { return fmt.Errorf("mailstore: save to %s: %w", opts.Folder, err) }
	switch opts.Folder {
	case FolderOutbox:
		if opts.Envelope == nil || opts.Envelope.From == "" || len(opts.Envelope.To) == 0 {
			return 0, wrap(errors.New("a message for the outbox needs an envelope with a sender and recipients"))
		}
		for _, a := range append([]string{opts.Envelope.From}, opts.Envelope.To...) {
			if a == "" || strings.ContainsAny(a, "\r\n<>") {
				return 0, wrap(fmt.Errorf("bad envelope address %q", a))
			}
		}
	case FolderDrafts, FolderSent:
	default:
		return 0, wrap(fmt.Errorf("folder %q is not one for messages written here", opts.Folder))
	}
	uidl, err := localUIDL()
	if err != nil {
		return 0, wrap(err)
	}
	sv := &Saver{s: s, accountID: accountID, folder: opts.Folder}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, wrap(err)
	}
	defer tx.Rollback()
	var account string
	err = tx.QueryRowContext(ctx, `SELECT name FROM accounts WHERE id = ?`, accountID).Scan(&account)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, wrap(fmt.Errorf("account %d: %w", accountID, ErrNotFound))
	}
	if err != nil {
		return 0, wrap(err)
	}
	st, err := prepareBatch(ctx, tx)
	if err != nil {
		return 0, wrap(err)
	}
	defer st.close()
	it := BatchItem{UIDL: uidl, Data: raw, Read: true}
	head, rest, err := sv.open(it)
	if err != nil {
		return 0, wrap(err)
	}
	t := now.Unix()
	r, err := sv.insert(ctx, st, account, uidl, head, rest, it, t)
	if err != nil {
		return 0, wrap(err)
	}
	if opts.Folder == FolderOutbox {
		_, err = tx.ExecContext(ctx, `INSERT INTO submissions (message_id, state, envelope_from, envelope_to, next_attempt, queued_at)
			VALUES (?, 'queued', ?, ?, ?, ?)`, r.ID, opts.Envelope.From, strings.Join(opts.Envelope.To, "\n"), t, t)
		if err != nil {
			return 0, wrap(err)
		}
	}
	if opts.DraftID != 0 {
		res, err := tx.ExecContext(ctx, `DELETE FROM messages WHERE id = ? AND account_id = ? AND folder = 'drafts'`, opts.DraftID, accountID)
		if err != nil {
			return 0, wrap(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return 0, wrap(fmt.Errorf("draft %d: %w", opts.DraftID, ErrNotFound))
		}
	}
	if err := checkDurable(ctx, tx); err != nil {
		return 0, wrap(err)
	}
	if err := tx.Commit(); err != nil {
		return 0, wrap(err)
	}
	return r.ID, nil
}

// SaveDraft stores a draft of the account: a new one when id is 0, else it replaces the bytes
// of draft id (which must be a draft of that account). It returns the draft's id.
func (s *Store) SaveDraft(ctx context.Context, accountID, id int64, raw []byte, now time.Time) (int64, error) {
	if id == 0 {
		return s.SaveOutgoing(ctx, accountID, raw, OutgoingOptions{Folder: FolderDrafts}, now)
	}
	var folder string
	var acct sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT folder, account_id FROM messages WHERE id = ?`, id).Scan(&folder, &acct)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("mailstore: draft %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("mailstore: draft %d: %w", id, err)
	}
	if folder != string(FolderDrafts) || acct.Int64 != accountID {
		return 0, fmt.Errorf("mailstore: message %d is no draft of this account: %w", id, ErrNotFound)
	}
	if _, err := s.ReplaceMessageFrom(ctx, id, bytes.NewReader(raw)); err != nil {
		return 0, err
	}
	return id, nil
}
