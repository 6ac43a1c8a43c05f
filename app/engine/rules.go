package engine

import (
	"context"
	"fmt"

	"github.com/pouchmail/pouch/mailstore"
)

// Rules for incoming mail and conversations. Rules live in the archive (mailstore/rules.go);
// the engine runs them on fetched mail once it is indexed (runPendingRules, called by indexed
// after every batch the session's indexer or a catch-up indexes), on demand (RunRules), and
// gives the window's rule editor its list, edits and the count of existing messages a
// condition matches.

// Rules returns the rules in the order they run.
func (e *Engine) Rules(ctx context.Context) ([]mailstore.Rule, error) {
	return e.store.Rules(ctx)
}

// AddRule stores a rule after the others and returns its id. A rule that is not valid gives
// a *mailstore.RuleError; a name in use, mailstore.ErrExists; an unknown folder,
// mailstore.ErrFolderNotFound; an account named by account: that does not exist, a
// *NotFoundError.
func (e *Engine) AddRule(ctx context.Context, r mailstore.Rule) (int64, error) {
	if err := e.checkRuleQuery(ctx, r.Query); err != nil {
		return 0, err
	}
	return e.store.AddRule(ctx, r)
}

// UpdateRule changes rule r.ID's name, condition and actions, keeping its place.
func (e *Engine) UpdateRule(ctx context.Context, r mailstore.Rule) error {
	if err := e.checkRuleQuery(ctx, r.Query); err != nil {
		return err
	}
	return e.store.UpdateRule(ctx, r)
}

// RemoveRule deletes the rule called name.
func (e *Engine) RemoveRule(ctx context.Context, name string) error {
	return e.store.RemoveRule(ctx, name)
}

// ReorderRules sets the order rules run in; ids must name every rule once.
func (e *Engine) ReorderRules(ctx context.Context, ids []int64) error {
	return e.store.ReorderRules(ctx, ids)
}

// checkRuleQuery refuses a condition naming an account or folder that does not exist: such a
// rule would never match, which is a mistake to tell at once.
func (e *Engine) checkRuleQuery(ctx context.Context, query string) error {
	q, err := mailstore.ParseQuery(query)
	if err != nil {
		return &mailstore.RuleError{Msg: err.Error()}
	}
	if q.Account != "" {
		if _, err := e.Account(ctx, q.Account); err != nil {
			return err
		}
	}
	return e.checkFolder(ctx, q.Folder)
}

// CountMatching returns how many existing messages a condition matches: the rule editor's
// "N existing messages match". It counts in the index as it is (nothing is indexed first), so
// it answers in milliseconds while the user types. A query that cannot be understood gives a
// *mailstore.QueryError.
func (e *Engine) CountMatching(ctx context.Context, query string) (int, error) {
	q, err := mailstore.ParseQuery(query)
	if err != nil {
		return 0, err
	}
	return e.store.CountMatches(ctx, q)
}

// RunScope selects what RunRules runs on: one rule or all, one folder or every one.
type RunScope = mailstore.RunScope

// RulesResult says what a run of the rules did.
type RulesResult = mailstore.RulesResult

// RunRules runs the rules (or one) now over the messages of a folder or of the whole archive
// (never the Trash, the Outbox or Drafts), after indexing the backlog so body conditions see
// every message. Like every rule action it changes only local metadata.
func (e *Engine) RunRules(ctx context.Context, scope RunScope) (RulesResult, error) {
	if err := e.checkFolder(ctx, scope.Folder); err != nil {
		return RulesResult{}, err
	}
	if _, err := e.catchUp(ctx, nil); err != nil {
		return RulesResult{}, fmt.Errorf("search index incomplete: %w", err)
	}
	return e.store.RunRules(ctx, scope, e.opts.Now())
}

// applyPendingRules runs the rules on fetched messages that wait for them and are indexed
// (mailstore.ApplyPendingRules). Messages not indexed yet keep their mark and wait.
func (e *Engine) applyPendingRules(ctx context.Context) (RulesResult, error) {
	return e.store.ApplyPendingRules(ctx, e.opts.Now())
}

// runPendingRules is applyPendingRules where indexing happens (indexed, index.go): a rule's
// failure is kept by the rule itself, and a failure to run the rules at all is kept here, for
// RulesStatus.
func (e *Engine) runPendingRules(ctx context.Context) {
	_, err := e.applyPendingRules(ctx)
	if ctx.Err() != nil {
		return // stopped: the marks stay, the next catch-up runs them
	}
	e.rulesMu.Lock()
	e.rulesErr = err
	e.rulesMu.Unlock()
}

// RulesStatus is where the rules stand: messages waiting for them, and rules that failed.
type RulesStatus struct {
	Pending int              // fetched messages the rules have not run on yet
	Failing []mailstore.Rule // rules with failures (Failures, LastError, FailedAt)
	Err     error            // why the rules could not run at all the last time they were run
}

// RulesStatus reports the rules' backlog and the rules that failed, for a status display.
func (e *Engine) RulesStatus(ctx context.Context) (RulesStatus, error) {
	var st RulesStatus
	e.rulesMu.Lock()
	st.Err = e.rulesErr
	e.rulesMu.Unlock()
	n, err := e.store.RulesBacklog(ctx)
	if err != nil {
		return st, err
	}
	st.Pending = n
	rules, err := e.store.Rules(ctx)
	if err != nil {
		return st, err
	}
	for _, r := range rules {
		if r.Failures > 0 {
			st.Failing = append(st.Failing, r)
		}
	}
	return st, nil
}

// ThreadBackfill threads the messages stored before conversations existed (once, resumably;
// at once when none is left) and returns how many it threaded. The index catch-up runs it, and
// so do Thread and Threads.
func (e *Engine) ThreadBackfill(ctx context.Context) (int, error) {
	return e.store.ThreadBackfill(ctx, 0)
}

// Thread returns the messages of a conversation outside the Trash, oldest first.
func (e *Engine) Thread(ctx context.Context, thread int64) ([]mailstore.Message, error) {
	if _, err := e.ThreadBackfill(ctx); err != nil {
		return nil, err
	}
	return e.store.ThreadMessages(ctx, thread)
}

// Threads lists the conversations of the messages f selects (a folder, an account, the
// Trash, a page), the most recently active first, with their message and unread counts: the
// list's conversation view. Messages stored before conversations existed are threaded first.
func (e *Engine) Threads(ctx context.Context, f mailstore.Filter) ([]mailstore.ThreadSummary, error) {
	if err := e.checkFolder(ctx, f.Folder); err != nil {
		return nil, err
	}
	return e.store.Threads(ctx, f)
}
