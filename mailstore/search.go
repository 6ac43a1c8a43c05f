package mailstore

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/pouchmail/pouch/mailstore/mimetext"
)

// The full-text index is filled after the fact: saving only stores the message (its row
// starts with indexed = 0), and IndexPending parses bodies in batches later. Downloading never
// waits for body parsing, and the backlog (messages with indexed = 0) is visible with
// IndexBacklog and survives a crash, because a message's index row and its indexed = 1 commit
// together.

// maxStreamedIndexText is how much of each text part of a message stored in chunks (larger
// than ChunkSize) is indexed: indexing copies the text several times over (decoding, clean-up,
// the FTS tokenizer), and a fetch must stay in bounded memory whatever the message size.
const maxStreamedIndexText = 1 << 20

// DefaultIndexBatch is how many messages IndexPending handles per transaction by default.
const DefaultIndexBatch = 200

// IndexBacklog returns how many messages wait to be indexed.
func (s *Store) IndexBacklog(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM messages WHERE indexed = 0`).Scan(&n); err != nil {
		return 0, fmt.Errorf("mailstore: index backlog: %w", err)
	}
	return n, nil
}

type indexDoc struct {
	id                    int64
	subject, from, to, cc string
	body, attachments     string
	raw                   []byte
	chunked               bool
}

// IndexPending indexes up to batch messages of the backlog (oldest first) and returns how many
// it indexed; 0 means the backlog is empty. Bodies are parsed outside the write transaction so
// that a save running at the same time waits only for the inserts.
func (s *Store) IndexPending(ctx context.Context, batch int) (int, error) {
	if batch <= 0 {
		batch = DefaultIndexBatch
	}
	wrap := func(err error) error { return fmt.Errorf("mailstore: index: %w", err) }
	rows, err := s.db.QueryContext(ctx, `SELECT id, subject, from_addr, to_addr, cc_addr, raw, chunked
		FROM messages WHERE indexed = 0 ORDER BY id LIMIT ?`, batch)
	if err != nil {
		return 0, wrap(err)
	}
	var docs []indexDoc
	for rows.Next() {
		var d indexDoc
		if err := rows.Scan(&d.id, &d.subject, &d.from, &d.to, &d.cc, &d.raw, &d.chunked); err != nil {
			rows.Close()
			return 0, wrap(err)
		}
		if !d.chunked {
			// Parsed at once: a batch never holds more than one message's bytes.
			d.body, d.attachments = mimetext.IndexText(d.raw)
		}
		d.raw = nil
		docs = append(docs, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, wrap(err)
	}
	if len(docs) == 0 {
		return 0, nil
	}
	for i := range docs {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		if docs[i].chunked { // a large message stored in pieces (raw.go): streamed
			rc, err := s.OpenRaw(ctx, docs[i].id)
			if err != nil {
				return 0, wrap(err)
			}
			docs[i].body, docs[i].attachments = mimetext.IndexTextFrom(rc, maxStreamedIndexText)
			rc.Close()
		}
	}

	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	// No fsync of its own: the index rows and their indexed marks commit together, so a power
	// loss can only put messages back in the backlog, never leave an index that disagrees.
	conn, err := s.lazyConn(ctx)
	if err != nil {
		return 0, wrap(err)
	}
	defer conn.close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return 0, wrap(err)
	}
	defer tx.Rollback()
	mark, err := tx.PrepareContext(ctx, `UPDATE messages SET indexed = 1 WHERE id = ? AND indexed = 0`)
	if err != nil {
		return 0, wrap(err)
	}
	defer mark.Close()
	del, err := tx.PrepareContext(ctx, `DELETE FROM message_fts WHERE rowid = ?`)
	if err != nil {
		return 0, wrap(err)
	}
	defer del.Close()
	ins, err := tx.PrepareContext(ctx, `INSERT INTO message_fts (rowid, subject, from_addr, to_addr, cc_addr, body, attachments)
		VALUES (?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return 0, wrap(err)
	}
	defer ins.Close()
	n := 0
	for _, d := range docs {
		res, err := mark.ExecContext(ctx, d.id)
		if err != nil {
			return 0, wrap(err)
		}
		if k, _ := res.RowsAffected(); k == 0 {
			continue // deleted or indexed by another process meanwhile
		}
		if _, err := del.ExecContext(ctx, d.id); err != nil {
			return 0, wrap(err)
		}
		if _, err := ins.ExecContext(ctx, d.id, d.subject, d.from, d.to, d.cc, d.body, d.attachments); err != nil {
			return 0, wrap(err)
		}
		n++
	}
	if err := tx.Commit(); err != nil {
		return 0, wrap(err)
	}
	if n == 0 {
		// Every row was handled elsewhere; report progress so callers loop on.
		n = len(docs)
	}
	return n, nil
}

