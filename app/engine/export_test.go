package engine

import (
	"context"
	"os"
	"path/filepath"

	"github.com/pouchmail/pouch/mailstore"
)

// SetPollerFetch replaces the session a poller runs, so the state machine can be tested
// without a server. Call it before Start.
func SetPollerFetch(p *Poller, fn func(context.Context, *mailstore.Account, func(Progress)) Result) {
	p.fetch = fn
}

// DeleteReason exposes the retention decision for table tests.
var DeleteReason = deleteReason

// SendWindowRequest sends a raw request with token to a window's address.
func SendWindowRequest(ctx context.Context, addr, token string) error {
	dir, err := os.MkdirTemp("", "pouch-window")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	f := filepath.Join(dir, "window.addr")
	if err := os.WriteFile(f, []byte(addr+" "+token+"\n"), 0o600); err != nil {
		return err
	}
	return sendWindowRequest(ctx, f, nil)
}
