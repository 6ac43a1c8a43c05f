package pop3

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// Retr retrieves message id and streams it to fn. The reader yields the
// message exactly as stored: dot-unstuffed, line ends (normally CRLF) kept
// byte for byte, without the terminating ".\r\n". Lines of any length are
// streamed, never buffered whole.
//
// The reader is valid only until fn returns and fn must not call other
// Client methods (they fail). If fn returns before the end of the message,
// the rest is read and discarded to keep the session usable; if that fails
// the connection is closed and the error returned. fn's own error is
// returned as is.
func (c *Client) Retr(ctx context.Context, id int, fn func(r io.Reader) error) error {
	if id <= 0 {
		return fmt.Errorf("%w: RETR message number %d", ErrInvalidArgument, id)
	}
	end, err := c.start(ctx, "RETR")
	if err != nil {
		return err
	}
	defer end()
	if err := c.send(ctx, "RETR", strconv.Itoa(id)); err != nil {
		return err
	}
	return c.readMessage(ctx, "RETR", fn)
}

// Top retrieves the header of message id and the first lines lines of its
// body (RFC 1939 TOP; optional, see Capabilities.Top), streamed to fn
// exactly like Retr. lines 0 gives the header and the blank line after it.
func (c *Client) Top(ctx context.Context, id, lines int, fn func(r io.Reader) error) error {
	if id <= 0 || lines < 0 {
		return fmt.Errorf("%w: TOP message number %d, lines %d", ErrInvalidArgument, id, lines)
	}
	end, err := c.start(ctx, "TOP")
	if err != nil {
		return err
	}
	defer end()
	if err := c.send(ctx, "TOP", strconv.Itoa(id), strconv.Itoa(lines)); err != nil {
		return err
	}
	return c.readMessage(ctx, "TOP", fn)
}

// readMessage reads the status line and the multi-line body of a RETR or TOP
// reply, streaming the body to fn (see Retr).
func (c *Client) readMessage(ctx context.Context, cmd string, fn func(r io.Reader) error) error {
	// The status line counts against the reply's bound too.
	defer func(old bool) { c.extend = old }(c.extend)
	c.extend = true
	c.limitReply()
	defer c.unlimitReads()
	if _, err := c.readStatus(ctx, cmd); err != nil {
		return err
	}
	return c.readBody(ctx, cmd, fn)
}

// readBody reads the multi-line body after a +OK to RETR or TOP, streaming
// it to fn (see Retr).
func (c *Client) readBody(ctx context.Context, cmd string, fn func(r io.Reader) error) error {
	// Restored rather than cleared: a pipelined batch keeps extending
	// between messages.
	defer func(old bool) { c.extend = old }(c.extend)
	c.extend = true
	d := &dotReader{c: c, ctx: ctx, cmd: cmd}
	fnErr := c.callback(d, fn)
	if fnErr != nil {
		c.startDrain()
	}
	if d.err == nil && !d.done {
		var r io.Reader = d
		if c.drainOn {
			r = io.LimitReader(d, c.drainLeft)
		}
		n, err := io.Copy(io.Discard, r)
		switch {
		case err != nil && d.err == nil:
			d.err = c.fail(fmt.Errorf("pop3: %s: %w", cmd, err))
		case c.drainOn:
			c.drainLeft -= n
			if d.err == nil && !d.done {
				d.err = c.fail(fmt.Errorf("pop3: %s: %w", cmd, &DrainLimitError{Limit: c.maxDrain}))
			}
		}
	}
	if !c.inBatch {
		c.drainOn = false
	}
	d.detached = true
	switch {
	case fnErr == nil:
		return d.err
	case d.err != nil && !errors.Is(fnErr, d.err):
		return errors.Join(fnErr, d.err)
	default:
		return fnErr
	}
}

// startDrain starts bounding what is thrown away after a failure, unless a
// drain is already going (a pipelined batch discarding its later replies).
func (c *Client) startDrain() {
	if !c.drainOn {
		c.drainOn, c.drainLeft = true, c.maxDrain
	}
}

// callback runs fn, making sure a panic in it does not leave the client
// thinking it is still inside a callback or in step with the server.
func (c *Client) callback(d *dotReader, fn func(io.Reader) error) (err error) {
	c.inCallback.Store(true)
	completed := false
	defer func() {
		c.inCallback.Store(false)
		if !completed {
			c.fail(fmt.Errorf("pop3: %s: callback panicked", d.cmd))
		}
	}()
	if fn != nil {
		err = fn(d)
	}
	completed = true
	return err
}

var errDetached = errors.New("pop3: RETR/TOP reader used after the callback returned")

// dotReader decodes a multi-line reply (RFC 1939 byte-stuffing) as a stream.
// It works byte-wise at line starts and copies whole buffered runs inside
// lines, so line length does not matter.
type dotReader struct {
	c        *Client
	ctx      context.Context
	cmd      string // RETR or TOP, for errors
	state    int
	n        int64 // octets delivered, for the transcript
	done     bool
	detached bool
	err      error
}

const (
	stBOL   = iota // at the beginning of a line
	stDot          // after a '.' at the beginning of a line
	stDotCR        // after ".\r" at the beginning of a line
	stData         // inside a line
)

func (d *dotReader) Read(p []byte) (int, error) {
	switch {
	case d.detached:
		return 0, errDetached
	case d.err != nil:
		return 0, d.err
	case d.done:
		return 0, io.EOF
	}
	br := d.c.br
	n := 0
	for n < len(p) && !d.done {
		// Hand over what we have rather than block for more.
		if n > 0 && br.Buffered() == 0 {
			break
		}
		if d.state == stData && br.Buffered() > 0 {
			buf, _ := br.Peek(min(br.Buffered(), len(p)-n))
			if i := bytes.IndexByte(buf, '\n'); i >= 0 {
				buf = buf[:i+1]
				d.state = stBOL
			}
			n += copy(p[n:], buf)
			br.Discard(len(buf))
			continue
		}
		b, err := br.ReadByte()
		if err != nil {
			d.n += int64(n)
			d.err = d.c.ioFail(d.ctx, d.cmd, err)
			return n, d.err
		}
		switch d.state {
		case stData:
			p[n] = b
			n++
			if b == '\n' {
				d.state = stBOL
			}
		case stBOL:
			switch b {
			case '.':
				d.state = stDot
			case '\n':
				p[n] = b
				n++
			default:
				p[n] = b
				n++
				d.state = stData
			}
		case stDot:
			switch b {
			case '\r':
				d.state = stDotCR
			case '\n': // ".\n": a sloppy terminator
				d.done = true
			default: // a stuffed dot: drop it
				p[n] = b
				n++
				d.state = stData
			}
		case stDotCR:
			if b == '\n' {
				d.done = true
				break
			}
			// ".\r" not followed by LF: the dot was stuffed.
			p[n] = '\r'
			n++
			br.UnreadByte()
			d.state = stData
		}
	}
	d.n += int64(n)
	if d.done {
		if d.c.debug != nil {
			d.c.logf("S: [" + strconv.FormatInt(d.n, 10) + " octets of message data]\nS: .\n")
		}
		return n, io.EOF
	}
	return n, nil
}