// IndexAll drains the backlog, reporting progress after each batch (total is the backlog when
// it started), and returns how many messages it indexed.
func (s *Store) IndexAll(ctx context.Context, progress func(done, total int)) (int, error) {
	total, err := s.IndexBacklog(ctx)
	if err != nil || total == 0 {
		return 0, err
	}
	done := 0
	for {
		n, err := s.IndexPending(ctx, DefaultIndexBatch)
		if err != nil {
			return done, err
		}
		if n == 0 {
			if done >= optimizeAfter {
				return done, s.OptimizeIndex(ctx)
			}
			return done, nil
		}
		done += n
		if progress != nil {
			progress(min(done, total), total)
		}
	}
}

// optimizeAfter: a catch-up that indexed this many messages (a first fetch of a large mailbox,
// an import) merges the index into one segment afterwards (OptimizeIndex).
const optimizeAfter = 50_000

// OptimizeIndex merges the full-text index into one segment. Each batch indexed adds a segment,
// and FTS5 merges them only in part as it goes: a search that asks the index about one message
// at a time (Search's plan for common terms) pays a seek per segment, about four times as much
// at a million messages unmerged (bench/RESULTS.md). It rewrites the index: at a million
// messages, minutes; IndexAll calls it after a large catch-up.
func (s *Store) OptimizeIndex(ctx context.Context) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	conn, err := s.lazyConn(ctx)
	if err != nil {
		return fmt.Errorf("mailstore: optimize index: %w", err)
	}
	defer conn.close()
	if _, err := conn.ExecContext(ctx, `INSERT INTO message_fts (message_fts) VALUES ('optimize')`); err != nil {
		return fmt.Errorf("mailstore: optimize index: %w", err)
	}
	return nil
}

// How a search with text terms finds its newest matches depends on how many messages the terms
// match (counted, up to probeFrom, before the search):
//   - fewer than driveFromIndexBelow: the matches are looked up by ID and sorted;
//   - up to probeFrom: the date index (messages_search) is walked newest first against the set
//     of matching IDs, built once, and the walk stops at the limit;
//   - more (a common word, a short prefix such as "fo*"): building that set would cost more
//     than the whole search may take, so the walk asks the full-text index about each message
//     it passes instead (a rowid lookup); so common a term is met within a few hundred.
var searchPlans = struct{ driveFromIndexBelow, probeFrom int }{2000, 20000}

// Search returns the messages matching q, newest first, at most limit (0 = no limit).
// It searches what is indexed; callers drain the backlog first (IndexAll).
func (s *Store) Search(ctx context.Context, q Query, limit int) ([]Message, error) {
	sel, args, err := s.searchIDs(ctx, q, limit)
	if err != nil || sel == "" {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+messageColumns+messageFrom+` WHERE m.id IN (`+sel+`)
		ORDER BY coalesce(m.date, m.received) DESC, m.id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("mailstore: search: %w", err)
	}
	return scanMessages(rows, "search")
}

// SearchIDs returns the IDs of the messages Search returns, in the same order. A window lists
// any number of matches with it at 8 bytes a message and reads the rows it shows by page
// (MessagesByID).
func (s *Store) SearchIDs(ctx context.Context, q Query, limit int) ([]int64, error) {
	sel, args, err := s.searchIDs(ctx, q, limit)
	if err != nil || sel == "" {
		return nil, err
	}
	ids, err := s.ids(ctx, sel, args...)
	if err != nil {
		return nil, fmt.Errorf("mailstore: search: %w", err)
	}
	return ids, nil
}

// searchIDs builds the statement selecting the IDs of q's matches, newest first, with its
// arguments; "" when nothing can match.
func (s *Store) searchIDs(ctx context.Context, q Query, limit int) (string, []any, error) {
	if q.Unsearchable && len(q.Terms) == 0 {
		return "", nil, nil
	}
	// The filters first and the text last, so that the date index's own filters go first.
	where, args := q.filters()
	walk := true
	if m := q.Match(); m != "" {
		var n int
		err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT rowid FROM message_fts WHERE message_fts MATCH ? LIMIT ?)`,
			m, searchPlans.probeFrom).Scan(&n)
		if err != nil {
			return "", nil, fmt.Errorf("mailstore: search: %w", err)
		}
		walk = n >= searchPlans.driveFromIndexBelow
		if n >= searchPlans.probeFrom && limit > 0 {
			where = append(where, `EXISTS (SELECT 1 FROM message_fts WHERE message_fts MATCH ? AND rowid = m2.id)`)
		} else {
			where = append(where, `m2.id IN (SELECT rowid FROM message_fts WHERE message_fts MATCH ?)`)
		}
		args = append(args, m)
	}
	lim := int64(-1)
	if limit > 0 {
		lim = int64(limit)
	}
	args = append(args, lim)
	index := `NOT INDEXED`
	if walk {
		index = `INDEXED BY messages_search`
	}
	return `SELECT m2.id FROM messages m2 ` + index + ` WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY coalesce(m2.date, m2.received) DESC, m2.id DESC LIMIT ?`, args, nil
}

