package mailstore

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/pouchmail/pouch/mailstore/mimetext"
)

// Conversations. Every message is threaded when the Saver stores it, in the same transaction:
// it joins the threads of the messages its In-Reply-To and References name, of messages with
// its own Message-ID (a copy in another account, a list's echo of one's own mail), and of
// messages stored earlier that name it (a reply that arrived before its parent); when those
// are several threads they merge into one. Only when none of that finds a thread does the
// subject count: a reply ("Re:", "AW:" ...) joins the thread of the message with the same
// subject key (mimetext.ThreadSubject) nearest in time within ThreadSubjectWindow. Messages
// stored before threads existed are threaded by ThreadBackfill.

// ThreadSubjectWindow is how far apart in time a reply without usable references and the
// message it threads with by subject may be.
const ThreadSubjectWindow = 30 * 24 * time.Hour

// threadStmts are the statements that thread one message, prepared once per transaction.
type threadStmts struct {
	byMsgID, own, bySubject, newThread, merge, dropThread, set, ref *sql.Stmt
}

func (st *threadStmts) close() {
	for _, s := range []*sql.Stmt{st.byMsgID, st.own, st.bySubject, st.newThread, st.merge, st.dropThread, st.set, st.ref} {
		if s != nil {
			s.Close()
		}
	}
}

// The look-ups of a message's thread, by the Message-IDs it names and by subject.
const (
	threadByMsgID = `SELECT DISTINCT thread_id FROM messages WHERE message_id = ? AND message_id <> ''
		AND thread_id IS NOT NULL AND id <> ?`
	// messages_thread_of: the thread of a message naming this one, without reading its row.
	threadChildren = `SELECT DISTINCT m.thread_id FROM message_refs r JOIN messages m INDEXED BY messages_thread_of
		ON m.id = r.message_id WHERE r.ref = ?1 AND m.thread_id IS NOT NULL AND m.id <> ?2`
	// threadOwn is both look-ups of a message's own Message-ID in one query: it runs for every
	// message saved, on the committer's serial path, where each query costs a cgo round trip.
	threadOwn = `SELECT thread_id FROM messages WHERE message_id = ?1 AND message_id <> ''
		AND thread_id IS NOT NULL AND id <> ?2
		UNION ` + threadChildren
	threadBySubject = `SELECT thread_id FROM messages WHERE thread_subject = ?1 AND thread_subject <> ''
		AND thread_id IS NOT NULL AND id <> ?4 AND coalesce(date, received) BETWEEN ?2 - ?3 AND ?2 + ?3
		ORDER BY abs(coalesce(date, received) - ?2), id DESC LIMIT 1`
)

func prepareThread(ctx context.Context, tx *sql.Tx) (*threadStmts, error) {
	st := &threadStmts{}
	for _, p := range []struct {
		dst **sql.Stmt
		q   string
	}{
		// The "<> ''" terms let SQLite use the partial indexes (a bound parameter proves
		// nothing); without them it walked every threaded message, once per message saved.
		{&st.byMsgID, threadByMsgID},
		{&st.own, threadOwn},
		{&st.bySubject, threadBySubject},
		{&st.newThread, `INSERT INTO threads DEFAULT VALUES`},
		{&st.merge, `UPDATE messages SET thread_id = ? WHERE thread_id = ?`},
		{&st.dropThread, `DELETE FROM threads WHERE id = ?`},
		{&st.set, `UPDATE messages SET thread_id = ?, thread_subject = ? WHERE id = ?`},
		{&st.ref, `INSERT OR IGNORE INTO message_refs (message_id, ref) VALUES (?, ?)`},
	} {
		s, err := tx.PrepareContext(ctx, p.q)
		if err != nil {
			st.close()
			return nil, err
		}
		*p.dst = s
	}
	return st, nil
}

// threadMessage gives the stored message id (with headers hd, dated at unix time date) its
// thread, merging the threads it joins, and records the ids it names (ThreadBackfill).
func threadMessage(ctx context.Context, st *threadStmts, id int64, hd *mimetext.Headers, date int64) (int64, error) {
	thread, key, err := findThread(ctx, st, id, hd, date)
	if err != nil {
		return 0, err
	}
	if _, err := st.set.ExecContext(ctx, thread, key, id); err != nil {
		return 0, err
	}
	return thread, recordRefs(ctx, st, id, hd)
}

