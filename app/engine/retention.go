package engine

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/pouchmail/pouch/mailstore"
	"github.com/pouchmail/pouch/pop3"
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

// dueForDeletion picks the listed messages to DELE now: those whose retention (or a delete
// request) says so and whose server copy is known to hold the bytes the ledger recorded
// (onServer: downloaded or re-read and hashed in this session). Every one whose
// local copy is the reason is re-read and its SHA-256 checked against the record first; any
// mismatch stops the session before a single DELE.
func (e *Engine) dueForDeletion(ctx context.Context, a *mailstore.Account, uidls []pop3.UIDL, ledger map[string]mailstore.LedgerEntry, onServer map[string]bool) ([]pop3.UIDL, error) {
	now := e.opts.Now()
	if len(ledger) == 0 {
		return nil, nil
	}
	var dele []pop3.UIDL
	for _, u := range uidls {
		le, ok := ledger[u.UID]
		if !ok || !onServer[u.UID] {
			continue
		}
		switch deleteReason(a, le, now) {
		case "":
			continue
		case "retention":
			err := e.store.VerifyMessage(ctx, le.MessageID)
			var perr *mailstore.PartialError
			if errors.As(err, &perr) {
				continue // headers only: the server's copy is the only full one
			}
			if err != nil {
				return nil, fmt.Errorf("checking the local copy of %s before deleting it on the server: %w", u.UID, err)
			}
			m, err := e.store.Message(ctx, le.MessageID)
			if err != nil {
				return nil, err
			}
			if le.SHA256 == "" || m.SHA256 != le.SHA256 {
				continue // the local copy is not the bytes downloaded under this UIDL
			}
		}
		dele = append(dele, u)
	}
	return dele, nil
}

// deletable loads the ledger rows that can be due now (none but requested ones when kept
// forever); deleteReason still decides for each.
func (e *Engine) deletable(ctx context.Context, a *mailstore.Account, now time.Time) (map[string]mailstore.LedgerEntry, error) {
	var seenBy *time.Time
	if !a.KeepForever {
		t := now.Add(-time.Duration(a.LeaveDays) * day)
		seenBy = &t
	}
	return e.store.LedgerDeletable(ctx, a.ID, seenBy)
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
