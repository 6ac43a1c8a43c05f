package mailstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/pouchmail/pouch/mailstore/mimetext"
)

// CheckReport is what Check found (and, with repair, fixed). Raw bytes are never changed: a
// message whose bytes no longer match their hash is reported, and only a backup can help.
type CheckReport struct {
	Messages int `json:"messages"`
	// HashMismatch lists messages whose raw bytes do not match their stored SHA-256 or size.
	HashMismatch []int64 `json:"hash_mismatch"`
	// HeaderDrift lists messages whose parsed headers differ from what the raw bytes give.
	HeaderDrift []int64 `json:"header_drift"`
	// IndexMissing lists messages marked indexed that the full-text index lacks.
	IndexMissing []int64 `json:"index_missing"`
	// IndexStale lists messages whose indexed text differs from the message.
	IndexStale []int64 `json:"index_stale"`
	// IndexOrphans lists index rows of messages that no longer exist.
	IndexOrphans []int64 `json:"index_orphans"`
	// IndexCorrupt is FTS5's own integrity-check failure, "" if none.
	IndexCorrupt string `json:"index_corrupt,omitempty"`
	// IndexBacklog counts messages waiting to be indexed: normal, not drift.
	IndexBacklog int `json:"index_backlog"`
	// LedgerMismatch lists ledger rows (by message ID) that point at a message of another
	// account or UIDL, or at other bytes than those downloaded under the UIDL. (A message
	// without a ledger row is normal: the ledger only describes what is on the server now.)
	LedgerMismatch []int64 `json:"ledger_mismatch"`

	Repaired bool `json:"repaired"`
	// Fixed counts the problems repaired (everything but HashMismatch can be).
	Fixed int `json:"fixed"`
}

// Problems counts what is wrong (the backlog excluded).
func (r *CheckReport) Problems() int {
	n := len(r.HashMismatch) + len(r.HeaderDrift) + len(r.IndexMissing) + len(r.IndexStale) +
		len(r.IndexOrphans) + len(r.LedgerMismatch)
	if r.IndexCorrupt != "" {
		n++
	}
	return n
}

// ledgerMismatch is the condition on a ledger row l joined to its message m that check reports.
const ledgerMismatch = `(m.account_id IS NOT l.account_id OR m.uidl IS NOT l.uidl
	OR (l.sha256 IS NOT NULL AND l.sha256 IS NOT m.sha256))`

