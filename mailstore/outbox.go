package mailstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Folders, and the outbox's state machine. A message written here enters through SaveOutgoing
// (save.go), in the outbox with a queued submission; the engine then moves it on:
//
//	queued --MarkSubmitting (durable, before DATA's final dot)--> submitting
//	submitting --MarkSent (the server said 250)--> sent: folder sent, the same bytes
//	queued|submitting --MarkRetry (4xx, network, before the final dot)--> queued, later
//	queued|submitting --MarkFailed (5xx)--> failed, with the server's text
//	submitting --RecoverSubmitting (found so at start: the process died)--> maybe-sent
//	failed|maybe-sent --Requeue (the user's say)--> queued;  maybe-sent --ConfirmSent--> sent
//
// Nothing here ever moves a message from maybe-sent back to queued on its own: a message that
// may have reached the server is sent again only when the user says so.

// SendState is where a message's submission stands.
type SendState string

const (
	SendQueued     SendState = "queued"
	SendSubmitting SendState = "submitting"
	SendMaybeSent  SendState = "maybe-sent"
	SendFailed     SendState = "failed"
	SendSent       SendState = "sent"
)

// ErrStateChanged says a submission was not in the state a transition needs (another process
// moved it on, or the user discarded it): the caller must not go ahead.
var ErrStateChanged = errors.New("mailstore: the submission's state changed")

// Submission is a message handed to the outbox, with its envelope and state.
type Submission struct {
	MessageID   int64
	AccountID   int64  // 0 if the account was removed
	Account     string // account name
	Folder      Folder // outbox until sent
	State       SendState
	From        string   // envelope sender
	To          []string // envelope recipients (Bcc included)
	Attempts    int      // attempts that got an answer or failed
	NextAttempt time.Time
	LastError   string // the server's text or the network error of the last attempt
	QueuedAt    time.Time
	SentAt      *time.Time
	ServerReply string // the server's text on acceptance (often a queue id)
	Subject     string
	Size        int64
}

const submissionColumns = `s.message_id, coalesce(m.account_id, 0), coalesce(a.name, m.account_name), m.folder, s.state,
	s.envelope_from, s.envelope_to, s.attempts, s.next_attempt, s.last_error, s.queued_at, s.sent_at, s.server_reply,
	m.subject, m.size`

const submissionFrom = ` FROM submissions s JOIN messages m ON m.id = s.message_id LEFT JOIN accounts a ON a.id = m.account_id`

func scanSubmission(sc interface{ Scan(...any) error }) (Submission, error) {
	var (
		sub          Submission
		to           string
		next, queued int64
		sent         sql.NullInt64
	)
	err := sc.Scan(&sub.MessageID, &sub.AccountID, &sub.Account, &sub.Folder, &sub.State, &sub.From, &to, &sub.Attempts,
		&next, &sub.LastError, &queued, &sent, &sub.ServerReply, &sub.Subject, &sub.Size)
	if err != nil {
		return Submission{}, err
	}
	sub.To = strings.Split(to, "\n")
	sub.NextAttempt = time.Unix(next, 0)
	sub.QueuedAt = time.Unix(queued, 0)
	sub.SentAt = unixPtr(sent)
	return sub, nil
}

