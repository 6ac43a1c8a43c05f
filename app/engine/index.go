package engine

import (
	"context"
	"time"
)

// The full-text index is kept off the download path: a session commits messages unindexed, an
// indexer fills the index on its own goroutine (its own pooled connection) while the session
// downloads, and stops when the session ends without waiting for the backlog. What is left is
// caught up after the session: by the poller's index loop in the window, and by Search before
// it searches. Result.Unsearchable says how much was left.

// indexPending indexes one batch of the backlog. Every path that indexes goes through here or
// catchUp, so that what must follow indexing (indexed) runs whichever path indexed.
func (e *Engine) indexPending(ctx context.Context, batch int) (int, error) {
	n, err := e.store.IndexPending(ctx, batch)
	if err == nil && n > 0 {
		e.indexed(ctx)
	}
	return n, err
}

// indexed runs after each batch of messages became searchable: the place for work that needs a
// message's indexed text. The rules for incoming mail run here (rules.go): a condition may name
// body text, so a fetched message waits for them until it is indexed.
func (e *Engine) indexed(ctx context.Context) { e.runPendingRules(ctx) }

// catchUp drains the backlog, reporting progress after each batch (total is the backlog when it
// started), and returns how many messages it indexed.
func (e *Engine) catchUp(ctx context.Context, progress func(done, total int)) (int, error) {
	// Messages stored before conversations existed are threaded on the first catch-up
	// (ThreadBackfill is one indexed look-up when none is left).
	if _, err := e.ThreadBackfill(ctx); err != nil {
		return 0, err
	}
	n, err := e.store.IndexAll(ctx, func(done, total int) {
		e.indexed(ctx)
		if progress != nil {
			progress(done, total)
		}
	})
	if err == nil && n == 0 {
		// Nothing to index: work left over from an interrupted run (mail indexed, its rules
		// not run before a crash) is done now rather than with the next new mail.
		e.indexed(ctx)
	}
	return n, err
}

// Unsearchable returns how many stored messages are not yet in the search index.
func (e *Engine) Unsearchable(ctx context.Context) (int, error) {
	return e.store.IndexBacklog(ctx)
}

const (
	// indexPoll is how often the session's indexer looks for newly committed messages.
	indexPoll = 100 * time.Millisecond
	// sessionIndexBatch is smaller than a catch-up's batch: the session's indexer stops after
	// the batch it is in when the session ends, and the fetch waits for that.
	sessionIndexBatch = 50
)

// indexer fills the full-text index from the backlog while a session downloads.
type indexer struct {
	stop chan struct{}
	done chan struct{}
	err  error
}

func (e *Engine) startIndexer(ctx context.Context) *indexer {
	ix := &indexer{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(ix.done)
		for {
			select {
			case <-ix.stop:
				return
			default:
			}
			n, err := e.indexPending(ctx, sessionIndexBatch)
			if err != nil {
				ix.err = err
				return
			}
			if n > 0 {
				continue
			}
			select {
			case <-ix.stop:
				return
			case <-time.After(indexPoll):
			case <-ctx.Done():
				return
			}
		}
	}()
	return ix
}

// finish stops the indexer after the batch it is in, without draining the backlog.
func (ix *indexer) finish() error {
	close(ix.stop)
	<-ix.done
	return ix.err
}
