package ui

import (
	"context"
	"sync"

	"fyne.io/fyne/v2"

	"github.com/pouchmail/pouch/app/engine"
)

// FakePoller stands in for the engine's poller in tests: it records requests and emits the
// events a test asks for, from its own goroutine as the real one does.
type FakePoller struct {
	mu      sync.Mutex
	checks  []string
	reloads int
	onEvent func(pollEvent)
}

func (p *FakePoller) Start(context.Context) {}
func (p *FakePoller) Stop()                 {}
func (p *FakePoller) Status() []accountStatus {
	return nil
}
func (p *FakePoller) CheckNow(a string) { p.mu.Lock(); p.checks = append(p.checks, a); p.mu.Unlock() }
func (p *FakePoller) Reload()           { p.mu.Lock(); p.reloads++; p.mu.Unlock() }

// Checks returns the accounts CheckNow was called for.
func (p *FakePoller) Checks() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.checks...)
}

// EmitStatus reports an account's status as the poller does after a session.
func (p *FakePoller) EmitStatus(account, lastError, kind string, stopped bool) {
	go p.onEvent(pollEvent{kind: pollStatus, account: account,
		status: accountStatus{Account: account, LastError: lastError, ErrorKind: kind, Stopped: stopped}})
}

// EmitFinished reports a finished session.
func (p *FakePoller) EmitFinished(r engine.Result) {
	go p.onEvent(pollEvent{kind: pollFinished, account: r.Account, result: &r})
}

// NewWithQueue builds the window with a custom UI queue and a fake poller, for tests.
func NewWithQueue(ctx context.Context, a fyne.App, e *engine.Engine, queue func(func())) (*MainWindow, *FakePoller) {
	fp := &FakePoller{}
	m := newMainWindow(ctx, a, e, queue, func(_ *engine.Engine, onEvent func(pollEvent)) poller {
		fp.onEvent = onEvent
		return fp
	})
	return m, fp
}

// NewMailNotification exposes the notification text.
var NewMailNotification = newMailNotification

// ColonHex exposes the fingerprint layout.
var ColonHex = colonHex
