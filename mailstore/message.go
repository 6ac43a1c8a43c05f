package mailstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Message is a stored message's metadata; Raw returns its bytes.
type Message struct {
	ID             int64
	AccountID      int64  // 0 if the account was removed
	Account        string // account name (current, or the last one if removed)
	UIDL           string
	Date           time.Time // from the Date header; zero if missing or unparsable
	From           string    // decoded for display: "Name <addr>" or addr, comma-separated
	To             string
	Cc             string
	Subject        string
	MessageID      string // without angle brackets
	Size           int64  // len(raw)
	SHA256         string // hex SHA-256 of raw
	Received       time.Time
	HasAttachments bool
	Read           bool       // the user has opened it (or marked it read)
	Partial        bool       // headers only, because of the account's size limit
	Trashed        *time.Time // when it was moved to the Trash; nil if not
	Folder         Folder     // inbox (fetched, imported), sent, outbox, drafts (written here), or a user folder's path
	Thread         int64      // the conversation it belongs to (thread.go); 0 if not threaded yet
	Flagged        bool       // marked important, by the user or a rule
}

// Filter selects messages for Messages.
type Filter struct {
	AccountID int64 // 0 = all accounts
	// RemovedAccount selects the messages kept from a removed account of that name
	// (RemovedAccounts); with AccountID 0.
	RemovedAccount string
	Limit          int // 0 = no limit
	Offset         int
	Trash          bool   // false = messages not in the Trash, true = only those in the Trash (as Folder FolderTrash)
	Folder         Folder // "" = every folder; FolderInbox with AccountID = that account's inbox
}

const messageColumns = `m.id, coalesce(m.account_id, 0), coalesce(a.name, m.account_name), m.uidl, m.date,
	m.from_addr, m.to_addr, m.cc_addr, m.subject, m.message_id, m.size, m.sha256, m.received, m.has_attachments,
	m.read, m.partial, m.trashed_at, coalesce(fo.path, m.folder), coalesce(m.thread_id, 0), m.flagged`

const messageFrom = ` FROM messages m LEFT JOIN accounts a ON a.id = m.account_id LEFT JOIN folders fo ON fo.id = m.folder_id`

func scanMessage(sc interface{ Scan(...any) error }) (Message, error) {
	var (
		m        Message
		date     sql.NullInt64
		received int64
		trashed  sql.NullInt64
	)
	err := sc.Scan(&m.ID, &m.AccountID, &m.Account, &m.UIDL, &date,
		&m.From, &m.To, &m.Cc, &m.Subject, &m.MessageID, &m.Size, &m.SHA256, &received, &m.HasAttachments,
		&m.Read, &m.Partial, &trashed, &m.Folder, &m.Thread, &m.Flagged)
	if err != nil {
		return Message{}, err
	}
	if date.Valid {
		m.Date = time.Unix(date.Int64, 0)
	}
	m.Received = time.Unix(received, 0)
	m.Trashed = unixPtr(trashed)
	return m, nil
}

// Messages lists messages newest first: by Date, or by Received when the
// Date header was missing, then by ID.
func (s *Store) Messages(ctx context.Context, f Filter) ([]Message, error) {
	limit := int64(-1) // SQLite: no limit
	if f.Limit > 0 {
		limit = int64(f.Limit)
	}
	offset := max(f.Offset, 0)
	where, args := filterWhere(f)
	q := `SELECT ` + messageColumns + messageFrom + ` WHERE ` + where
	q += ` ORDER BY coalesce(m.date, m.received) DESC, m.id DESC LIMIT ? OFFSET ?`
	args = append(args, limit, offset)

	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("mailstore: messages: %w", err)
	}
	return scanMessages(rows, "messages")
}

// scanMessages reads rows of messageColumns and closes them; what names the caller in errors.
func scanMessages(rows *sql.Rows, what string) ([]Message, error) {
	defer rows.Close()
	var ms []Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, fmt.Errorf("mailstore: %s: %w", what, err)
		}
		ms = append(ms, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("mailstore: %s: %w", what, err)
	}
	return ms, nil
}

// MessagesByID returns the messages with these IDs in the order given, leaving out those no
// longer stored: the rows of one page of a list kept as IDs (SearchIDs).
func (s *Store) MessagesByID(ctx context.Context, ids []int64) ([]Message, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	// One bound parameter per ID; SQLite allows 32,766, far above a page.
	q := `SELECT ` + messageColumns + messageFrom + ` WHERE m.id IN (?` + strings.Repeat(`, ?`, len(ids)-1) + `)`
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("mailstore: messages by id: %w", err)
	}
	found, err := scanMessages(rows, "messages by id")
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]int, len(found))
	for i := range found {
		byID[found[i].ID] = i
	}
	ms := make([]Message, 0, len(found))
	for _, id := range ids {
		if i, ok := byID[id]; ok {
			ms = append(ms, found[i])
		}
	}
	return ms, nil
}

// filterWhere is the condition (on messages alias m) selecting f's messages, limit aside.
func filterWhere(f Filter) (string, []any) {
	// Separate conditions rather than "? = 0 OR ...", so each can use its index.
	where := `m.trashed_at IS NULL`
	if f.Trash || f.Folder == FolderTrash {
		where = `m.trashed_at IS NOT NULL`
	}
	var args []any
	if f.AccountID != 0 {
		where += ` AND m.account_id = ?`
		args = append(args, f.AccountID)
	}
	if f.RemovedAccount != "" {
		where += ` AND m.account_id IS NULL AND m.account_name = ?`
		args = append(args, f.RemovedAccount)
	}
	if f.Folder != "" && f.Folder != FolderTrash {
		c, a := folderCond("m", f.Folder)
		where += ` AND ` + c
		args = append(args, a...)
	}
	return where, args
}

// Count counts the messages Messages lists for f, without Limit and Offset.
func (s *Store) Count(ctx context.Context, f Filter) (int, error) {
	where, args := filterWhere(f)
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM messages m WHERE `+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("mailstore: count: %w", err)
	}
	return n, nil
}

// Message returns one message's metadata, or an error wrapping ErrNotFound.
func (s *Store) Message(ctx context.Context, id int64) (*Message, error) {
	m, err := scanMessage(s.db.QueryRowContext(ctx, `SELECT `+messageColumns+messageFrom+` WHERE m.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("mailstore: message %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("mailstore: message %d: %w", id, err)
	}
	return &m, nil
}

// CountMessages counts an account's messages, or all messages if accountID
// is 0.
func (s *Store) CountMessages(ctx context.Context, accountID int64) (int, error) {
	var n int
	var err error
	if accountID == 0 {
		err = s.db.QueryRowContext(ctx, `SELECT count(*) FROM messages`).Scan(&n)
	} else {
		err = s.db.QueryRowContext(ctx, `SELECT count(*) FROM messages WHERE account_id = ?`, accountID).Scan(&n)
	}
	if err != nil {
		return 0, fmt.Errorf("mailstore: count messages: %w", err)
	}
	return n, nil
}
