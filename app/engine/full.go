package engine

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/pouchmail/pouch/mailstore"
)

// FetchFull downloads the whole of a message stored as headers only (the account's size
// limit) and replaces the partial copy, keeping its id. A message that is already complete is
// returned as is.
func (e *Engine) FetchFull(ctx context.Context, id int64, progress func(Progress)) (*mailstore.Message, error) {
	m, err := e.store.Message(ctx, id)
	if err != nil {
		return nil, messageErr(id, err)
	}
	if !m.Partial {
		return m, nil
	}
	if m.AccountID == 0 {
		return nil, fmt.Errorf("message %d: its account %q was removed, so the full message cannot be fetched", id, m.Account)
	}
	accts, err := e.store.Accounts(ctx)
	if err != nil {
		return nil, err
	}
	var a *mailstore.Account
	for i := range accts {
		if accts[i].ID == m.AccountID {
			a = &accts[i]
		}
	}
	if a == nil {
		return nil, fmt.Errorf("message %d: account %d: %w", id, m.AccountID, mailstore.ErrNotFound)
	}
	report := func(p Progress) {
		if progress != nil {
			p.Account = a.Name
			progress(p)
		}
	}
	c, _, release, err := e.login(ctx, a, report)
	if err != nil {
		return nil, &FetchError{Account: a.Name, Err: err}
	}
	defer release()
	report(Progress{Phase: PhaseList})
	uidls, err := c.UIDLAll(ctx)
	if err != nil {
		return nil, &FetchError{Account: a.Name, Err: err}
	}
	num := 0
	for _, u := range uidls {
		if u.UID == m.UIDL {
			num = u.ID
		}
	}
	if num == 0 {
		return nil, &FetchError{Account: a.Name, Err: errors.New("the message is no longer on the server; only its headers are stored")}
	}
	report(Progress{Phase: PhaseDownload, Total: 1})
	sp := e.newSpool(a.ID)
	defer sp.reset()
	var full *mailstore.Message
	err = c.Retr(ctx, num, func(r io.Reader) error {
		if err := sp.fill(r, maxMessageSize); err != nil {
			return err
		}
		full, err = e.store.ReplaceMessageFrom(ctx, id, sp.reader())
		return err
	})
	if err != nil {
		return nil, &FetchError{Account: a.Name, Err: err}
	}
	report(Progress{Phase: PhaseDone, N: 1, Total: 1, Bytes: full.Size})
	if err := c.Quit(ctx); err != nil {
		return full, &FetchError{Account: a.Name, Err: err}
	}
	return full, nil
}
