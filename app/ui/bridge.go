package ui

import (
	"context"
)

// bridge is the only way work leaves and re-enters the UI goroutine: run does I/O on a new
// goroutine and hands the outcome back through fyne.Do, so no callback ever waits on I/O.
type bridge struct {
	ctx context.Context
	// queue runs a function on the UI goroutine: fyne.Do, or a test's single-goroutine queue
	// (Fyne's test driver runs fyne.Do on the caller's goroutine, which the race detector flags).
	queue func(func())
	// idle is told of each result: the heap is given back once they stop (idle.go); nil in
	// tests.
	idle *idleRelease
}

// run calls work off the UI goroutine, then done on it.
func (b bridge) run(work func(ctx context.Context) error, done func(error)) {
	go func() {
		err := work(b.ctx)
		b.idle.poke()
		b.queue(func() { done(err) })
	}()
}

// start is run with a context of the work's own, which the returned function cancels (a dialog
// that closes stops its lookups); done still runs on the UI goroutine, with the work's error.
func (b bridge) start(work func(ctx context.Context) error, done func(error)) (cancel func()) {
	ctx, cancel := context.WithCancel(b.ctx)
	go func() {
		err := work(ctx)
		cancel()
		b.idle.poke()
		b.queue(func() { done(err) })
	}()
	return cancel
}

// do queues fn on the UI goroutine; for progress reports from background work.
func (b bridge) do(fn func()) {
	b.idle.poke()
	b.queue(fn)
}

// inOrder runs work on a bridge one after another, in the order asked: writes that must reach
// the store in the order the user made them (goroutines started in turn may run in any order).
// Its run is called on the UI goroutine only.
type inOrder struct {
	last chan struct{} // closed when the work asked last has finished
}

// run is bridge.run, with work starting once the work asked before it has finished.
func (o *inOrder) run(b bridge, work func(ctx context.Context) error, done func(error)) {
	prev, mine := o.last, make(chan struct{})
	o.last = mine
	b.run(func(ctx context.Context) error {
		defer close(mine)
		if prev != nil {
			select {
			case <-prev:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return work(ctx)
	}, done)
}
