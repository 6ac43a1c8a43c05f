package engine

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/pouchmail/pouch/pop3"
)

// Ledger states of a listed message, for the diff.
const (
	notInLedger uint8 = iota
	inLedgerNotDone
	inLedgerDone
)

// diff compares the server's listing with the account's ledger. todo are the messages to
// download (new, or known but not downloaded yet), in server order; unseen the UIDLs new to the
// ledger; known the number of ledger rows. The listing is sorted once and merged with the ledger
// streamed in the same order, so the ledger is never held in memory: a mailbox of 100,000
// messages left on the server costs two small arrays, not two maps of strings. pop3 refuses a
// listing with a duplicate UIDL, so each UIDL here is listed once.
func (e *Engine) diff(ctx context.Context, accountID int64, uidls []pop3.UIDL) (todo []pop3.UIDL, unseen []string, known int, err error) {
	order := make([]int32, len(uidls))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(x, y int32) int { return strings.Compare(uidls[x].UID, uidls[y].UID) })
	state := make([]uint8, len(uidls))
	j, prev := 0, []byte(nil)
	err = e.store.EachLedgerKnown(ctx, accountID, func(u []byte, done bool) error {
		if known > 0 && bytes.Compare(u, prev) <= 0 {
			// The merge needs both sides in the same order; never guess.
			return fmt.Errorf("ledger rows out of order (%q after %q)", u, prev)
		}
		known++
		prev = append(prev[:0], u...)
		for j < len(order) && uidls[order[j]].UID < string(u) {
			j++
		}
		if j < len(order) && uidls[order[j]].UID == string(u) {
			state[order[j]] = inLedgerNotDone
			if done {
				state[order[j]] = inLedgerDone
			}
			j++
		}
		return nil
	})
	if err != nil {
		return nil, nil, 0, err
	}
	for i, u := range uidls {
		switch state[i] {
		case notInLedger:
			unseen = append(unseen, u.UID)
			todo = append(todo, u)
		case inLedgerNotDone:
			todo = append(todo, u)
		}
	}
	return todo, unseen, known, nil
}
