package pop3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync/atomic"
)

// Pipelining windows: how many commands may await their reply at once
// (RFC 2449 §6.6). Bounded so that a slow callback or a server that stops
// reading holds up at most this many commands (a few KB of command bytes,
// written from their own goroutine). RETR is deep enough to keep a link
// with tens of milliseconds of round trip busy with ~10 KB messages.
const (
	retrWindow = 128
	deleWindow = 64
)

// RetrMany retrieves the messages ids in order, streaming each to fn as Retr
// does. When the server offers PIPELINING (and Options.ForceLockstep is not
// set) up to a bounded number of RETR commands are sent ahead of the
// replies, which removes a round trip per message; otherwise each command
// waits for the previous reply. The bytes delivered are the same either way.
//
// The first error stops the batch: an *Error for a refused RETR, fn's own
// error, or a network or protocol error. After an *Error or an fn error the
// replies to commands already sent are read and discarded, so the session
// stays usable; fn is not called for any later message. Capabilities
// are read (CAPA) first if not already known.
func (c *Client) RetrMany(ctx context.Context, ids []int, fn func(id int, r io.Reader) error) error {
	return c.pipeline(ctx, "RETR", ids, retrWindow, func(ctx context.Context, id int) error {
		return c.readBody(ctx, "RETR", func(r io.Reader) error {
			if fn == nil {
				return nil
			}
			return fn(id, r)
		})
	}, func(ctx context.Context) error {
		return c.readBody(ctx, "RETR", nil)
	})
}

// DeleMany marks the messages ids as deleted, pipelined like RetrMany. As
// with Dele, nothing is removed until Quit succeeds. It stops at the first
// refusal and returns it as an *Error; the commands already sent by then
// may have marked some later ids too, so on error call Rset (or Close
// without Quit) unless a partial deletion is acceptable.
func (c *Client) DeleMany(ctx context.Context, ids []int) error {
	return c.pipeline(ctx, "DELE", ids, deleWindow, nil, nil)
}