// findThread returns the thread a message with headers hd (dated at unix time date) belongs
// to, and its subject key: found, merged from several, or new. exclude is the message itself
// when it is stored already (0 for one about to be inserted: the Saver writes the thread with
// the row, so the row is written once).
func findThread(ctx context.Context, st *threadStmts, exclude int64, hd *mimetext.Headers, date int64) (int64, string, error) {
	found := map[int64]bool{}
	lookup := func(s *sql.Stmt, args ...any) error {
		rows, err := s.QueryContext(ctx, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var t int64
			if err := rows.Scan(&t); err != nil {
				return err
			}
			found[t] = true
		}
		return rows.Err()
	}
	for _, r := range threadRefs(hd) {
		if err := lookup(st.byMsgID, r, exclude); err != nil {
			return 0, "", err
		}
	}
	if hd.MessageID != "" {
		if err := lookup(st.own, hd.MessageID, exclude); err != nil {
			return 0, "", err
		}
	}
	key, reply := mimetext.ThreadSubject(hd.Subject)
	if len(found) == 0 && reply && key != "" {
		if err := lookup(st.bySubject, key, date, int64(ThreadSubjectWindow/time.Second), exclude); err != nil {
			return 0, "", err
		}
	}
	if len(found) == 0 {
		res, err := st.newThread.ExecContext(ctx)
		if err != nil {
			return 0, "", err
		}
		thread, err := res.LastInsertId()
		return thread, key, err
	}
	// The oldest thread absorbs the others.
	threads := make([]int64, 0, len(found))
	for t := range found {
		threads = append(threads, t)
	}
	slices.Sort(threads)
	for _, t := range threads[1:] {
		if _, err := st.merge.ExecContext(ctx, threads[0], t); err != nil {
			return 0, "", err
		}
		if _, err := st.dropThread.ExecContext(ctx, t); err != nil {
			return 0, "", err
		}
	}
	return threads[0], key, nil
}

// threadRefs are the ids a message names, In-Reply-To and References together, once each.
func threadRefs(hd *mimetext.Headers) []string {
	refs := slices.Concat(hd.References, hd.InReplyTo)
	slices.Sort(refs)
	return slices.Compact(refs)
}

// recordRefs notes the ids message id names, so that a message stored later under one of them
// finds it.
func recordRefs(ctx context.Context, st *threadStmts, id int64, hd *mimetext.Headers) error {
	for _, r := range threadRefs(hd) {
		if _, err := st.ref.ExecContext(ctx, id, r); err != nil {
			return err
		}
	}
	return nil
}

// messageTime is the time a message sorts and threads by: its Date, else when it was stored.
func messageTime(hd *mimetext.Headers, received int64) int64 {
	if hd.Date.IsZero() {
		return received
	}
	return hd.Date.Unix()
}

// DefaultThreadBatch is how many messages ThreadBackfill threads per transaction by default.
const DefaultThreadBatch = 500