func (s *Store) submissions(ctx context.Context, where string, args ...any) ([]Submission, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+submissionColumns+submissionFrom+` WHERE `+where+
		` ORDER BY s.queued_at, s.message_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("mailstore: outbox: %w", err)
	}
	defer rows.Close()
	var out []Submission
	for rows.Next() {
		sub, err := scanSubmission(rows)
		if err != nil {
			return nil, fmt.Errorf("mailstore: outbox: %w", err)
		}
		out = append(out, sub)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("mailstore: outbox: %w", err)
	}
	return out, nil
}

// Outbox lists the messages in the outbox (queued, submitting, failed, may have been sent),
// oldest first; accountID 0 = every account. Trashed ones are left out.
func (s *Store) Outbox(ctx context.Context, accountID int64) ([]Submission, error) {
	if accountID == 0 {
		return s.submissions(ctx, `m.folder = 'outbox' AND m.trashed_at IS NULL`)
	}
	return s.submissions(ctx, `m.folder = 'outbox' AND m.trashed_at IS NULL AND m.account_id = ?`, accountID)
}

// DueSubmissions lists the account's queued messages whose next attempt is due at now.
func (s *Store) DueSubmissions(ctx context.Context, accountID int64, now time.Time) ([]Submission, error) {
	return s.submissions(ctx, `s.state = 'queued' AND m.folder = 'outbox' AND m.trashed_at IS NULL
		AND m.account_id = ? AND s.next_attempt <= ?`, accountID, now.Unix())
}

// NextAttempt is the earliest next attempt of a queued message of the account; ok is false
// when nothing is queued.
func (s *Store) NextAttempt(ctx context.Context, accountID int64) (t time.Time, ok bool, err error) {
	var next sql.NullInt64
	err = s.db.QueryRowContext(ctx, `SELECT min(s.next_attempt)`+submissionFrom+` WHERE s.state = 'queued'
		AND m.folder = 'outbox' AND m.trashed_at IS NULL AND m.account_id = ?`, accountID).Scan(&next)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("mailstore: outbox: %w", err)
	}
	if !next.Valid {
		return time.Time{}, false, nil
	}
	return time.Unix(next.Int64, 0), true, nil
}

// Submission returns one message's submission, or an error wrapping ErrNotFound.
func (s *Store) Submission(ctx context.Context, id int64) (*Submission, error) {
	sub, err := scanSubmission(s.db.QueryRowContext(ctx, `SELECT `+submissionColumns+submissionFrom+` WHERE s.message_id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("mailstore: submission %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("mailstore: submission %d: %w", id, err)
	}
	return &sub, nil
}

// transition runs one state change in a durable transaction: query must change exactly one
// row, else ErrStateChanged (or ErrNotFound when there is no such submission).
func (s *Store) transition(ctx context.Context, op string, id int64, queries []string, args ...any) error {
	wrap := func(err error) error { return fmt.Errorf("mailstore: %s %d: %w", op, id, err) }
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return wrap(err)
	}
	defer tx.Rollback()
	for i, q := range queries {
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return wrap(err)
		}
		if n, _ := res.RowsAffected(); n == 0 && i == 0 {
			var one int
			if err := tx.QueryRowContext(ctx, `SELECT 1 FROM submissions WHERE message_id = ?`, id).Scan(&one); errors.Is(err, sql.ErrNoRows) {
				return wrap(ErrNotFound)
			}
			return wrap(ErrStateChanged)
		}
	}
	if err := checkDurable(ctx, tx); err != nil {
		return wrap(err)
	}
	if err := tx.Commit(); err != nil {
		return wrap(err)
	}
	return nil
}

// MarkSubmitting records, durably, that message id (queued) is about to be handed over: the
// caller then ends DATA. After a crash it reads "may have been sent" (RecoverSubmitting).
func (s *Store) MarkSubmitting(ctx context.Context, id int64) error {
	return s.transition(ctx, "submitting", id, []string{
		`UPDATE submissions SET state = 'submitting' WHERE message_id = ?1 AND state = 'queued'
			AND EXISTS (SELECT 1 FROM messages WHERE id = ?1 AND folder = 'outbox' AND trashed_at IS NULL)`}, id)
}

// MarkSent records that the server accepted message id (queued or submitting): it moves to
// the sent folder with the same bytes, with the server's reply.
func (s *Store) MarkSent(ctx context.Context, id int64, reply string, now time.Time) error {
	return s.transition(ctx, "sent", id, []string{
		`UPDATE submissions SET state = 'sent', sent_at = ?2, server_reply = ?3, last_error = '', attempts = attempts + 1
			WHERE message_id = ?1 AND state IN ('queued', 'submitting')`,
		`UPDATE messages SET folder = 'sent' WHERE id = ?1`}, id, now.Unix(), reply)
}

