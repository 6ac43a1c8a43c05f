package ui

import (
	"context"
	"sync"

	"fyne.io/fyne/v2"

	"github.com/pouchmail/pouch/app/engine"
)

// FakePoller stands in for the engine's poller in tests: it records the checks asked for.
type FakePoller struct {
	mu     sync.Mutex
	checks []string
}

func (p *FakePoller) CheckNow(a string) { p.mu.Lock(); p.checks = append(p.checks, a); p.mu.Unlock() }
func (p *FakePoller) Reload()           {}

// Checks returns the accounts CheckNow was called for.
func (p *FakePoller) Checks() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.checks...)
}

// Emit reports ev to the window as the poller does: from a goroutine of its own.
func Emit(m *MainWindow, ev engine.Event) { go m.onPollEvent(ev) }

// NewWithQueue builds the window with a custom UI queue and a fake poller, for tests.
func NewWithQueue(ctx context.Context, a fyne.App, e *engine.Engine, queue func(func())) (*MainWindow, *FakePoller) {
	fp := &FakePoller{}
	return newMainWindow(ctx, a, e, queue, fp), fp
}

// NewMailNotification exposes the notification text.
var NewMailNotification = newMailNotification

// ColonHex exposes the fingerprint layout.
var ColonHex = colonHex