// Check re-hashes every stored message, re-derives its headers and index text and compares
// them with what is stored, checks the full-text index and the UIDL ledger against the
// messages, and with repair fixes all but hash mismatches: headers are re-derived from the raw
// bytes, the index entries concerned are rebuilt (all of it if FTS5 reports corruption), and
// ledger rows are re-pointed at the right message (or forgotten as downloaded, so the message
// is fetched again). Raw bytes are only read.
func (s *Store) Check(ctx context.Context, repair bool) (*CheckReport, error) {
	r := &CheckReport{}
	wrap := func(err error) error { return fmt.Errorf("mailstore: check: %w", err) }
	var fixHeaders []fixedHeaders
	err := s.eachForCheck(ctx, func(c *checkRow) error {
		r.Messages++
		if hexSHA256(c.raw) != c.sha || int64(len(c.raw)) != c.size {
			r.HashMismatch = append(r.HashMismatch, c.id)
		}
		hd := mimetext.ParseHeaders(c.raw)
		var date int64
		if !hd.Date.IsZero() {
			date = hd.Date.Unix()
		}
		if date != c.date.Int64 || (date != 0) != c.date.Valid || hd.From != c.from || hd.To != c.to ||
			hd.Cc != c.cc || hd.Subject != c.subject || hd.MessageID != c.messageID || hd.HasAttachments != c.hasAtt {
			r.HeaderDrift = append(r.HeaderDrift, c.id)
			fixHeaders = append(fixHeaders, fixedHeaders{id: c.id, hd: hd})
		}
		switch {
		case !c.indexed:
			r.IndexBacklog++
		case !c.inFTS:
			r.IndexMissing = append(r.IndexMissing, c.id)
		default:
			body, att := mimetext.IndexText(c.raw)
			if c.fts[0] != c.subject || c.fts[1] != c.from || c.fts[2] != c.to || c.fts[3] != c.cc ||
				c.fts[4] != body || c.fts[5] != att {
				r.IndexStale = append(r.IndexStale, c.id)
			}
		}
		return nil
	})
	if err != nil {
		return nil, wrap(err)
	}
	if r.IndexOrphans, err = s.ids(ctx, `SELECT rowid FROM message_fts WHERE rowid NOT IN (SELECT id FROM messages) ORDER BY rowid`); err != nil {
		return nil, wrap(err)
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO message_fts (message_fts, rank) VALUES ('integrity-check', 0)`); err != nil {
		r.IndexCorrupt = err.Error()
	}
	if r.LedgerMismatch, err = s.ids(ctx, `SELECT l.message_id FROM ledger l JOIN messages m ON m.id = l.message_id
		WHERE `+ledgerMismatch+` ORDER BY l.message_id`); err != nil {
		return nil, wrap(err)
	}
	if !repair || r.Problems() == len(r.HashMismatch) {
		return r, nil
	}
	r.Repaired = true
	if err := s.repair(ctx, r, fixHeaders); err != nil {
		return r, wrap(err)
	}
	return r, nil
}

type fixedHeaders struct {
	id int64
	hd mimetext.Headers
}

type checkRow struct {
	id                               int64
	raw                              []byte
	sha                              string
	size                             int64
	date                             sql.NullInt64
	from, to, cc, subject, messageID string
	hasAtt, indexed, inFTS, chunked  bool
	fts                              [6]string
	ftsNull                          [6]sql.NullString
}

// eachForCheck streams every message with its index row, one at a time.
func (s *Store) eachForCheck(ctx context.Context, fn func(*checkRow) error) error {
	rows, err := s.db.QueryContext(ctx, `SELECT m.id, m.raw, m.sha256, m.size, m.date, m.from_addr, m.to_addr,
		m.cc_addr, m.subject, m.message_id, m.has_attachments, m.indexed, m.chunked, f.rowid IS NOT NULL,
		f.subject, f.from_addr, f.to_addr, f.cc_addr, f.body, f.attachments
		FROM messages m LEFT JOIN message_fts f ON f.rowid = m.id ORDER BY m.id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var c checkRow
	for rows.Next() {
		if err := ctx.Err(); err != nil {
			return err
		}
		err := rows.Scan(&c.id, &c.raw, &c.sha, &c.size, &c.date, &c.from, &c.to, &c.cc, &c.subject,
			&c.messageID, &c.hasAtt, &c.indexed, &c.chunked, &c.inFTS,
			&c.ftsNull[0], &c.ftsNull[1], &c.ftsNull[2], &c.ftsNull[3], &c.ftsNull[4], &c.ftsNull[5])
		if err != nil {
			return err
		}
		if c.chunked { // a large message stored in pieces (raw.go)
			if c.raw, err = s.Raw(ctx, c.id); err != nil {
				return err
			}
		}
		for i, v := range c.ftsNull {
			c.fts[i] = v.String
		}
		if err := fn(&c); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ids returns the single int64 column of query's rows.
func (s *Store) ids(ctx context.Context, query string, args ...any) ([]int64, error) {
	return appendIDs(ctx, s.db, nil, query, args...)
}

// appendIDs appends the single int64 column of query's rows to ids.
func appendIDs(ctx context.Context, q querier, ids []int64, query string, args ...any) ([]int64, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// repair fixes what r lists except hash mismatches, in one transaction, then reindexes.
func (s *Store) repair(ctx context.Context, r *CheckReport, fix []fixedHeaders) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	exec := func(query string, args ...any) error {
		_, err := tx.ExecContext(ctx, query, args...)
		return err
	}
	fixed := 0
	for _, f := range fix {
		if err := exec(`UPDATE messages SET date = ?, from_addr = ?, to_addr = ?, cc_addr = ?, subject = ?,
			message_id = ?, has_attachments = ?, indexed = 0 WHERE id = ?`,
			unixOrNull(f.hd.Date), f.hd.From, f.hd.To, f.hd.Cc, f.hd.Subject, f.hd.MessageID, f.hd.HasAttachments, f.id); err != nil {
			return err
		}
		fixed++
	}
	if r.IndexCorrupt != "" {
		// FTS5 rebuilds its structure from its own stored text; then every message is
		// reindexed from the messages, so the text is right too.
		if err := exec(`DELETE FROM message_fts`); err != nil {
			if err := exec(`INSERT INTO message_fts (message_fts) VALUES ('rebuild')`); err != nil {
				return err
			}
			if err := exec(`DELETE FROM message_fts`); err != nil {
				return err
			}
		}
		if err := exec(`UPDATE messages SET indexed = 0`); err != nil {
			return err
		}
		fixed++
	}
	for _, id := range append(append([]int64(nil), r.IndexMissing...), r.IndexStale...) {
		if err := exec(`UPDATE messages SET indexed = 0 WHERE id = ?`, id); err != nil {
			return err
		}
		fixed++
	}
	for _, id := range r.IndexOrphans {
		if err := exec(`DELETE FROM message_fts WHERE rowid = ?`, id); err != nil {
			return err
		}
		fixed++
	}
	if len(r.LedgerMismatch) > 0 {
		// Point each row at the message stored under its own (account, UIDL) with the bytes the
		// row knows; failing that, forget the download, so the next session fetches the message
		// again rather than trust a copy that is not the server's.
		var key string
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(group_concat(l.account_id || ' ' || l.uidl, char(10)), '')
			FROM ledger l JOIN messages m ON m.id = l.message_id WHERE `+ledgerMismatch).Scan(&key); err != nil {
			return err
		}
		if err := exec(`UPDATE ledger SET message_id = (SELECT m.id FROM messages m
				WHERE m.account_id = ledger.account_id AND m.uidl = ledger.uidl
				AND (ledger.sha256 IS NULL OR m.sha256 = ledger.sha256))
			WHERE instr(char(10) || ?1 || char(10), char(10) || account_id || ' ' || uidl || char(10)) > 0`, key); err != nil {
			return err
		}
		if err := exec(`UPDATE ledger SET downloaded_at = NULL, size = NULL, sha256 = NULL, delete_requested_at = NULL
			WHERE message_id IS NULL
			AND instr(char(10) || ?1 || char(10), char(10) || account_id || ' ' || uidl || char(10)) > 0`, key); err != nil {
			return err
		}
		fixed += len(r.LedgerMismatch)
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	r.Fixed = fixed
	_, err = s.IndexAll(ctx, nil)
	return err
}
