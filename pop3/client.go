package pop3

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pouchmail/pouch/internal/mailtls"
)

// DefaultTimeout is the deadline for each command and each read when
// Options.Timeout is zero.
const DefaultTimeout = 60 * time.Second

// Defaults for the bounds on a UIDL or LIST listing: 64 MiB holds the UIDL
// listing of about a million messages, and ten minutes lets it arrive at
// about 1 Mbit/s.
const (
	DefaultListingTimeout  = 10 * time.Minute
	DefaultMaxListingBytes = 64 << 20
)

// DefaultMinRate is the default Options.MinRate: 1 KiB/s (8 kbit/s), below
// what even GPRS carries. A link slower than that on average is too slow for
// mail anyway, while a server that trickles a byte now and then is given up
// on after about one Timeout.
const DefaultMinRate = 1 << 10

// Options configures a Client. A nil *Options means the defaults.
type Options struct {
	// TLSConfig is used for implicit TLS and STLS. nil means the system
	// roots; an empty ServerName is taken from the host part of the address
	// dialed (or of the connection's remote address for NewClient).
	TLSConfig *tls.Config
	// Timeout bounds each command and each read: a reply, or the next chunk
	// of a long one, must arrive within it. 0 means DefaultTimeout.
	Timeout time.Duration
	// MinRate bounds each message (RETR, TOP) and each pipelined reply as a
	// whole, in bytes per second: the time spent waiting for its bytes may
	// be at most Timeout (a grace, for the server to start) plus the bytes
	// received so far divided by MinRate. A reply that keeps trickling in,
	// each read within Timeout, then ends with a *SlowReplyError and the
	// connection is closed. A rate rather than a fixed time per message:
	// how long a legitimate message takes grows with its size, which is not
	// known beforehand (LIST sizes are hints), so a big message on a slow
	// link never fails while it arrives above MinRate on average. Time the
	// caller spends in a Retr callback is not counted. 0 means
	// DefaultMinRate.
	MinRate int64
	// DebugWriter, if set, receives a transcript of the session. The PASS
	// argument, the APOP digest and every AUTH payload (the initial response
	// and the SASL exchange both ways) are replaced by "[redacted]", but the
	// transcript still holds user names and listings: treat it as private.
	// Message bodies are summarized, not copied. Writes are serialized.
	DebugWriter io.Writer
	// PinnedSHA256, if set, is the hex SHA-256 of the DER form of the one
	// server certificate to trust (colons and either case accepted). The
	// connection is then accepted if and only if the server's leaf
	// certificate matches, whatever its issuer, names or dates: the user has
	// looked at this very certificate and chosen to trust it. A mismatch is
	// a *TLSError of Kind TLSPinMismatch. A malformed value fails Dial*
	// before connecting.
	PinnedSHA256 string
	// ForceLockstep turns pipelining off for RetrMany and DeleMany even
	// when the server advertises PIPELINING, for servers that claim it but
	// get it wrong.
	ForceLockstep bool
	// ListingTimeout bounds a whole UIDL or LIST listing, however steadily
	// its lines arrive (Timeout only bounds the wait for each read). 0
	// means DefaultListingTimeout.
	ListingTimeout time.Duration
	// MaxListingBytes bounds the size of a UIDL or LIST listing; a longer
	// one is a *ProtocolError. 0 means DefaultMaxListingBytes.
	MaxListingBytes int64
	// MaxDrainBytes bounds what is read and thrown away after a RETR or TOP
	// failed (the callback's error, or a refusal in a pipelined batch): the
	// rest of the message and the replies to commands already sent. Past it
	// the connection is closed rather than read on, so one huge unwanted
	// message cannot hold a session. 0 means DefaultMaxDrainBytes.
	MaxDrainBytes int64
}

// DefaultMaxDrainBytes is the default Options.MaxDrainBytes.
const DefaultMaxDrainBytes = 16 << 20

