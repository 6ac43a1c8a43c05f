package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/pouchmail/pouch/app/secrets"
	"github.com/pouchmail/pouch/mailstore"
	"github.com/pouchmail/pouch/pop3"
)

// Phase names the step a session is in, for progress displays.
type Phase string

const (
	PhaseConnect  Phase = "connecting"
	PhaseLogin    Phase = "logging in"
	PhaseList     Phase = "listing"
	PhaseDownload Phase = "downloading"
	PhaseDone     Phase = "done"
)

// Progress is reported while a session runs.
type Progress struct {
	Account string
	Phase   Phase
	N       int   // messages stored so far in this session
	Total   int   // new messages to download in this session
	Bytes   int64 // bytes stored so far in this session
}

// Result is the outcome of one session for one account.
type Result struct {
	Account  string
	New      int           // messages stored by this session
	Bytes    int64         // their total size
	OnServer int           // messages the server listed
	Duration time.Duration // wall time of the session
	Err      error         // nil on success
}

// FetchError wraps the reason a session for an account failed.
type FetchError struct {
	Account string
	Err     error
}

func (e *FetchError) Error() string { return fmt.Sprintf("%s: %v", e.Account, e.Err) }
func (e *FetchError) Unwrap() error { return e.Err }

// NoPasswordError says an account has no secret in the keyring.
type NoPasswordError struct{ Account string }

func (e *NoPasswordError) Error() string {
	return fmt.Sprintf("no password stored for account %q (set one with: pouch account password %s --password-stdin)", e.Account, e.Account)
}

// maxMessageSize bounds what one RETR may hand to the store; larger replies are refused rather
// than exhausting memory.
const maxMessageSize = 1 << 30

// FetchAll runs one session per account (or only the named one) in turn and returns a result
// for each. An account's failure does not stop the others.
func (e *Engine) FetchAll(ctx context.Context, name string, progress func(Progress)) ([]Result, error) {
	var accts []mailstore.Account
	if name != "" {
		a, err := e.Account(ctx, name)
		if err != nil {
			return nil, err
		}
		accts = []mailstore.Account{*a}
	} else {
		var err error
		if accts, err = e.store.Accounts(ctx); err != nil {
			return nil, err
		}
	}
	results := make([]Result, 0, len(accts))
	for i := range accts {
		results = append(results, e.Fetch(ctx, &accts[i], progress))
	}
	return results, nil
}

// Fetch runs one POP3 session for a: it downloads every message whose UIDL the ledger has not
// stored yet and commits each with its ledger row in one transaction.
func (e *Engine) Fetch(ctx context.Context, a *mailstore.Account, progress func(Progress)) Result {
	start := time.Now()
	res := Result{Account: a.Name}
	report := func(p Progress) {
		if progress != nil {
			p.Account = a.Name
			progress(p)
		}
	}
	err := e.fetch(ctx, a, &res, report)
	res.Duration = time.Since(start)
	if err != nil {
		res.Err = &FetchError{Account: a.Name, Err: err}
	}
	report(Progress{Phase: PhaseDone, N: res.New, Total: res.New, Bytes: res.Bytes})
	return res
}

func (e *Engine) fetch(ctx context.Context, a *mailstore.Account, res *Result, report func(Progress)) error {
	password, err := e.secrets.Get(a.Name)
	if errors.Is(err, secrets.ErrNotFound) {
		return &NoPasswordError{Account: a.Name}
	} else if err != nil {
		return err
	}

	c, caps, err := e.connect(ctx, a, password, report)
	if err != nil {
		return err
	}
	// Close without QUIT on any early return: the server then deletes nothing (RFC 1939 §6).
	defer c.Close()

	report(Progress{Phase: PhaseList})
	uidls, err := c.UIDLAll(ctx)
	if err != nil {
		var perr *pop3.Error
		if errors.As(err, &perr) && !caps.UIDL {
			return fmt.Errorf("the server does not support UIDL, so Pouch cannot tell new messages from old ones: %w", err)
		}
		return err
	}
	res.OnServer = len(uidls)
	now := e.opts.Now()
	ids := make([]string, len(uidls))
	for i, u := range uidls {
		ids[i] = u.UID
	}
	// First-seen is recorded before any download, so it reflects when the server first showed
	// the message, and it never moves on later sessions.
	if err := e.store.MarkSeen(ctx, a.ID, ids, now); err != nil {
		return err
	}
	ledger, err := e.store.Ledger(ctx, a.ID)
	if err != nil {
		return err
	}
	var todo []pop3.UIDL
	for _, u := range uidls {
		if le, ok := ledger[u.UID]; !ok || le.Downloaded == nil {
			todo = append(todo, u)
		}
	}

	report(Progress{Phase: PhaseDownload, Total: len(todo)})
	var buf bytes.Buffer
	for _, u := range todo {
		buf.Reset()
		err := c.Retr(ctx, u.ID, func(r io.Reader) error {
			n, err := io.Copy(&buf, io.LimitReader(r, maxMessageSize+1))
			if err == nil && n > maxMessageSize {
				return fmt.Errorf("message %s is larger than %d bytes", u.UID, maxMessageSize)
			}
			return err
		})
		if err != nil {
			return fmt.Errorf("downloading message %d (UIDL %s): %w", u.ID, u.UID, err)
		}
		m, err := e.store.SaveMessage(ctx, a.ID, u.UID, buf.Bytes(), e.opts.Now())
		if errors.Is(err, mailstore.ErrExists) {
			// Another session stored it meanwhile: nothing to do, and nothing stored twice.
			continue
		}
		if err != nil {
			return fmt.Errorf("storing message %s: %w", u.UID, err)
		}
		res.New++
		res.Bytes += m.Size
		report(Progress{Phase: PhaseDownload, N: res.New, Total: len(todo), Bytes: res.Bytes})
	}
	return c.Quit(ctx)
}
