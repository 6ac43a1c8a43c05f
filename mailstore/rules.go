package mailstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Rules for incoming mail. A rule is a condition in the search syntax (Query) and actions;
// rules are kept in the archive in order. The Saver marks every fetched message rules_pending
// in its own transaction; ApplyPendingRules runs the rules on pending messages once they are
// indexed (a condition may name body text) and clears the mark in the transaction that applies
// the actions, so a crash in between only means the rules run again. RunRules runs them on
// demand over stored messages.
//
// Conditions are evaluated by the search's own SQL (Query.filters, Match), restricted to the
// candidate messages, against the messages as they were before any rule acted. Actions only
// change metadata (folder, read, flagged, trashed_at) in one transaction: a rule never touches
// raw bytes or the ledger, so it can neither lose a message nor cause a deletion on a server
// (a trashed message is deleted on a server only as today: after the user empties the Trash,
// for an account that deletes on the server). Actions add up in rule order; a later move
// replaces an earlier one; Stop ends the rules for that message. When a rule that matches a
// message cannot act (its folder is gone), nothing is done to that message: it stays where it
// was stored, and the rule counts the failure and keeps the error.

// Rule is one rule for incoming mail.
type Rule struct {
	ID       int64
	Name     string
	Query    string // a search query (ParseQuery)
	MoveTo   Folder // "" = no move
	MarkRead bool
	Flag     bool // mark important
	Trash    bool // move to the Trash (locally; restorable until the Trash is emptied)
	Stop     bool // no later rule sees a message this one matched
	// Failures counts the messages the rule failed to act on; LastError says why, at FailedAt.
	Failures  int
	LastError string
	FailedAt  *time.Time

	moveToID sql.NullInt64 // MoveTo's id when it is a user folder
}

// RuleError is a rule that cannot be stored: no name, a bad query, no action, or a folder a
// rule may not move mail into.
type RuleError struct {
	Rule string
	Msg  string
}

func (e *RuleError) Error() string {
	if e.Rule == "" {
		return "rule: " + e.Msg
	}
	return fmt.Sprintf("rule %q: %s", e.Rule, e.Msg)
}

// maxRuleName bounds a rule's name.
const maxRuleName = 200

// Validate checks a rule before it is stored: a name, a query that parses, at least one
// action, and a move into the Inbox or a user folder only (never the Outbox, Drafts or Sent;
// the Trash is the Trash action).
func (r *Rule) Validate() error {
	bad := func(msg string) error { return &RuleError{Rule: r.Name, Msg: msg} }
	name := strings.TrimSpace(r.Name)
	switch {
	case name == "":
		return bad("a rule needs a name")
	case len(name) > maxRuleName:
		return bad(fmt.Sprintf("the name is longer than %d bytes", maxRuleName))
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return bad("the name has control characters")
	}
	r.Name = name
	if strings.TrimSpace(r.Query) == "" {
		return bad("a rule needs a condition (a search query)")
	}
	if _, err := ParseQuery(r.Query); err != nil {
		return bad(err.Error())
	}
	if r.MoveTo == "" && !r.MarkRead && !r.Flag && !r.Trash {
		return bad("a rule needs an action: a move, mark read, flag or trash")
	}
	if r.MoveTo != "" {
		f, err := ParseFolder(string(r.MoveTo))
		if err != nil {
			return bad(err.Error())
		}
		if f.System() && f != FolderInbox {
			return bad(fmt.Sprintf("rules cannot move mail into %s", f))
		}
		r.MoveTo = f
	}
	return nil
}

// ruleColumns read a rule from rules r; a user folder's current path (after a rename) from
// folders f.
const ruleColumns = `r.id, r.name, r.query, coalesce(f.path, r.move_to), r.move_to_id, r.mark_read, r.flag, r.trash, r.stop,
	r.failures, r.last_error, r.failed_at FROM rules r LEFT JOIN folders f ON f.id = r.move_to_id`

