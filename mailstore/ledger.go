package mailstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// LedgerEntry is what Pouch knows about one UIDL of an account.
type LedgerEntry struct {
	UIDL              string
	FirstSeen         time.Time  // first time the server listed it; never moves
	Downloaded        *time.Time // nil until saved
	DeletedFromServer *time.Time // nil until deleted on the server
	MessageID         int64      // stored message, 0 if none
	DeleteRequested   *time.Time // a local delete asked for the server copy to go; nil if not
	// Size and SHA256 describe the bytes downloaded under the UIDL (0 and "" if unknown); a
	// server copy is deleted only while it still matches them.
	Size    int64
	SHA256  string
	Partial bool // only the headers were downloaded
	// Failures counts the sessions that could not download the message; Failure is the last
	// reason ("" if none).
	Failures int
	Failure  string
	FailedAt time.Time // zero if never
}

// Ledger returns an account's ledger keyed by UIDL.
func (s *Store) Ledger(ctx context.Context, accountID int64) (map[string]LedgerEntry, error) {
	return s.ledgerWhere(ctx, "", accountID)
}

// LedgerDeletable returns the ledger entries of an account that may be due for deletion from
// the server: those a local delete asked for and, if seenBy is not nil, those downloaded with
// a stored message and first seen at or before seenBy. The caller decides; this only spares
// loading every row of a large mailbox when nothing is due.
func (s *Store) LedgerDeletable(ctx context.Context, accountID int64, seenBy *time.Time) (map[string]LedgerEntry, error) {
	if seenBy == nil {
		return s.ledgerWhere(ctx, ` AND delete_requested_at IS NOT NULL`, accountID)
	}
	return s.ledgerWhere(ctx, ` AND (delete_requested_at IS NOT NULL OR
		(downloaded_at IS NOT NULL AND message_id IS NOT NULL AND first_seen <= ?))`, accountID, seenBy.Unix())
}

// EachLedgerKnown calls fn for every UIDL in an account's ledger, in ascending byte order
// (the primary key's order, so no sort), with done true for those needing no download
// (downloaded, and not deleted from the server since). Streaming lets a session diff a large mailbox
// against the ledger without holding the ledger in memory. uidl is valid only during the call.
func (s *Store) EachLedgerKnown(ctx context.Context, accountID int64, fn func(uidl []byte, done bool) error) error {
	// BINARY collation orders like Go's string comparison, which the caller's merge relies on.
	// A UIDL Pouch deleted (QUIT confirmed) that the server lists again names another message
	// (or the server ignored the deletion): it is downloaded again, and the saver keeps the
	// bytes only if they are new.
	rows, err := s.db.QueryContext(ctx, `SELECT uidl, downloaded_at IS NOT NULL AND deleted_at IS NULL
		FROM ledger WHERE account_id = ? ORDER BY uidl COLLATE BINARY`, accountID)
	if err != nil {
		return fmt.Errorf("mailstore: ledger: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			u    sql.RawBytes // no string per row: an idle poll reads every row of the account
			done bool
		)
		if err := rows.Scan(&u, &done); err != nil {
			return fmt.Errorf("mailstore: ledger: %w", err)
		}
		if err := fn(u, done); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("mailstore: ledger: %w", err)
	}
	return nil
}

