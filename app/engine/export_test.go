package engine

import (
	"context"

	"github.com/pouchmail/pouch/mailstore"
)

// SetPollerFetch replaces the session a poller runs, so the state machine can be tested
// without a server. Call it before Start.
func SetPollerFetch(p *Poller, fn func(context.Context, *mailstore.Account, func(Progress)) Result) {
	p.fetch = fn
}

// DeleteReason exposes the retention decision for table tests.
var DeleteReason = deleteReason
