package mailstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// setFlagChunk keeps each UPDATE under SQLite's bound-parameter limit.
const setFlagChunk = 500

// SetRead marks the messages ids read or unread and returns, ascending, the ids whose state it
// changed (an Undo reverts only those). Unknown ids are ignored: a message purged meanwhile has
// no state left to keep.
func (s *Store) SetRead(ctx context.Context, ids []int64, read bool) (changed []int64, err error) {
	return s.setFlag(ctx, "read", ids, read)
}

// SetFlagged flags or unflags the messages ids (is:flagged finds them) and returns, ascending,
// the ids whose state it changed. Unknown ids are ignored, as by SetRead.
func (s *Store) SetFlagged(ctx context.Context, ids []int64, flagged bool) (changed []int64, err error) {
	return s.setFlag(ctx, "flagged", ids, flagged)
}

// setFlag sets the 0/1 column col ("read" or "flagged", never user input) of the messages ids
// in one transaction, in chunks of setFlagChunk, and returns the ids of the rows it changed:
// a row already in that state is not written, so is not reported.
func (s *Store) setFlag(ctx context.Context, col string, ids []int64, on bool) ([]int64, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("mailstore: set %s: %w", col, err)
	}
	defer tx.Rollback()
	var changed []int64
	for start := 0; start < len(ids); start += setFlagChunk {
		chunk := ids[start:min(start+setFlagChunk, len(ids))]
		args := make([]any, 0, len(chunk)+2)
		args = append(args, on)
		for _, id := range chunk {
			args = append(args, id)
		}
		args = append(args, on)
		q := `UPDATE messages SET ` + col + ` = ? WHERE id IN (?` + strings.Repeat(",?", len(chunk)-1) + `) AND ` + col + ` != ? RETURNING id`
		if changed, err = appendIDs(ctx, tx, changed, q, args...); err != nil {
			return nil, fmt.Errorf("mailstore: set %s: %w", col, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("mailstore: set %s: %w", col, err)
	}
	// RETURNING gives the rows in no promised order, and the chunks follow the caller's.
	slices.Sort(changed)
	return changed, nil
}

// UnreadCounts returns the number of unread messages outside the Trash per
// account ID; messages of removed accounts count under 0. Accounts without
// unread mail are absent.
func (s *Store) UnreadCounts(ctx context.Context) (map[int64]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT coalesce(account_id, 0), count(*) FROM messages
		WHERE read = 0 AND trashed_at IS NULL GROUP BY coalesce(account_id, 0)`)
	if err != nil {
		return nil, fmt.Errorf("mailstore: unread counts: %w", err)
	}
	defer rows.Close()
	counts := map[int64]int{}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("mailstore: unread counts: %w", err)
		}
		counts[id] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("mailstore: unread counts: %w", err)
	}
	return counts, nil
}