func scanRule(sc interface{ Scan(...any) error }) (Rule, error) {
	var r Rule
	var failed sql.NullInt64
	err := sc.Scan(&r.ID, &r.Name, &r.Query, &r.MoveTo, &r.moveToID, &r.MarkRead, &r.Flag, &r.Trash, &r.Stop,
		&r.Failures, &r.LastError, &failed)
	r.FailedAt = unixPtr(failed)
	return r, err
}

// Rules returns the rules in the order they run.
func (s *Store) Rules(ctx context.Context) ([]Rule, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+ruleColumns+` ORDER BY r.position, r.id`)
	if err != nil {
		return nil, fmt.Errorf("mailstore: rules: %w", err)
	}
	defer rows.Close()
	var rs []Rule
	for rows.Next() {
		r, err := scanRule(rows)
		if err != nil {
			return nil, fmt.Errorf("mailstore: rules: %w", err)
		}
		rs = append(rs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("mailstore: rules: %w", err)
	}
	return rs, nil
}

// Rule returns the rule called name, or an error wrapping ErrNotFound.
func (s *Store) Rule(ctx context.Context, name string) (*Rule, error) {
	r, err := scanRule(s.db.QueryRowContext(ctx, `SELECT `+ruleColumns+` WHERE r.name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("mailstore: rule %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("mailstore: rule %q: %w", name, err)
	}
	return &r, nil
}

// AddRule validates r and stores it after the existing rules; it returns the rule's id. A name
// taken already gives ErrExists; a move into a folder that does not exist, ErrFolderNotFound.
func (s *Store) AddRule(ctx context.Context, r Rule) (int64, error) {
	if err := r.Validate(); err != nil {
		return 0, err
	}
	wrap := func(err error) error { return fmt.Errorf("mailstore: add rule %q: %w", r.Name, err) }
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, wrap(err)
	}
	defer tx.Rollback()
	fid, err := moveTargetID(ctx, tx, &r)
	if err != nil {
		return 0, wrap(err)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO rules (position, name, query, move_to, move_to_id, mark_read, flag, trash, stop)
		VALUES ((SELECT coalesce(max(position), 0) + 1 FROM rules), ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.Name, r.Query, string(r.MoveTo), fid, r.MarkRead, r.Flag, r.Trash, r.Stop)
	if isUnique(err) {
		return 0, wrap(ErrExists)
	}
	if err != nil {
		return 0, wrap(err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, wrap(err)
	}
	if err := tx.Commit(); err != nil {
		return 0, wrap(err)
	}
	return id, nil
}

// UpdateRule replaces rule r.ID's name, condition and actions (its place and failure count
// stay). An unknown id gives ErrNotFound.
func (s *Store) UpdateRule(ctx context.Context, r Rule) error {
	if err := r.Validate(); err != nil {
		return err
	}
	wrap := func(err error) error { return fmt.Errorf("mailstore: update rule %q: %w", r.Name, err) }
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return wrap(err)
	}
	defer tx.Rollback()
	fid, err := moveTargetID(ctx, tx, &r)
	if err != nil {
		return wrap(err)
	}
	res, err := tx.ExecContext(ctx, `UPDATE rules SET name = ?, query = ?, move_to = ?, move_to_id = ?, mark_read = ?, flag = ?,
		trash = ?, stop = ? WHERE id = ?`, r.Name, r.Query, string(r.MoveTo), fid, r.MarkRead, r.Flag, r.Trash, r.Stop, r.ID)
	if isUnique(err) {
		return wrap(ErrExists)
	}
	if err != nil {
		return wrap(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return wrap(ErrNotFound)
	}
	if err := tx.Commit(); err != nil {
		return wrap(err)
	}
	return nil
}

// RemoveRule deletes the rule called name; an unknown name gives ErrNotFound.
func (s *Store) RemoveRule(ctx context.Context, name string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM rules WHERE name = ?`, name)
	if err != nil {
		return fmt.Errorf("mailstore: remove rule %q: %w", name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("mailstore: remove rule %q: %w", name, ErrNotFound)
	}
	return nil
}

// ReorderRules sets the order rules run in: ids must name every rule exactly once.
func (s *Store) ReorderRules(ctx context.Context, ids []int64) error {
	wrap := func(err error) error { return fmt.Errorf("mailstore: reorder rules: %w", err) }
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return wrap(err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM rules`).Scan(&n); err != nil {
		return wrap(err)
	}
	seen := map[int64]bool{}
	for _, id := range ids {
		seen[id] = true
	}
	if len(ids) != n || len(seen) != n {
		return wrap(&RuleError{Msg: fmt.Sprintf("the new order names %d rules, there are %d", len(seen), n)})
	}
	for i, id := range ids {
		res, err := tx.ExecContext(ctx, `UPDATE rules SET position = ? WHERE id = ?`, i+1, id)
		if err != nil {
			return wrap(err)
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return wrap(fmt.Errorf("rule %d: %w", id, ErrNotFound))
		}
	}
	if err := tx.Commit(); err != nil {
		return wrap(err)
	}
	return nil
}

// RuleCount is what one rule did in a run.
type RuleCount struct {
	Rule    string `json:"rule"`
	Matched int    `json:"matched"`         // messages it matched (and acted on, unless Failed)
	Failed  int    `json:"failed"`          // messages it matched but could not act on
	Error   string `json:"error,omitempty"` // why it failed
}

// RulesResult says what a run of the rules did.
type RulesResult struct {
	Examined int         `json:"examined"` // messages the rules ran on
	Changed  int         `json:"changed"`  // messages moved, marked, flagged or trashed
	Failed   int         `json:"failed"`   // messages left where they were because a rule failed
	Rules    []RuleCount `json:"rules"`
}

func (r *RulesResult) add(o RulesResult) {
	r.Examined += o.Examined
	r.Changed += o.Changed
	r.Failed += o.Failed
	if r.Rules == nil {
		r.Rules = o.Rules
		return
	}
	for i := range r.Rules {
		if i < len(o.Rules) && o.Rules[i].Rule == r.Rules[i].Rule {
			r.Rules[i].Matched += o.Rules[i].Matched
			r.Rules[i].Failed += o.Rules[i].Failed
			if o.Rules[i].Error != "" {
				r.Rules[i].Error = o.Rules[i].Error
			}
		}
	}
}

// RulesBacklog returns how many fetched messages wait for the rules.
func (s *Store) RulesBacklog(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM messages WHERE rules_pending = 1`).Scan(&n); err != nil {
		return 0, fmt.Errorf("mailstore: rules backlog: %w", err)
	}
	return n, nil
}

// rulesBatch is how many pending messages one transaction of ApplyPendingRules handles.
const rulesBatch = 500

// ApplyPendingRules runs the rules, in order, on every fetched message waiting for them that
// is indexed (the others wait for the indexer), oldest first, a batch per transaction, and
// clears their marks. With no rules it only clears the marks.
func (s *Store) ApplyPendingRules(ctx context.Context, now time.Time) (RulesResult, error) {
	var total RulesResult
	rules, err := s.Rules(ctx)
	if err != nil {
		return total, err
	}
	if len(rules) == 0 {
		return s.clearPendingMarks(ctx)
	}
	for {
		ids, err := s.pendingForRules(ctx)
		if err != nil || len(ids) == 0 {
			return total, err
		}
		r, err := s.applyRules(ctx, rules, ids, true, now)
		total.add(r)
		if err != nil {
			return total, err
		}
	}
}

// clearPendingMarks is ApplyPendingRules with no rules: it clears the marks of the indexed
// pending messages, rulesWriteChunk per statement and transaction, and counts them examined.
// The guard rules_pending = 1 stays in the statement, since another process may clear marks
// too. The transactions defer their fsync (lazyConn): they only clear marks, and a clear that a
// power loss undoes (along with nothing after it, since any later durable commit syncs the WAL
// up to it) puts the message back in the backlog, where the next pass clears it again.
func (s *Store) clearPendingMarks(ctx context.Context) (RulesResult, error) {
	var res RulesResult
	wrap := func(err error) error { return fmt.Errorf("mailstore: apply rules: %w", err) }
	for {
		n, err := func() (int64, error) {
			s.writeMu.Lock()
			defer s.writeMu.Unlock()
			conn, err := s.lazyConn(ctx)
			if err != nil {
				return 0, err
			}
			defer conn.close()
			r, err := conn.ExecContext(ctx, `UPDATE messages SET rules_pending = 0
				WHERE id IN (SELECT id FROM messages WHERE rules_pending = 1 AND indexed = 1
					AND folder NOT IN ('outbox', 'drafts') ORDER BY id LIMIT ?)
				AND rules_pending = 1`, rulesWriteChunk)
			if err != nil {
				return 0, err
			}
			return r.RowsAffected()
		}()
		if err != nil {
			return res, wrap(err)
		}
		res.Examined += int(n)
		if n < rulesWriteChunk {
			return res, nil
		}
	}
}

func (s *Store) pendingForRules(ctx context.Context) ([]int64, error) {
	// A pending message in the Outbox or Drafts is never changed (applyChunk), so it is not
	// taken either: it would come back in every batch.
	ids, err := s.ids(ctx, `SELECT id FROM messages WHERE rules_pending = 1 AND indexed = 1
		AND folder NOT IN ('outbox', 'drafts') ORDER BY id LIMIT ?`, rulesBatch)
	if err != nil {
		return nil, fmt.Errorf("mailstore: pending rules: %w", err)
	}
	return ids, nil
}

// RunScope selects what RunRules runs on.
type RunScope struct {
	Rule   string // "" = every rule, in order; else only this one
	Folder Folder // "" = every folder; else only the messages in it
}

// RunRules runs the rules on demand over the stored messages scope selects (never those in
// the Trash, the Outbox or Drafts), indexing nothing: the caller drains the index backlog
// first. An unknown rule gives ErrNotFound.
func (s *Store) RunRules(ctx context.Context, scope RunScope, now time.Time) (RulesResult, error) {
	rules, err := s.Rules(ctx)
	if err != nil {
		return RulesResult{}, err
	}
	if scope.Rule != "" {
		var one []Rule
		for _, r := range rules {
			if r.Name == scope.Rule {
				one = append(one, r)
			}
		}
		if len(one) == 0 {
			return RulesResult{}, fmt.Errorf("mailstore: rule %q: %w", scope.Rule, ErrNotFound)
		}
		rules = one
	}
	where := `m.trashed_at IS NULL AND m.folder NOT IN ('outbox', 'drafts')`
	var args []any
	if scope.Folder != "" {
		if !scope.Folder.System() {
			if _, _, err := folderID(ctx, s.db, scope.Folder); err != nil {
				return RulesResult{}, fmt.Errorf("mailstore: run rules: %w", err)
			}
		}
		c, a := folderCond("m", scope.Folder)
		where += ` AND ` + c
		args = a
	}
	ids, err := s.ids(ctx, `SELECT m.id FROM messages m WHERE `+where+` ORDER BY m.id`, args...)
	if err != nil {
		return RulesResult{}, fmt.Errorf("mailstore: run rules: %w", err)
	}
	return s.applyRules(ctx, rules, ids, false, now)
}

// plan is what the rules decided for one message.
type plan struct {
	moveTo         *moveTarget
	read, flag, tr bool
	matched        []int // the rules that matched it, in order, up to a Stop
	failedBy       int   // index+1 of a matching rule that cannot act; 0 = none
}

// applyRules runs rules on ids. Each rule's condition is evaluated once over all of ids; the
// actions are then folded per message in rule order and applied in one transaction. With
// pending, only messages still marked are changed (another process may have run the rules on
// them meanwhile), and their marks are cleared.
func (s *Store) applyRules(ctx context.Context, rules []Rule, ids []int64, pending bool, now time.Time) (RulesResult, error) {
	res := RulesResult{Rules: make([]RuleCount, len(rules))}
	ruleErr := make([]string, len(rules))
	matched := make([]map[int64]bool, len(rules))
	// Each chunk of an id list evaluates the condition's full-text part again; beyond one
	// chunk, matching the whole archive once and testing membership is cheaper.
	scopeIDs := ids
	if len(ids) > matchChunk {
		scopeIDs = nil
	}
	for i, r := range rules {
		res.Rules[i].Rule = r.Name
		q, err := ParseQuery(r.Query)
		if err == nil {
			matched[i], err = s.matchIDs(ctx, q, scopeIDs)
		}
		if err != nil {
			if ctx.Err() != nil {
				return res, ctx.Err()
			}
			// A condition that no longer parses, or cannot be evaluated, matches nothing.
			ruleErr[i] = err.Error()
			matched[i] = map[int64]bool{}
		}
	}

	// The writes go in transactions of rulesWriteChunk messages, so a run over the whole archive
	// never holds the other writers (a fetch's commits, a click on "mark read") for long.
	for start := 0; start < len(ids); start += rulesWriteChunk {
		if err := s.applyChunk(ctx, rules, matched, ruleErr, ids[start:min(start+rulesWriteChunk, len(ids))], pending, now, &res); err != nil {
			return res, err
		}
	}
	for i := range rules {
		if ruleErr[i] != "" {
			res.Rules[i].Error = ruleErr[i]
		}
	}
	return res, nil
}

// rulesWriteChunk is how many messages one transaction of applyRules writes.
const rulesWriteChunk = 2000

// applyChunk applies the rules' actions to ids in one transaction, adding to res.
func (s *Store) applyChunk(ctx context.Context, rules []Rule, matched []map[int64]bool, queryErr []string, ids []int64, pending bool, now time.Time, res *RulesResult) error {
	wrap := func(err error) error { return fmt.Errorf("mailstore: apply rules: %w", err) }
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	// A pending pass whose rules match none of ids, and fail on none, only clears marks (and
	// may note a rule's missing folder): that commits without an fsync of its own (lazyConn),
	// since a power loss that undoes it (and with it nothing later: a later durable commit
	// syncs the WAL up to it) leaves the marks set, and the rules run again on those messages
	// with the same outcome. A chunk where any rule matches (a move, a trash, a mark) or where
	// a rule's failure is recorded commits durably, at synchronous=FULL, like every other change
	// the user sees.
	tx, done, err := s.beginWrite(ctx, pending && !matchesAny(matched, queryErr, ids))
	if err != nil {
		return wrap(err)
	}
	defer done()
	defer tx.Rollback()
	// Move targets are resolved inside the transaction that moves.
	ruleErr := slices.Clone(queryErr)
	targets := make([]*moveTarget, len(rules))
	for i := range rules {
		if rules[i].MoveTo == "" {
			continue
		}
		if targets[i], err = resolveMoveTarget(ctx, tx, &rules[i]); err != nil {
			return wrap(err)
		}
		if targets[i].err != "" {
			ruleErr[i] = targets[i].err
		}
	}

	// One UPDATE per message the rules change: a message row holds its raw bytes, so every
	// write rewrites them; a message already as the rules want it is not written at all (a
	// second run is cheap). With pending, the mark is cleared in the same write (the others'
	// marks in one statement, below), and a message whose mark another process cleared
	// meanwhile is left alone.
	guard := `AND (read < ?2 OR flagged < ?3 OR (?4 AND trashed_at IS NULL) OR (?6 AND (folder IS NOT ?7 OR folder_id IS NOT ?8)))`
	if pending {
		guard = `AND rules_pending = 1`
	}
	act, err := tx.PrepareContext(ctx, `UPDATE messages SET read = max(read, ?2), flagged = max(flagged, ?3),
		trashed_at = CASE WHEN ?4 THEN coalesce(trashed_at, ?5) ELSE trashed_at END,
		folder = CASE WHEN ?6 THEN ?7 ELSE folder END, folder_id = CASE WHEN ?6 THEN ?8 ELSE folder_id END,
		rules_pending = 0
		WHERE id = ?1 AND folder NOT IN ('outbox', 'drafts') `+guard)
	if err != nil {
		return wrap(err)
	}
	defer act.Close()
	failedBefore := make([]int, len(rules))
	for i := range rules {
		failedBefore[i] = res.Rules[i].Failed
	}
	plans := make([]plan, len(ids))
	var clear []int64
	for k, id := range ids {
		p := fold(rules, matched, ruleErr, targets, id)
		if p.failedBy != 0 {
			// A matching rule cannot act: nothing is done to the message, it stays where it is.
			p = plan{failedBy: p.failedBy}
		}
		plans[k] = p
		if pending && !p.acts() {
			clear = append(clear, id)
		}
	}
	// With pending, the marks of the messages no rule acts on (most, or all) are cleared in one
	// statement; RETURNING says which were still marked.
	var cleared map[int64]bool
	if len(clear) > 0 {
		if cleared, err = clearMarks(ctx, tx, clear); err != nil {
			return wrap(err)
		}
	}
	for k, id := range ids {
		p := plans[k]
		acts := p.acts()
		if pending && !acts {
			if !cleared[id] {
				continue // handled elsewhere meanwhile
			}
		} else if acts {
			move, folder, fid := p.moveTo != nil, "", sql.NullInt64{}
			if move {
				folder, fid = string(p.moveTo.folder), p.moveTo.id
			}
			r, err := act.ExecContext(ctx, id, p.read, p.flag, p.tr, now.Unix(), move, folder, fid)
			if err != nil {
				return wrap(err)
			}
			n, _ := r.RowsAffected()
			if pending && n == 0 {
				continue // handled elsewhere meanwhile
			}
			if n > 0 {
				res.Changed++
			}
		}
		res.Examined++
		if p.failedBy != 0 {
			res.Failed++
			res.Rules[p.failedBy-1].Failed++
			continue
		}
		for _, i := range p.matched {
			res.Rules[i].Matched++
		}
	}
	for i := range rules {
		if ruleErr[i] == "" {
			continue
		}
		res.Rules[i].Error = ruleErr[i]
		if _, err := tx.ExecContext(ctx, `UPDATE rules SET failures = failures + ?, last_error = ?, failed_at = ? WHERE id = ?`,
			res.Rules[i].Failed-failedBefore[i], ruleErr[i], now.Unix(), rules[i].ID); err != nil {
			return wrap(err)
		}
	}
	if err := tx.Commit(); err != nil {
		return wrap(err)
	}
	return nil
}

// acts reports whether the plan changes the message.
func (p *plan) acts() bool { return p.moveTo != nil || p.read || p.flag || p.tr }

// matchesAny reports whether a rule matches any of ids or failed to evaluate.
func matchesAny(matched []map[int64]bool, queryErr []string, ids []int64) bool {
	for i := range matched {
		if queryErr[i] != "" {
			return true
		}
		if len(matched[i]) == 0 {
			continue
		}
		for _, id := range ids {
			if matched[i][id] {
				return true
			}
		}
	}
	return false
}

// clearMarks clears the rules_pending marks of ids, in the Inbox or a user folder, that are
// still set, and returns those.
func clearMarks(ctx context.Context, tx *sql.Tx, ids []int64) (map[int64]bool, error) {
	js, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `UPDATE messages SET rules_pending = 0
		WHERE id IN (SELECT value FROM json_each(?)) AND rules_pending = 1 AND folder NOT IN ('outbox', 'drafts')
		RETURNING id`, string(js))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cleared := make(map[int64]bool, len(ids))
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		cleared[id] = true
	}
	return cleared, rows.Err()
}

// fold decides what the rules do to message id, in rule order.
func fold(rules []Rule, matched []map[int64]bool, ruleErr []string, targets []*moveTarget, id int64) plan {
	var p plan
	for i, r := range rules {
		if !matched[i][id] {
			continue
		}
		if ruleErr[i] != "" {
			return plan{failedBy: i + 1}
		}
		p.matched = append(p.matched, i)
		if r.MoveTo != "" {
			p.moveTo = targets[i]
		}
		p.read = p.read || r.MarkRead
		p.flag = p.flag || r.Flag
		p.tr = p.tr || r.Trash
		if r.Stop {
			break
		}
	}
	return p
}
