package mailstore

import (
	"context"
	"fmt"
	"time"
)

// Deleting a message locally is two steps: TrashMessages moves it to the Trash (it disappears
// from listings and searches but can be restored), and EmptyTrash purges it for good. Purging
// is also what queues the server copy's deletion, for accounts with DeleteOnServer: the ledger
// row's delete_requested_at is set in the same transaction as the purge, and the next session
// DELEs it. The ledger row itself stays (its message_id becomes NULL), so the message is never
// downloaded again.

// TrashMessages moves messages to the Trash at now. Unknown IDs give an error wrapping
// ErrNotFound and change nothing; messages already in the Trash keep their time.
func (s *Store) TrashMessages(ctx context.Context, ids []int64, now time.Time) error {
	return s.eachMessage(ctx, "trash", ids,
		`UPDATE messages SET trashed_at = coalesce(trashed_at, ?2) WHERE id = ?1`, now.Unix())
}

// RestoreMessages takes messages out of the Trash. Unknown IDs give an error wrapping
// ErrNotFound and change nothing.
func (s *Store) RestoreMessages(ctx context.Context, ids []int64) error {
	return s.eachMessage(ctx, "restore", ids, `UPDATE messages SET trashed_at = NULL WHERE id = ?1`)
}

// eachMessage runs query (parameters: id, then extra) for every id in one transaction.
func (s *Store) eachMessage(ctx context.Context, op string, ids []int64, query string, extra ...any) error {
	wrap := func(err error) error { return fmt.Errorf("mailstore: %s: %w", op, err) }
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return wrap(err)
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, query)
	if err != nil {
		return wrap(err)
	}
	defer stmt.Close()
	for _, id := range ids {
		res, err := stmt.ExecContext(ctx, append([]any{id}, extra...)...)
		if err != nil {
			return wrap(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return wrap(fmt.Errorf("message %d: %w", id, ErrNotFound))
		}
	}
	if err := tx.Commit(); err != nil {
		return wrap(err)
	}
	return nil
}

// EmptyTrash purges every message in the Trash and returns how many. For accounts with
// DeleteOnServer, the purged messages' ledger rows get delete_requested_at = now (unless the
// server copy is already gone) in the same transaction.
func (s *Store) EmptyTrash(ctx context.Context, now time.Time) (int, error) {
	wrap := func(err error) error { return fmt.Errorf("mailstore: empty trash: %w", err) }
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, wrap(err)
	}
	defer tx.Rollback()
	_, err = tx.ExecContext(ctx, `UPDATE ledger SET delete_requested_at = ?
		WHERE delete_requested_at IS NULL AND deleted_at IS NULL
		AND message_id IN (SELECT m.id FROM messages m JOIN accounts a ON a.id = m.account_id
			WHERE m.trashed_at IS NOT NULL AND a.delete_on_server = 1)`, now.Unix())
	if err != nil {
		return 0, wrap(err)
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM messages WHERE trashed_at IS NOT NULL`)
	if err != nil {
		return 0, wrap(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, wrap(err)
	}
	if err := tx.Commit(); err != nil {
		return 0, wrap(err)
	}
	return int(n), nil
}