// ThreadBacklog returns how many messages are not threaded yet (stored before threads existed).
func (s *Store) ThreadBacklog(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM messages WHERE thread_id IS NULL`).Scan(&n); err != nil {
		return 0, fmt.Errorf("mailstore: thread backlog: %w", err)
	}
	return n, nil
}

// ThreadBackfill threads messages stored before threads existed, batch at a time (oldest
// first, each batch one transaction), until none is left, and returns how many it threaded.
// Their headers are parsed again from the stored bytes; it may stop at any point and resume.
func (s *Store) ThreadBackfill(ctx context.Context, batch int) (int, error) {
	if batch <= 0 {
		batch = DefaultThreadBatch
	}
	total := 0
	for {
		n, err := s.threadBatch(ctx, batch)
		total += n
		if err != nil || n == 0 {
			return total, err
		}
	}
}

type unthreaded struct {
	id, received int64
	hd           mimetext.Headers
}

func (s *Store) threadBatch(ctx context.Context, batch int) (int, error) {
	wrap := func(err error) error { return fmt.Errorf("mailstore: thread backfill: %w", err) }
	rows, err := s.db.QueryContext(ctx, `SELECT id, received, raw, chunked FROM messages WHERE thread_id IS NULL ORDER BY id LIMIT ?`, batch)
	if err != nil {
		return 0, wrap(err)
	}
	var todo []unthreaded
	var chunked []int
	for rows.Next() {
		var (
			u   unthreaded
			raw []byte
			ch  bool
		)
		if err := rows.Scan(&u.id, &u.received, &raw, &ch); err != nil {
			rows.Close()
			return 0, wrap(err)
		}
		if ch {
			chunked = append(chunked, len(todo))
		} else {
			u.hd = mimetext.ParseHeaders(raw)
		}
		todo = append(todo, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, wrap(err)
	}
	for _, i := range chunked {
		// The header is in the first chunk; the rest is not read.
		rc, err := s.OpenRaw(ctx, todo[i].id)
		if err != nil {
			return 0, wrap(err)
		}
		head, err := io.ReadAll(io.LimitReader(rc, ChunkSize))
		rc.Close()
		if err != nil {
			return 0, wrap(err)
		}
		todo[i].hd = mimetext.ParseHeaders(head)
	}
	if len(todo) == 0 {
		return 0, nil
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, wrap(err)
	}
	defer tx.Rollback()
	st, err := prepareThread(ctx, tx)
	if err != nil {
		return 0, wrap(err)
	}
	defer st.close()
	for _, u := range todo {
		var still bool
		if err := tx.QueryRowContext(ctx, `SELECT thread_id IS NULL FROM messages WHERE id = ?`, u.id).Scan(&still); err != nil && err != sql.ErrNoRows {
			return 0, wrap(err)
		}
		if !still {
			continue // purged, or threaded by another process meanwhile
		}
		if _, err := threadMessage(ctx, st, u.id, &u.hd, messageTime(&u.hd, u.received)); err != nil {
			return 0, wrap(fmt.Errorf("message %d: %w", u.id, err))
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, wrap(err)
	}
	return len(todo), nil
}

// ThreadMessages returns the messages of a thread outside the Trash, oldest first (by Date,
// else by when they were stored), as a conversation reads. An unknown thread has none.
func (s *Store) ThreadMessages(ctx context.Context, thread int64) ([]Message, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+messageColumns+messageFrom+`
		WHERE m.thread_id = ? AND m.trashed_at IS NULL ORDER BY coalesce(m.date, m.received), m.id`, thread)
	if err != nil {
		return nil, fmt.Errorf("mailstore: thread %d: %w", thread, err)
	}
	return scanMessages(rows, fmt.Sprintf("thread %d", thread))
}

// ThreadSummary is one line of a conversation list: the thread's newest message among those
// the filter selects, and how many of them there are and are unread.
type ThreadSummary struct {
	Latest Message // Latest.Thread is the thread
	Count  int
	Unread int
}

// Threads lists the conversations of the messages f selects, the most recently active first,
// each counted within the filter, one page of f.Limit from f.Offset. It threads messages stored
// before conversations existed first (ThreadBackfill), so none is left out.
func (s *Store) Threads(ctx context.Context, f Filter) ([]ThreadSummary, error) {
	if _, err := s.ThreadBackfill(ctx, 0); err != nil {
		return nil, err
	}
	wrap := func(err error) error { return fmt.Errorf("mailstore: threads: %w", err) }
	where, args := filterWhere(f)
	limit := int64(-1)
	if f.Limit > 0 {
		limit = int64(f.Limit)
	}
	args = append(args, limit, max(f.Offset, 0))
	rows, err := s.db.QueryContext(ctx, `SELECT `+messageColumns+`, g.n, g.unread`+messageFrom+` JOIN
		(`+threadGroupsQuery(where)+` LIMIT ? OFFSET ?) g ON g.id = m.id
		ORDER BY g.last DESC, m.id DESC`, args...)
	if err != nil {
		return nil, wrap(err)
	}
	defer rows.Close()
	var ts []ThreadSummary
	for rows.Next() {
		var t ThreadSummary
		m, err := scanMessage(scanFunc(func(dst ...any) error { return rows.Scan(append(dst, &t.Count, &t.Unread)...) }))
		if err != nil {
			return nil, wrap(err)
		}
		t.Latest = m
		ts = append(ts, t)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap(err)
	}
	return ts, nil
}

// threadGroupsQuery groups the messages where selects (on messages m) by thread, most recently
// active first. The groups come from messages_by_thread alone, never from message rows, and
// SQLite takes the bare column id from the row holding max(): the thread's newest message.
func threadGroupsQuery(where string) string {
	return `SELECT max(coalesce(m.date, m.received)) AS last, m.id AS id, count(*) AS n, sum(m.read = 0) AS unread
		FROM messages m INDEXED BY messages_by_thread WHERE m.thread_id IS NOT NULL AND ` + where + `
		GROUP BY m.thread_id ORDER BY last DESC, id DESC`
}

// scanFunc lets scanMessage read a row that has more columns after the message's.
type scanFunc func(dst ...any) error

func (f scanFunc) Scan(dst ...any) error { return f(dst...) }