// pipeline sends "cmd id" for each id from a writer goroutine, at most
// window ahead of the replies, while this goroutine reads the replies: the
// status line, then, after a +OK, the rest with body (nil for single-line
// replies). Reading and writing at the same time means a full socket buffer
// on either side can never deadlock the two peers. Without PIPELINING the
// window is 1: lockstep, with the same bytes on the wire. After a refusal
// or an error from body, discard reads what follows a +OK to a command
// already sent.
//
// A reply to a command that has not been sent yet is a *ProtocolError: the
// server is not answering these commands, and the reader must not wait for
// a command that may never be sent (the writer stops when the connection
// fails).
func (c *Client) pipeline(ctx context.Context, cmd string, ids []int, window int,
	body func(ctx context.Context, id int) error, discard func(ctx context.Context) error) error {
	for _, id := range ids {
		if id <= 0 {
			return fmt.Errorf("%w: %s message number %d", ErrInvalidArgument, cmd, id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	pipelined := false
	if !c.lockstep {
		// Cached since the last login or STLS, so normally free.
		caps, err := c.Capabilities(ctx)
		if err != nil {
			return err
		}
		pipelined = caps.Pipelining
	}
	end, err := c.start(ctx, cmd)
	if err != nil {
		return err
	}
	defer end()
	if !pipelined {
		window = 1
	}

	w := &pipeWriter{c: c, cmd: cmd, ids: ids, slots: make(chan struct{}, window),
		stop: make(chan struct{}), done: make(chan struct{})}
	go w.run()
	stopped := false
	stopWriter := func() {
		if !stopped {
			stopped = true
			close(w.stop)
			<-w.done // the writer's flush ends on its deadline, ctx or Close
		}
	}
	defer stopWriter()

	defer func(old bool) { c.extend = old }(c.extend)
	c.extend = true // the batch may take long; each read must progress
	c.inBatch = true
	defer func() { c.inBatch, c.drainOn = false, false }()
	defer c.unlimitReads()
	for i, id := range ids {
		// Each reply has its own bound: a fast message lends nothing to a
		// trickling one after it.
		c.limitReply()
		err := c.pipeReply(ctx, cmd, w, i)
		if err == nil && body != nil {
			err = body(ctx, id)
		}
		if err == nil {
			err = c.pipeRelease(ctx, cmd, w)
		}
		if err == nil {
			continue
		}
		if c.closed.Load() {
			stopWriter()
			return c.pipeFailure(ctx, cmd, pipelined, err, w)
		}
		// A refusal or the callback's error: send nothing more, and read the
		// replies to what was already sent to stay in step, within the
		// drain budget.
		stopWriter()
		c.startDrain()
		if w.err != nil {
			return c.ioFail(ctx, cmd, w.err)
		}
		for range w.sent - (i + 1) {
			c.limitReply()
			derr := c.pipeDiscard(ctx, cmd, discard)
			if derr == nil {
				continue
			}
			var e *Error
			if !errors.As(derr, &e) {
				return errors.Join(err, derr)
			}
		}
		return err
	}
	stopWriter()
	if w.err != nil {
		// Every reply came, yet the last write failed: the connection is
		// in an unknown state, though the batch itself is complete.
		c.ioFail(ctx, cmd, w.err)
	}
	return nil
}

// pipeReply reads the status line of reply i and makes sure command i had
// been sent when it came.
func (c *Client) pipeReply(ctx context.Context, cmd string, w *pipeWriter, i int) error {
	// Bytes already buffered arrived before command i left, if it has not.
	// Checked before reading, since reading may wait for the command.
	if w.issued.Load() <= int64(i) && c.br.Buffered() > 0 {
		peek, _ := c.br.Peek(min(c.br.Buffered(), excerptLen))
		return c.fail(protoErr(cmd, errAhead, peek))
	}
	_, err := c.readStatus(ctx, cmd)
	var e *Error
	if err != nil && !errors.As(err, &e) {
		return err
	}
	if w.issued.Load() <= int64(i) {
		// issued is stored before the bytes are written, so this is not a
		// race with a reply the server sent quickly.
		return c.fail(protoErr(cmd, errAhead, nil))
	}
	return err
}

// errAhead is the reason for a reply to a command not yet sent.
const errAhead = "server replied ahead of the commands sent"

// pipeRelease frees the window slot of a command whose reply has been read.
// The writer took the slot before sending the command, so after pipeReply
// it is there; done and ctx make sure this can never wait forever anyway.
func (c *Client) pipeRelease(ctx context.Context, cmd string, w *pipeWriter) error {
	select {
	case <-w.slots:
		return nil
	default:
	}
	select {
	case <-w.slots:
		return nil
	case <-w.done:
		select {
		case <-w.slots:
			return nil
		default:
			return c.fail(protoErr(cmd, errAhead, nil))
		}
	case <-ctx.Done():
		return c.fail(fmt.Errorf("pop3: %s: %w", cmd, ctx.Err()))
	}
}

// pipeDiscard reads and drops one reply to a command sent before the batch
// stopped.
func (c *Client) pipeDiscard(ctx context.Context, cmd string, discard func(ctx context.Context) error) error {
	if _, err := c.readStatus(ctx, cmd); err != nil || discard == nil {
		return err
	}
	return discard(ctx)
}

// pipeFailure explains a connection-level failure during a batch: a write
// error found by the writer, or a server that advertised PIPELINING but
// stopped answering pipelined commands.
func (c *Client) pipeFailure(ctx context.Context, cmd string, pipelined bool, err error, w *pipeWriter) error {
	if w.err != nil && !errors.Is(w.err, os.ErrDeadlineExceeded) && !errors.Is(err, ErrClosed) && contextError(ctx, err) == nil {
		err = errors.Join(err, fmt.Errorf("pop3: %s: sending: %w", cmd, w.err))
	}
	if pipelined && w.sent > 1 && errors.Is(err, os.ErrDeadlineExceeded) && contextError(ctx, err) == nil &&
		!errors.As(err, new(*SlowReplyError)) {
		return fmt.Errorf("pop3: %s: no reply to pipelined commands; the server advertises PIPELINING but may not support it (try Options.ForceLockstep): %w", cmd, err)
	}
	return err
}

// pipeWriter is the sending half of a pipelined batch. It owns c.bw while
// it runs; the reading goroutine owns everything else.
type pipeWriter struct {
	c     *Client
	cmd   string
	ids   []int
	slots chan struct{} // one token per command awaiting its reply
	stop  chan struct{}
	done  chan struct{}

	// issued counts the commands that may have reached the server: stored
	// before each flush, so a reply beyond it answers a command not sent.
	issued atomic.Int64

	// Read by the owner after done is closed.
	sent int   // commands flushed to the connection
	err  error // write failure
}

func (w *pipeWriter) run() {
	defer close(w.done)
	queued := 0 // commands in c.bw not yet flushed
	flush := func() bool {
		if queued == 0 {
			return true
		}
		w.issued.Store(int64(w.sent + queued))
		w.c.extendWriteDeadline()
		if err := w.c.bw.Flush(); err != nil {
			// The connection stays open: the replies already received
			// are still read and checked, and the reader, which never
			// waits on the writer alone, reports the failure.
			w.err = err
			return false
		}
		w.sent += queued
		queued = 0
		return true
	}
	for _, id := range w.ids {
		select {
		case <-w.stop:
			w.c.bw.Reset(connWriter{w.c}) // never send what was not flushed
			return
		case w.slots <- struct{}{}:
		default:
			// The window is full: send what is queued, then wait for a reply.
			if !flush() {
				return
			}
			select {
			case <-w.stop:
				return
			case w.slots <- struct{}{}:
			}
		}
		arg := strconv.Itoa(id)
		line := w.cmd + " " + arg + "\r\n"
		// Flush before bufio would on its own, so that sent counts
		// exactly the commands that went out.
		if len(line) > w.c.bw.Available() && !flush() {
			return
		}
		w.c.bw.WriteString(line)
		w.c.logCommand(w.cmd, []string{arg})
		queued++
	}
	flush()
}

// extendWriteDeadline gives the next write a full timeout, for batches that
// outlast one.
func (c *Client) extendWriteDeadline() {
	c.dl.mu.Lock()
	defer c.dl.mu.Unlock()
	if c.dl.ctx != nil && !c.dl.cancelled {
		_ = c.dl.conn.SetWriteDeadline(deadline(c.dl.ctx, c.timeout))
	}
}
