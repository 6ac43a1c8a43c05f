package engine

import (
	"context"
	"fmt"
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
	if le.Partial {
		return "" // headers only: the server's copy is the only whole one
	}
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
	DeleteAfter *time.Time // when it will be deleted from the server; nil if it will not be
	Local       bool       // a copy is stored here
	MessageID   int64      // the stored message, 0 if none
	Partial     bool       // the local copy is headers only: the server copy is never deleted
	Requested   bool       // a local delete queued its server deletion
	// Kept says why the server copy will not be deleted ("" when DeleteAfter is set).
	Kept string
	// Failure is why the last attempts to download it failed, and Failures how many sessions
	// failed; "" and 0 if none.
	Failure  string
	Failures int
}

// Reasons a server copy is kept, for RetentionEntry.Kept.
const (
	KeptForever      = "kept forever"
	KeptNoLocalCopy  = "no local copy"
	KeptHeadersOnly  = "headers only here"
	KeptNotDownloads = "could not be downloaded"
)

// Retention lists, per account (or only the named one), every message the ledger believes is
// still on the server, with when it will really be deleted there (or why not), oldest first.
// It says what a session would do: only a message whose downloaded bytes are known and stored
// here, complete, or whose deletion was asked for here, is ever deleted.
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
				MessageID: le.MessageID, Requested: le.DeleteRequested != nil,
				Failure: le.Failure, Failures: le.Failures}
			if le.MessageID != 0 {
				m, err := e.store.Message(ctx, le.MessageID)
				if err == nil {
					r.Local, r.Partial = true, m.Partial
				}
			}
			r.Partial = r.Partial || le.Partial
			switch {
			case r.Requested && le.SHA256 != "" && !r.Partial:
				t := le.DeleteRequested.UTC()
				r.DeleteAfter = &t
			case r.Partial:
				r.Kept = KeptHeadersOnly
			case !r.Local || le.SHA256 == "":
				r.Kept = KeptNoLocalCopy
				if le.Failures > 0 {
					r.Kept = KeptNotDownloads
				}
			default:
				if t, ok := DeleteAfter(a, le.FirstSeen); ok {
					r.DeleteAfter = &t
				} else {
					r.Kept = KeptForever
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

// StrandedWarning says how many of entries will stay on the server although their accounts
// delete from it, for want of a complete local copy (they count against the server's quota),
// or "".
func StrandedWarning(entries []RetentionEntry) string {
	n := 0
	for _, r := range entries {
		if r.DeleteAfter == nil && r.Kept != KeptForever {
			n++
		}
	}
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("%d message(s) stay on the server because there is no complete copy of them here; they count against the server's quota", n)
}