// MarkRetry puts message id (queued or submitting, when the server cannot have taken it: a 4xx
// or a failure before the final dot) back in the queue until next, with the reason.
func (s *Store) MarkRetry(ctx context.Context, id int64, reason string, next time.Time) error {
	return s.transition(ctx, "retry", id, []string{
		`UPDATE submissions SET state = 'queued', last_error = ?2, next_attempt = ?3, attempts = attempts + 1
			WHERE message_id = ?1 AND state IN ('queued', 'submitting')`}, id, reason, next.Unix())
}

// MarkFailed stops message id (queued or submitting) for good: the server refused it (5xx).
// The reason stays on the message; only the user sends it again (Requeue).
func (s *Store) MarkFailed(ctx context.Context, id int64, reason string) error {
	return s.transition(ctx, "failed", id, []string{
		`UPDATE submissions SET state = 'failed', last_error = ?2, attempts = attempts + 1
			WHERE message_id = ?1 AND state IN ('queued', 'submitting')`}, id, reason)
}

// MarkMaybeSent records that message id (submitting) may have reached the server: the final
// dot went out and no answer came back.
func (s *Store) MarkMaybeSent(ctx context.Context, id int64, reason string) error {
	return s.transition(ctx, "maybe-sent", id, []string{
		`UPDATE submissions SET state = 'maybe-sent', last_error = ?2, attempts = attempts + 1
			WHERE message_id = ?1 AND state = 'submitting'`}, id, reason)
}

// RecoverSubmitting turns the account's messages left in submitting (their process died
// between MarkSubmitting and the server's answer) into maybe-sent, and returns how many. The
// caller must hold the account's send lock, so that no submission of it is running.
func (s *Store) RecoverSubmitting(ctx context.Context, accountID int64) (int, error) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	res, err := s.db.ExecContext(ctx, `UPDATE submissions SET state = 'maybe-sent',
		last_error = 'Pouch stopped after handing the message to the server and before its answer: it may have been sent'
		WHERE state = 'submitting' AND message_id IN (SELECT id FROM messages WHERE account_id = ?)`, accountID)
	if err != nil {
		return 0, fmt.Errorf("mailstore: recover submissions: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// Requeue queues message id (failed, maybe-sent, or queued: sooner) to go at now: the user's
// decision. A maybe-sent message may then reach its recipients twice; that is what the user chose.
func (s *Store) Requeue(ctx context.Context, id int64, now time.Time) error {
	return s.transition(ctx, "requeue", id, []string{
		`UPDATE submissions SET state = 'queued', next_attempt = ?2
			WHERE message_id = ?1 AND state IN ('queued', 'failed', 'maybe-sent')`}, id, now.Unix())
}

// ConfirmSent moves message id (maybe-sent) to the sent folder: the user says it went.
func (s *Store) ConfirmSent(ctx context.Context, id int64, now time.Time) error {
	return s.transition(ctx, "confirm sent", id, []string{
		`UPDATE submissions SET state = 'sent', sent_at = ?2 WHERE message_id = ?1 AND state = 'maybe-sent'`,
		`UPDATE messages SET folder = 'sent' WHERE id = ?1`}, id, now.Unix())
}

// DiscardOutgoing deletes message id from the outbox (not while it is being submitting, and
// not once sent) or from the drafts, for good.
func (s *Store) DiscardOutgoing(ctx context.Context, id int64) error {
	wrap := func(err error) error { return fmt.Errorf("mailstore: discard %d: %w", id, err) }
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	res, err := s.db.ExecContext(ctx, `DELETE FROM messages WHERE id = ?1 AND (folder = 'drafts' OR (folder = 'outbox'
		AND NOT EXISTS (SELECT 1 FROM submissions WHERE message_id = ?1 AND state = 'submitting')))`, id)
	if err != nil {
		return wrap(err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	var folder string
	if err := s.db.QueryRowContext(ctx, `SELECT folder FROM messages WHERE id = ?`, id).Scan(&folder); errors.Is(err, sql.ErrNoRows) {
		return wrap(ErrNotFound)
	} else if err != nil {
		return wrap(err)
	}
	if folder == string(FolderOutbox) {
		return wrap(fmt.Errorf("it is being sent right now: %w", ErrStateChanged))
	}
	return wrap(fmt.Errorf("it is in %s, not the outbox or the drafts: %w", folder, ErrStateChanged))
}