func (o *Options) maxDrainBytes() int64 {
	if o == nil || o.MaxDrainBytes <= 0 {
		return DefaultMaxDrainBytes
	}
	return o.MaxDrainBytes
}

func (o *Options) timeout() time.Duration {
	if o == nil || o.Timeout <= 0 {
		return DefaultTimeout
	}
	return o.Timeout
}

func (o *Options) minRate() int64 {
	if o == nil || o.MinRate <= 0 {
		return DefaultMinRate
	}
	return o.MinRate
}

func (o *Options) listingTimeout() time.Duration {
	if o == nil || o.ListingTimeout <= 0 {
		return DefaultListingTimeout
	}
	return o.ListingTimeout
}

func (o *Options) maxListingBytes() int64 {
	if o == nil || o.MaxListingBytes <= 0 {
		return DefaultMaxListingBytes
	}
	return o.MaxListingBytes
}

// Client is a connection to a POP3 server. Commands run in lockstep; calls
// from several goroutines are serialized, except that calls made while a
// Retr callback runs fail instead of waiting (waiting would deadlock a
// callback that calls back into the Client). A call waiting for its turn
// gives up when its ctx is done or the Client is closed. Close may be
// called at any time from any goroutine to abort.
type Client struct {
	timeout    time.Duration
	minRate    int64         // Options.MinRate
	listing    listingLimits // for UIDL and LIST
	tlsConfig  *tls.Config
	serverName string // for STLS when tlsConfig has no ServerName
	pin        []byte // Options.PinnedSHA256 decoded; nil if none
	lockstep   bool   // Options.ForceLockstep
	debug      io.Writer
	debugMu    sync.Mutex // the pipeline writer logs from its own goroutine

	br *bufio.Reader
	bw *bufio.Writer

	greeting string
	apop     string        // APOP timestamp from the greeting; dropped by STLS; guarded by mu
	utf8     atomic.Bool   // the UTF8 command (RFC 6856) was accepted
	nonce    func() string // SCRAM client nonce; nil means random (tests fix it)

	inCallback atomic.Bool // a Retr callback is running
	closed     atomic.Bool // the connection is closed (Close, Quit or failure)

	// mu is the command lock, a channel so that waiting for it can end
	// with ctx or Close: the holder may take as long as its server lets
	// it. It guards the fields below.
	mu     chan struct{}
	shut   chan struct{} // closed with the connection
	err    error         // why the connection became unusable, if it did
	caps   *Capabilities // CAPA cache, dropped when the state changes
	extend bool          // extend the read deadline on every read (long replies)

	// Draining after a failure: what may still be thrown away (drainLeft)
	// while drainOn; maxDrain is Options.MaxDrainBytes. inBatch keeps a
	// drain going across the replies of a pipelined batch.
	maxDrain  int64
	drainLeft int64
	drainOn   bool
	inBatch   bool

	// dl coordinates deadlines with context cancellation, which fires from
	// another goroutine.
	dl struct {
		mu        sync.Mutex
		conn      net.Conn // swapped for a *tls.Conn by StartTLS
		gen       uint64   // bumped per command so a late AfterFunc is ignored
		ctx       context.Context
		cancelled bool
		// limit bounds the time spent waiting for one reply, so that a
		// reply trickling in forever still ends (limitReads).
		limit readLimit
	}
}

// readLimit bounds the time spent waiting for the bytes of one reply: at
// most grace, plus one second per rate bytes received (rate 0: grace alone).
// Only waiting for the server counts, so a slow caller is never blamed on
// the server.
type readLimit struct {
	on     bool
	grace  time.Duration
	rate   int64  // bytes per second; 0 for a fixed bound
	why    string // the setting behind the bound, for the error
	waited time.Duration
	bytes  int64
	capped bool // the current read's deadline is the limit's, not Timeout's
}