// filters are the conditions of q other than its full-text terms, on messages as m2: the one
// place the query syntax becomes SQL (Search, MatchIDs and CountMatches share it).
func (q Query) filters() (where []string, args []any) {
	if q.Trash {
		where = append(where, `m2.trashed_at IS NOT NULL`)
	} else {
		where = append(where, `m2.trashed_at IS NULL`)
	}
	if q.Folder != "" {
		c, a := folderCond("m2", q.Folder)
		where = append(where, c)
		args = append(args, a...)
	}
	if q.HasAttachment {
		where = append(where, `m2.has_attachments = 1`)
	}
	for _, c := range []struct {
		on   bool
		cond string
	}{{q.Read, `m2.read = 1`}, {q.Unread, `m2.read = 0`}, {q.Flagged, `m2.flagged = 1`}, {q.Unflagged, `m2.flagged = 0`}} {
		if c.on {
			where = append(where, c.cond)
		}
	}
	if q.Account != "" {
		// The name of an existing account, or the name kept by messages of a removed one.
		where = append(where, `(m2.account_id = (SELECT id FROM accounts WHERE name = ?) OR
			(m2.account_id IS NULL AND m2.account_name = ?))`)
		args = append(args, q.Account, q.Account)
	}
	if !q.After.IsZero() {
		where = append(where, `coalesce(m2.date, m2.received) >= ?`)
		args = append(args, q.After.Unix())
	}
	if !q.Before.IsZero() {
		where = append(where, `coalesce(m2.date, m2.received) < ?`)
		args = append(args, q.Before.Unix())
	}
	return where, args
}

// matchChunk keeps each id list under SQLite's bound-parameter limit.
const matchChunk = 500

// matchIDs returns the messages among ids that q matches (of every message when ids is nil),
// with the same conditions as Search: rules (rules.go) evaluate their queries with it.
func (s *Store) matchIDs(ctx context.Context, q Query, ids []int64) (map[int64]bool, error) {
	got := map[int64]bool{}
	if q.Unsearchable && len(q.Terms) == 0 {
		return got, nil
	}
	filters, fargs := q.filters()
	match := q.Match()
	// run collects the ids matching the filters, the text terms among rowids lo..hi (all when
	// hi is 0), and extra.
	run := func(index string, lo, hi int64, extra string, extraArgs []any) error {
		where, args := slices.Clip(filters), slices.Clip(fargs)
		if match != "" {
			// The range is passed into FTS5, which then reads only that part of each term's
			// list: new mail has the highest ids, so a batch of it costs little however large
			// the archive. (A correlated lookup per candidate, MATCH with rowid = m2.id,
			// measured 20 times slower: FTS5 evaluates the whole expression for each.)
			if hi != 0 {
				where = append(where, `m2.id IN (SELECT rowid FROM message_fts WHERE message_fts MATCH ? AND rowid BETWEEN ? AND ?)`)
				args = append(args, match, lo, hi)
			} else {
				where = append(where, `m2.id IN (SELECT rowid FROM message_fts WHERE message_fts MATCH ?)`)
				args = append(args, match)
			}
		}
		rows, err := s.db.QueryContext(ctx, `SELECT m2.id FROM messages m2 `+index+` WHERE `+strings.Join(where, " AND ")+extra,
			append(args, extraArgs...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			got[id] = true
		}
		return rows.Err()
	}
	if ids == nil {
		// Over the whole archive the filters are read from the covering search index, never
		// from message rows (whose raw bytes sit before the filtered columns).
		if err := run("INDEXED BY messages_search", 0, 0, "", nil); err != nil {
			return nil, fmt.Errorf("mailstore: match: %w", err)
		}
		return got, nil
	}
	for start := 0; start < len(ids); start += matchChunk {
		chunk := ids[start:min(start+matchChunk, len(ids))]
		in := make([]any, len(chunk))
		for i, id := range chunk {
			in[i] = id
		}
		lo, hi := slices.Min(chunk), slices.Max(chunk)
		if err := run("", lo, hi, ` AND m2.id IN (?`+strings.Repeat(",?", len(chunk)-1)+`)`, in); err != nil {
			return nil, fmt.Errorf("mailstore: match: %w", err)
		}
	}
	return got, nil
}

// CountMatches returns how many messages q matches (what Search would return without a
// limit), counting in the index without reading messages: the rule editor's preview. Like
// Search it counts what is indexed.
func (s *Store) CountMatches(ctx context.Context, q Query) (int, error) {
	if q.Unsearchable && len(q.Terms) == 0 {
		return 0, nil
	}
	where, args := q.filters()
	// As in Search: a rare term is counted message by message, anything else by walking the
	// covering search index, so no count reads message rows in bulk.
	index := `INDEXED BY messages_search`
	if m := q.Match(); m != "" {
		var n int
		err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT rowid FROM message_fts WHERE message_fts MATCH ? LIMIT ?)`,
			m, searchPlans.driveFromIndexBelow).Scan(&n)
		if err != nil {
			return 0, fmt.Errorf("mailstore: count matches: %w", err)
		}
		if n < searchPlans.driveFromIndexBelow {
			index = `NOT INDEXED`
		}
		where = append(where, `m2.id IN (SELECT rowid FROM message_fts WHERE message_fts MATCH ?)`)
		args = append(args, m)
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM messages m2 `+index+` WHERE `+strings.Join(where, " AND "), args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("mailstore: count matches: %w", err)
	}
	return n, nil
}