func (s *Store) ledgerWhere(ctx context.Context, where string, args ...any) (map[string]LedgerEntry, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT uidl, first_seen, downloaded_at, deleted_at, coalesce(message_id, 0), delete_requested_at,
		coalesce(size, 0), coalesce(sha256, ''), partial, failures, failure, failed_at
		FROM ledger WHERE account_id = ?`+where, args...)
	if err != nil {
		return nil, fmt.Errorf("mailstore: ledger: %w", err)
	}
	defer rows.Close()
	l := make(map[string]LedgerEntry)
	for rows.Next() {
		var (
			e                   LedgerEntry
			first               int64
			downloaded, deleted sql.NullInt64
			requested, failedAt sql.NullInt64
		)
		if err := rows.Scan(&e.UIDL, &first, &downloaded, &deleted, &e.MessageID, &requested,
			&e.Size, &e.SHA256, &e.Partial, &e.Failures, &e.Failure, &failedAt); err != nil {
			return nil, fmt.Errorf("mailstore: ledger: %w", err)
		}
		e.FirstSeen = time.Unix(first, 0)
		e.Downloaded = unixPtr(downloaded)
		e.DeletedFromServer = unixPtr(deleted)
		e.DeleteRequested = unixPtr(requested)
		if failedAt.Valid {
			e.FailedAt = time.Unix(failedAt.Int64, 0)
		}
		l[e.UIDL] = e
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("mailstore: ledger: %w", err)
	}
	return l, nil
}

func unixPtr(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := time.Unix(n.Int64, 0)
	return &t
}

// MarkSeen records that the server listed uidls at now. UIDLs already in the
// ledger keep their first_seen. It runs in one transaction with one prepared
// statement, so a mailbox of 100,000 messages is a single commit.
func (s *Store) MarkSeen(ctx context.Context, accountID int64, uidls []string, now time.Time) error {
	return s.eachUIDL(ctx, "mark seen", accountID, uidls,
		`INSERT INTO ledger (account_id, uidl, first_seen) VALUES (?, ?, ?)
		 ON CONFLICT (account_id, uidl) DO NOTHING`, now)
}

// MarkDeleted records that uidls were deleted from the server at now (after
// a successful QUIT). UIDLs not in the ledger are ignored.
func (s *Store) MarkDeleted(ctx context.Context, accountID int64, uidls []string, now time.Time) error {
	return s.eachUIDL(ctx, "mark deleted", accountID, uidls,
		`UPDATE ledger SET deleted_at = ?3 WHERE account_id = ?1 AND uidl = ?2 AND deleted_at IS NULL`, now)
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

// RecordFailure notes that the message under uidl could not be downloaded (or checked) in the
// session at now, and why.
func (s *Store) RecordFailure(ctx context.Context, accountID int64, uidl, reason string, now time.Time) error {
	_, err := s.db.ExecContext(ctx, `UPDATE ledger SET failures = failures + 1, failure = ?, failed_at = ?
		WHERE account_id = ? AND uidl = ?`, reason, now.Unix(), accountID, uidl)
	if err != nil {
		return fmt.Errorf("mailstore: record failure: %w", err)
	}
	return nil
}

// Failures returns, by UIDL, the ledger rows of an account whose download failed in an earlier
// session.
func (s *Store) Failures(ctx context.Context, accountID int64) (map[string]LedgerEntry, error) {
	return s.ledgerWhere(ctx, ` AND failures > 0`, accountID)
}

// eachUIDL runs query (with parameters account, uidl, unix time) once per
// UIDL in one transaction.
func (s *Store) eachUIDL(ctx context.Context, op string, accountID int64, uidls []string, query string, now time.Time) error {
	wrap := func(err error) error { return fmt.Errorf("mailstore: %s: %w", op, err) }
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return wrap(err)
	}
	defer tx.Rollback()
	var one int
	err = tx.QueryRowContext(ctx, `SELECT 1 FROM accounts WHERE id = ?`, accountID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return wrap(fmt.Errorf("account %d: %w", accountID, ErrNotFound))
	}
	if err != nil {
		return wrap(err)
	}
	stmt, err := tx.PrepareContext(ctx, query)
	if err != nil {
		return wrap(err)
	}
	defer stmt.Close()
	t := now.Unix()
	for _, u := range uidls {
		if u == "" {
			return wrap(errors.New("empty UIDL"))
		}
		if _, err := stmt.ExecContext(ctx, accountID, u, t); err != nil {
			return wrap(err)
		}
	}
	if err := tx.Commit(); err != nil {
		return wrap(err)
	}
	return nil
}