// allowed is the time the reply may have taken so far.
func (l *readLimit) allowed() time.Duration {
	if l.rate <= 0 {
		return l.grace
	}
	// In float: bytes * time.Second overflows past 9 GB, and the sum is capped.
	d := float64(l.grace) + float64(l.bytes)/float64(l.rate)*float64(time.Second)
	return time.Duration(min(d, float64(maxDuration)))
}

const maxDuration = time.Duration(1<<63 - 1)

// Dial connects to addr ("host:port", usually port 110) over plain TCP and
// reads the greeting. Use DialStartTLS or DialTLS unless the network is
// trusted: USER/PASS credentials are sent in the clear.
func Dial(ctx context.Context, addr string, opts *Options) (*Client, error) {
	if _, err := opts.pin(); err != nil {
		return nil, err
	}
	conn, err := dial(ctx, addr, opts)
	if err != nil {
		return nil, err
	}
	return newClient(ctx, conn, opts, hostOf(addr))
}

// DialTLS connects to addr (usually port 995) with implicit TLS (RFC 8314)
// and reads the greeting. A certificate problem is a *TLSError.
func DialTLS(ctx context.Context, addr string, opts *Options) (*Client, error) {
	pin, err := opts.pin()
	if err != nil {
		return nil, err
	}
	conn, err := dial(ctx, addr, opts)
	if err != nil {
		return nil, err
	}
	host := hostOf(addr)
	var cfg *tls.Config
	if opts != nil {
		cfg = opts.TLSConfig
	}
	tc := tls.Client(conn, mailtls.Config(cfg, host, pin))
	_ = conn.SetDeadline(deadline(ctx, opts.timeout()))
	if err := tc.HandshakeContext(ctx); err != nil {
		conn.Close()
		return nil, handshakeError(ctx, err)
	}
	_ = conn.SetDeadline(time.Time{})
	return newClient(ctx, tc, opts, host)
}

// DialStartTLS connects to addr (usually port 110), reads the greeting and
// upgrades to TLS with STLS (RFC 2595). If the server does not advertise
// STLS the result is ErrSTLSUnsupported; if the upgrade fails the error is
// returned. It never continues in plaintext.
func DialStartTLS(ctx context.Context, addr string, opts *Options) (*Client, error) {
	c, err := Dial(ctx, addr, opts)
	if err != nil {
		return nil, err
	}
	caps, err := c.Capabilities(ctx)
	if err != nil {
		c.Close()
		return nil, err
	}
	if !caps.STLS {
		c.Close()
		return nil, fmt.Errorf("%w (%s)", ErrSTLSUnsupported, addr)
	}
	if err := c.StartTLS(ctx, nil); err != nil { // nil: Options.TLSConfig
		c.Close()
		return nil, err
	}
	return c, nil
}

// NewClient reads the greeting from conn, which may already use TLS. If the
// greeting is refused or unreadable, conn is closed and the error returned.
// The greeting is read within Options.Timeout.
func NewClient(conn net.Conn, opts *Options) (*Client, error) {
	if _, err := opts.pin(); err != nil {
		conn.Close()
		return nil, err
	}
	host := ""
	if ra := conn.RemoteAddr(); ra != nil {
		host = hostOf(ra.String())
	}
	return newClient(context.Background(), conn, opts, host)
}

func dial(ctx context.Context, addr string, opts *Options) (net.Conn, error) {
	d := net.Dialer{Timeout: opts.timeout()}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("pop3: dial %s: %w", addr, err)
	}
	return conn, nil
}

