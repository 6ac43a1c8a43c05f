package engine

import (
	"context"
	"sort"
	"time"

	"github.com/pouchmail/pouch/mailstore"
)

// day is a retention day: 24 hours from the first-seen instant, whatever the calendar says.
const day = 24 * time.Hour

// DeleteAfter is when a message first seen at firstSeen becomes due for deletion from the
// server under a's retention setting; ok is false when it is kept forever. Leave-days 0 means
// right after the local copy is committed. Changing the setting applies at once to messages
// already on the server, since only first_seen (which never moves) is stored.
func DeleteAfter(a *mailstore.Account, firstSeen time.Time) (t time.Time, ok bool) {
	if a.KeepForever {
		return time.Time{}, false
	}
	return firstSeen.Add(time.Duration(a.LeaveDays) * day), true
}

// deleteReason says why a listed ledger entry may be deleted from the server now, or "" if
// not. A row marked deleted that the server still lists is deleted again.
// Only a complete local copy (downloaded, stored, not partial) or an explicit request after
// a local delete qualifies; the caller still re-checks the stored bytes before DELE.
func deleteReason(a *mailstore.Account, le mailstore.LedgerEntry, now time.Time) string {
	if le.DeleteRequested != nil {
		return "deleted here"
	}
	if le.Downloaded == nil || le.MessageID == 0 {
		return ""
	}
	due, ok := DeleteAfter(a, le.FirstSeen)
	if !ok || now.Before(due) {
		return ""
	}
	return "retention"
}

// RetentionEntry is one message the ledger knows to be on the server.
type RetentionEntry struct {
	Account     string
	UIDL        string
	FirstSeen   time.Time
	DeleteAfter *time.Time // nil when kept forever
	Local       bool       // a copy is stored here
	MessageID   int64      // the stored message, 0 if none
	Partial     bool       // the local copy is headers only: the server copy is never deleted
	Requested   bool       // a local delete queued its server deletion
}

// Retention lists, per account (or only the named one), every message the ledger believes is
// still on the server, with when it will be deleted there, oldest first.
func (e *Engine) Retention(ctx context.Context, name string) ([]RetentionEntry, error) {
	accts, err := e.selectAccounts(ctx, name)
	if err != nil {
		return nil, err
	}
	var out []RetentionEntry
	for i := range accts {
		a := &accts[i]
		ledger, err := e.store.Ledger(ctx, a.ID)
		if err != nil {
			return nil, err
		}
		start := len(out)
		for _, le := range ledger {
			if le.DeletedFromServer != nil {
				continue
			}
			r := RetentionEntry{Account: a.Name, UIDL: le.UIDL, FirstSeen: le.FirstSeen,
				MessageID: le.MessageID, Requested: le.DeleteRequested != nil}
			if le.MessageID != 0 {
				m, err := e.store.Message(ctx, le.MessageID)
				if err == nil {
					r.Local, r.Partial = true, m.Partial
				}
			}
			switch {
			case r.Requested:
				t := le.DeleteRequested.UTC()
				r.DeleteAfter = &t
			case r.Partial:
				// never: a headers-only copy is not a copy
			default:
				if t, ok := DeleteAfter(a, le.FirstSeen); ok {
					r.DeleteAfter = &t
				}
			}
			out = append(out, r)
		}
		part := out[start:]
		sort.Slice(part, func(i, j int) bool {
			if !part[i].FirstSeen.Equal(part[j].FirstSeen) {
				return part[i].FirstSeen.Before(part[j].FirstSeen)
			}
			return part[i].UIDL < part[j].UIDL
		})
	}
	return out, nil
}
