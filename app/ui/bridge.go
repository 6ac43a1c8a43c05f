package ui

import (
	"context"

	"fyne.io/fyne/v2"
)

// bridge is the only way work leaves and re-enters the UI goroutine: run does I/O on a new
// goroutine and hands the outcome back through fyne.Do, so no callback ever waits on I/O.
type bridge struct {
	ctx context.Context
}

// run calls work off the UI goroutine, then done on it.
func (b bridge) run(work func(ctx context.Context) error, done func(error)) {
	go func() {
		err := work(b.ctx)
		fyne.Do(func() { done(err) })
	}()
}

// do queues fn on the UI goroutine; for progress reports from background work.
func (b bridge) do(fn func()) { fyne.Do(fn) }