func newClient(ctx context.Context, conn net.Conn, opts *Options, host string) (*Client, error) {
	c := &Client{timeout: opts.timeout(), serverName: host, mu: make(chan struct{}, 1), shut: make(chan struct{}),
		maxDrain: opts.maxDrainBytes(), minRate: opts.minRate()}
	c.listing = listingLimits{
		lines:  -1, // maxListingEntries, read when used so tests can lower it
		bytes:  opts.maxListingBytes(),
		within: opts.listingTimeout(),
		why:    "Options.ListingTimeout",
	}
	if opts != nil {
		c.tlsConfig = opts.TLSConfig
		c.debug = opts.DebugWriter
		c.lockstep = opts.ForceLockstep
		c.pin, _ = opts.pin() // checked by the callers
	}
	c.dl.conn = conn
	c.br = bufio.NewReaderSize(connReader{c}, 32<<10)
	c.bw = bufio.NewWriterSize(connWriter{c}, 1024)
	if err := c.readGreeting(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func (c *Client) readGreeting(ctx context.Context) error {
	end, err := c.start(ctx, "greeting")
	if err != nil {
		return err
	}
	defer end()
	st, err := c.readStatus(ctx, "greeting")
	if err != nil {
		return err
	}
	c.greeting = st.text
	c.apop = apopTimestamp(st.text)
	return nil
}

// Greeting returns the text of the server's +OK greeting. After STLS it is
// still the plaintext greeting, which may have been forged.
func (c *Client) Greeting() string { return c.greeting }

// Close drops the connection without QUIT. The server then stays out of the
// UPDATE state, so messages marked with Dele are NOT deleted. Use Quit to
// commit deletions. Close is safe to call more than once and from another
// goroutine to abort a command in progress.
func (c *Client) Close() error {
	if !c.markClosed() {
		return nil
	}
	if err := c.conn().Close(); err != nil {
		return fmt.Errorf("pop3: close: %w", err)
	}
	return nil
}

// Closed reports whether the connection is closed (by Close, Quit or a failure), so that a
// caller can tell a refusal it may go past from one that ended the session.
func (c *Client) Closed() bool { return c.closed.Load() }

// TLSConnectionState returns the TLS state, and false if the connection does
// not use TLS.
func (c *Client) TLSConnectionState() (tls.ConnectionState, bool) {
	if tc, ok := c.conn().(*tls.Conn); ok {
		return tc.ConnectionState(), true
	}
	return tls.ConnectionState{}, false
}

func (c *Client) conn() net.Conn {
	c.dl.mu.Lock()
	defer c.dl.mu.Unlock()
	return c.dl.conn
}

// connReader and connWriter always use the current connection, so the
// buffers survive the switch to TLS.
type connReader struct{ c *Client }

func (r connReader) Read(p []byte) (int, error) {
	if !r.c.extend {
		return r.c.conn().Read(p)
	}
	// Long replies may take longer than one Timeout in total, but each
	// read must make progress within it, and within the reply's limit.
	start := r.c.extendDeadline()
	n, err := r.c.conn().Read(p)
	r.c.charge(start, n)
	return n, err
}

type connWriter struct{ c *Client }

func (w connWriter) Write(p []byte) (int, error) { return w.c.conn().Write(p) }

var errReentrant = errors.New("pop3: client busy: a Retr callback is running")

// start begins a command: it takes the command lock, checks the client is
// usable and arms the deadline and ctx cancellation. The returned func
// undoes all of it.
func (c *Client) start(ctx context.Context, cmd string) (end func(), err error) {
	if c.inCallback.Load() {
		return nil, errReentrant
	}
	select {
	case c.mu <- struct{}{}:
	default:
		select {
		case c.mu <- struct{}{}:
		case <-ctx.Done():
			return nil, fmt.Errorf("pop3: %s: waiting for the command before it: %w", cmd, ctx.Err())
		case <-c.shut:
			return nil, fmt.Errorf("%w: %s not sent", ErrClosed, cmd)
		}
	}
	unlock := func() { <-c.mu }
	if c.closed.Load() {
		err := c.err
		unlock()
		if err != nil {
			return nil, fmt.Errorf("%w: %s not sent: connection dropped after an earlier error: %v", ErrClosed, cmd, err)
		}
		return nil, fmt.Errorf("%w: %s not sent", ErrClosed, cmd)
	}
	if err := ctx.Err(); err != nil {
		unlock()
		return nil, fmt.Errorf("pop3: %s: %w", cmd, err)
	}
	disarm := c.arm(ctx)
	return func() {
		disarm()
		unlock()
	}, nil
}

// markClosed records that the connection is closed and wakes the commands
// waiting for their turn. It reports whether this call closed it.
func (c *Client) markClosed() bool {
	if c.closed.Swap(true) {
		return false
	}
	close(c.shut)
	return true
}

// aLongTimeAgo is a deadline that makes blocked I/O return at once.
var aLongTimeAgo = time.Unix(1, 0)

func deadline(ctx context.Context, timeout time.Duration) time.Time {
	return deadlineFrom(ctx, time.Now(), timeout)
}

func deadlineFrom(ctx context.Context, now time.Time, timeout time.Duration) time.Time {
	d := now.Add(timeout)
	if cd, ok := ctx.Deadline(); ok && cd.Before(d) {
		return cd
	}
	return d
}

func (c *Client) arm(ctx context.Context) (disarm func()) {
	c.dl.mu.Lock()
	c.dl.gen++
	gen := c.dl.gen
	c.dl.ctx = ctx
	c.dl.cancelled = false
	_ = c.dl.conn.SetDeadline(deadline(ctx, c.timeout))
	c.dl.mu.Unlock()

	stop := context.AfterFunc(ctx, func() {
		c.dl.mu.Lock()
		defer c.dl.mu.Unlock()
		if c.dl.gen == gen {
			c.dl.cancelled = true
			_ = c.dl.conn.SetDeadline(aLongTimeAgo)
		}
	})
	return func() {
		stop()
		c.dl.mu.Lock()
		defer c.dl.mu.Unlock()
		c.dl.gen++
		c.dl.ctx = nil
		if !c.closed.Load() {
			_ = c.dl.conn.SetDeadline(time.Time{})
		}
	}
}

// extendDeadline gives the next read a full Timeout, or what is left of the
// reply's limit if that is less. It returns the time the read starts.
func (c *Client) extendDeadline() (now time.Time) {
	c.dl.mu.Lock()
	defer c.dl.mu.Unlock()
	now = time.Now()
	if c.dl.ctx != nil && !c.dl.cancelled {
		d := deadlineFrom(c.dl.ctx, now, c.timeout)
		l := &c.dl.limit
		if l.on {
			// Strictly before: a reply that has not begun is silence,
			// reported as such, rather than slowness.
			ld := now.Add(l.allowed() - l.waited)
			if l.capped = ld.Before(d); l.capped {
				d = ld
			}
		}
		_ = c.dl.conn.SetReadDeadline(d)
	}
	return now
}

// charge counts a read that started at start and got n bytes against the
// reply's limit.
func (c *Client) charge(start time.Time, n int) {
	c.dl.mu.Lock()
	defer c.dl.mu.Unlock()
	if c.dl.limit.on {
		c.dl.limit.waited += time.Since(start)
		c.dl.limit.bytes += int64(n)
	}
}

// limitReads bounds the time spent waiting for the reply about to be read
// (see readLimit), however often reads extend the deadline, until the next
// limitReads or unlimitReads. Reads must extend (c.extend) for it to apply.
// Called with mu held.
func (c *Client) limitReads(grace time.Duration, rate int64, why string) {
	c.dl.mu.Lock()
	defer c.dl.mu.Unlock()
	c.dl.limit = readLimit{on: true, grace: grace, rate: rate, why: why}
}

// limitReply bounds one message or pipelined reply by Options.MinRate.
func (c *Client) limitReply() { c.limitReads(c.timeout, c.minRate, "Options.MinRate") }

func (c *Client) unlimitReads() {
	c.dl.mu.Lock()
	defer c.dl.mu.Unlock()
	c.dl.limit = readLimit{}
}

// slowReply returns the error for a read deadline set by limitReads, or nil
// if the deadline was Timeout's or the ctx's.
func (c *Client) slowReply(cmd string, err error) *SlowReplyError {
	c.dl.mu.Lock()
	defer c.dl.mu.Unlock()
	l := c.dl.limit
	if !l.on || !l.capped || !errors.Is(err, os.ErrDeadlineExceeded) {
		return nil
	}
	return &SlowReplyError{Command: cmd, Setting: l.why, Grace: l.grace, MinRate: l.rate, Bytes: l.bytes, Waited: l.waited, Err: err}
}

// fail records why the connection is unusable and closes it. Called with mu held.
func (c *Client) fail(err error) error {
	if c.err == nil {
		c.err = err
	}
	if c.markClosed() {
		c.conn().Close()
	}
	return err
}

// ioFail turns a network error into the error returned to the caller and
// drops the connection: after a failed read or write the client cannot know
// where the server's reply stream stands.
func (c *Client) ioFail(ctx context.Context, cmd string, err error) error {
	if c.closed.Load() && c.err == nil {
		// Close was called while the command was running.
		return fmt.Errorf("%w during %s", ErrClosed, cmd)
	}
	if errors.Is(err, io.EOF) {
		err = fmt.Errorf("server closed the connection: %w", io.ErrUnexpectedEOF)
	}
	var e error
	if ctxErr := contextError(ctx, err); ctxErr != nil {
		e = fmt.Errorf("pop3: %s: %w: %w", cmd, ctxErr, err)
	} else if se := c.slowReply(cmd, err); se != nil {
		e = se
	} else if errors.Is(err, os.ErrDeadlineExceeded) {
		e = fmt.Errorf("pop3: %s: server silent for %v: %w", cmd, c.timeout, err)
	} else {
		e = fmt.Errorf("pop3: %s: %w", cmd, err)
	}
	return c.fail(e)
}

// contextError reports whether ctx caused err: cancelled, or its deadline
// (used as the connection deadline) passed.
func contextError(ctx context.Context, err error) error {
	if e := ctx.Err(); e != nil {
		return e
	}
	if d, ok := ctx.Deadline(); ok && !time.Now().Before(d) && errors.Is(err, os.ErrDeadlineExceeded) {
		return context.DeadlineExceeded
	}
	return nil
}

// send writes and flushes one command line. Most commands read their reply
// right after; the pipelined ones (RetrMany, DeleMany) write their lines
// with pipeWriter instead.
func (c *Client) send(ctx context.Context, cmd string, args ...string) error {
	for _, a := range args {
		if !checkArg(a) {
			return fmt.Errorf("%w to %s: empty or contains CR, LF or NUL", ErrInvalidArgument, cmd)
		}
	}
	c.bw.WriteString(cmd)
	for _, a := range args {
		c.bw.WriteByte(' ')
		c.bw.WriteString(a)
	}
	c.bw.WriteString("\r\n")
	c.logCommand(cmd, args)
	if err := c.bw.Flush(); err != nil {
		return c.ioFail(ctx, cmd, err)
	}
	return nil
}

func (c *Client) logCommand(cmd string, args []string) {
	if c.debug == nil {
		return
	}
	var b strings.Builder
	b.WriteString("C: ")
	b.WriteString(cmd)
	for i, a := range args {
		b.WriteByte(' ')
		if redacted(cmd, i) {
			a = "[redacted]"
		}
		b.WriteString(a)
	}
	b.WriteByte('\n')
	c.logf(b.String())
}

// logf writes s to the transcript. The pipeline writer logs commands from
// its own goroutine, hence the lock.
func (c *Client) logf(s string) {
	if c.debug == nil {
		return
	}
	c.debugMu.Lock()
	defer c.debugMu.Unlock()
	io.WriteString(c.debug, s)
}

// redacted reports whether argument i of cmd is a secret.
func redacted(cmd string, i int) bool {
	switch cmd {
	case "PASS":
		return true
	case "APOP", "AUTH": // APOP name digest; AUTH mechanism initial-response
		return i >= 1
	}
	return false
}

func (c *Client) logServer(line []byte) {
	if c.debug == nil {
		return
	}
	c.logf("S: " + sanitize(string(line), maxLineLen) + "\n")
}

// readLine reads one line of at most maxLineLen octets, without its line
// ending (CRLF, or a bare LF from sloppy servers).
func (c *Client) readLine(ctx context.Context, cmd string) ([]byte, error) {
	var line []byte
	for {
		frag, err := c.br.ReadSlice('\n')
		if len(line)+len(frag) > maxLineLen+2 {
			return nil, c.fail(protoErr(cmd, "line too long", append(line, frag...)))
		}
		switch err {
		case nil:
			line = append(line, frag...)
			line = line[:len(line)-1]
			if n := len(line); n > 0 && line[n-1] == '\r' {
				line = line[:n-1]
			}
			return line, nil
		case bufio.ErrBufferFull:
			line = append(line, frag...)
		default:
			return nil, c.ioFail(ctx, cmd, err)
		}
	}
}

// readStatus reads a status line. A -ERR reply is an *Error and leaves the
// connection usable.
func (c *Client) readStatus(ctx context.Context, cmd string) (status, error) {
	line, err := c.readLine(ctx, cmd)
	if err != nil {
		return status{}, err
	}
	c.logServer(line)
	st, err := parseStatus(line)
	if err != nil {
		return status{}, c.fail(protoErr(cmd, err.Error(), line))
	}
	if !st.ok {
		return st, &Error{Command: cmd, Code: RespCode(st.code), Text: st.text}
	}
	return st, nil
}

// listingLimits bounds a multi-line reply other than a message, which a
// hostile server could otherwise make endless: each read making progress is
// not enough.
type listingLimits struct {
	lines  int           // at most this many lines; -1 means maxListingEntries
	bytes  int64         // at most this many octets, line ends included
	within time.Duration // the time spent waiting for the whole reply
	why    string        // the setting behind within, for errors
}

// readListing reads the lines of a multi-line reply up to the terminating
// ".", dot-unstuffed, passing each to fn, within lim. fn returns a reason
// string when the line is malformed.
func (c *Client) readListing(ctx context.Context, cmd string, lim listingLimits, fn func(line []byte) string) error {
	if lim.lines < 0 {
		lim.lines = maxListingEntries
	}
	defer func(old bool) { c.extend = old }(c.extend)
	c.extend = true
	c.limitReads(lim.within, 0, lim.why)
	defer c.unlimitReads()
	var size int64
	for n := 0; ; n++ {
		line, err := c.readLine(ctx, cmd)
		if err != nil {
			return err
		}
		c.logServer(line)
		if len(line) > 0 && line[0] == '.' {
			if len(line) == 1 {
				return nil
			}
			line = line[1:]
		}
		if n >= lim.lines {
			return c.fail(protoErr(cmd, fmt.Sprintf("more than %d lines in reply", lim.lines), nil))
		}
		if size += int64(len(line)) + 2; size > lim.bytes {
			return c.fail(protoErr(cmd, fmt.Sprintf("more than %d bytes in reply", lim.bytes), nil))
		}
		if reason := fn(line); reason != "" {
			return c.fail(protoErr(cmd, reason, line))
		}
	}
}

// simple runs a command with a single-line reply.
func (c *Client) simple(ctx context.Context, cmd string, args ...string) (status, error) {
	end, err := c.start(ctx, cmd)
	if err != nil {
		return status{}, err
	}
	defer end()
	if err := c.send(ctx, cmd, args...); err != nil {
		return status{}, err
	}
	return c.readStatus(ctx, cmd)
}

func hostOf(addr string) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return host
}
