package pop3test

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Maildrop is a mailbox kept between the sessions of a MaildropServer, for tests of what a
// client does across sessions: messages arrive, go, are renumbered, and the server may reuse a
// UIDL or change the bytes under one, as real servers do after a mailbox rebuild. Deletions
// are committed only by QUIT, as RFC 1939 says. All methods are safe for concurrent use.
type Maildrop struct {
	mu    sync.Mutex
	msgs  []*dropMessage
	busy  bool                     // a session holds the maildrop
	refus map[string]string        // UIDL → -ERR text for RETR
	drops map[string]bool          // UIDL → RETR drops the connection halfway through the reply
	slow  map[string]time.Duration // UIDL → RETR and TOP trickle a line every so often
	retrs int
	deles int
	gone  [][]byte // bytes of every message a client deleted (DELE, then QUIT)
}

type dropMessage struct {
	uidl string
	data []byte // CRLF line ends, not dot-stuffed
}

// NewMaildrop returns an empty maildrop.
func NewMaildrop() *Maildrop {
	return &Maildrop{refus: map[string]string{}, drops: map[string]bool{}, slow: map[string]time.Duration{}}
}

// Add appends a message under uidl. data gets CRLF line ends and a final CRLF.
func (m *Maildrop) Add(uidl string, data []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.msgs = append(m.msgs, &dropMessage{uidl: uidl, data: crlf(data)})
}

// Replace puts other bytes under uidl (the message changes on the server, its UIDL does not).
// It reports whether uidl was there.
func (m *Maildrop) Replace(uidl string, data []byte) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, d := range m.msgs {
		if d.uidl == uidl {
			// A new message value: a session that listed the old one still serves the old bytes.
			m.msgs[i] = &dropMessage{uidl: uidl, data: crlf(data)}
			return true
		}
	}
	return false
}

// Remove takes the message under uidl away (another client deleted it, say).
func (m *Maildrop) Remove(uidl string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.msgs = slices.DeleteFunc(m.msgs, func(d *dropMessage) bool { return d.uidl == uidl })
}

// Shuffle renumbers the messages at random, as a rebuilt mailbox may.
func (m *Maildrop) Shuffle(r *rand.Rand) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r.Shuffle(len(m.msgs), func(i, j int) { m.msgs[i], m.msgs[j] = m.msgs[j], m.msgs[i] })
}

// Refuse makes RETR of uidl fail with -ERR text ("" to allow it again).
func (m *Maildrop) Refuse(uidl, text string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if text == "" {
		delete(m.refus, uidl)
	} else {
		m.refus[uidl] = text
	}
}

// DropConnection makes RETR of uidl send the start of the reply and then close the
// connection, as a server that crashes on one message does (false to heal it).
func (m *Maildrop) DropConnection(uidl string, drop bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.drops[uidl] = drop
}

// Trickle makes RETR and TOP of uidl answer +OK and then one short line every interval, never
// ending, until the client hangs up: a server that keeps a download going without ever going
// silent (0 to heal it).
func (m *Maildrop) Trickle(uidl string, interval time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if interval <= 0 {
		delete(m.slow, uidl)
	} else {
		m.slow[uidl] = interval
	}
}

// Messages returns the bytes of every message now in the maildrop, by UIDL (a UIDL listed
// twice keeps the later message).
func (m *Maildrop) Messages() map[string][]byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string][]byte, len(m.msgs))
	for _, d := range m.msgs {
		out[d.uidl] = d.data
	}
	return out
}

// Len returns the number of messages in the maildrop.
func (m *Maildrop) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.msgs)
}

// InUse reports whether a session holds the maildrop: one whose client went without QUIT holds
// it until the server notices the connection closed, as real servers do.
func (m *Maildrop) InUse() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.busy
}

// Counts returns how many RETR and how many committed DELE the maildrop has served.
func (m *Maildrop) Counts() (retr, dele int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.retrs, m.deles
}

// Deleted returns the bytes of every message a client has deleted (DELE committed by QUIT),
// in order: what the client must have stored.
func (m *Maildrop) Deleted() [][]byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.gone)
}

// Bytes returns data as the maildrop stores it (CRLF line ends, a final CRLF): what a client
// receives for it.
func Bytes(data []byte) []byte { return crlf(data) }

func crlf(data []byte) []byte {
	s := strings.ReplaceAll(string(data), "\r\n", "\n")
	if !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	return []byte(strings.ReplaceAll(s, "\n", "\r\n"))
}

// MaildropServer serves a Maildrop over POP3 on 127.0.0.1, one session after another (a second
// concurrent login gets -ERR [IN-USE]). It offers USER/PASS, CAPA (TOP UIDL USER PIPELINING
// RESP-CODES, and STLS when it has a TLS configuration), STAT, LIST, UIDL, RETR, TOP, DELE,
// RSET, NOOP and QUIT, and answers pipelined commands in order.
type MaildropServer struct {
	drop       *Maildrop
	user, pass string
	tls        *tls.Config // for STLS; nil with implicit TLS or none
	ln         net.Listener
	wg         sync.WaitGroup
	mu         sync.Mutex
	conns      map[net.Conn]struct{}
	closed     bool
}

// MaildropOptions configures StartMaildrop; nil means plain POP3.
type MaildropOptions struct {
	// TLS is the server's TLS configuration: with ImplicitTLS every
	// connection starts with a TLS handshake (POP3S), otherwise the server
	// offers STLS.
	TLS         *tls.Config
	ImplicitTLS bool
}

// ServeMaildrop starts a server for drop with one user; it is closed at the end of the test.
func ServeMaildrop(t testing.TB, drop *Maildrop, user, pass string) *MaildropServer {
	t.Helper()
	s, err := StartMaildrop(drop, user, pass, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// StartMaildrop starts a server for drop with one user, outside a test (for
// examples and tools); the caller closes it.
func StartMaildrop(drop *Maildrop, user, pass string, opts *MaildropOptions) (*MaildropServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("pop3test: listen: %w", err)
	}
	s := &MaildropServer{drop: drop, user: user, pass: pass, ln: ln, conns: map[net.Conn]struct{}{}}
	if opts != nil && opts.ImplicitTLS {
		s.ln = tls.NewListener(ln, opts.TLS)
	} else if opts != nil {
		s.tls = opts.TLS
	}
	s.wg.Add(1)
	go s.accept()
	return s, nil
}

// Addr returns the "host:port" to dial.
func (s *MaildropServer) Addr() string { return s.ln.Addr().String() }

// Close stops the server and drops open sessions without committing their deletions.
func (s *MaildropServer) Close() {
	s.mu.Lock()
	s.closed = true
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.ln.Close()
	s.wg.Wait()
}

func (s *MaildropServer) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			c.Close()
			return
		}
		s.conns[c] = struct{}{}
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.serve(c)
			s.mu.Lock()
			delete(s.conns, c)
			s.mu.Unlock()
			c.Close()
		}()
	}
}

// dropSession is one connection's state: the snapshot of the maildrop taken at login, and the
// messages marked deleted.
type dropSession struct {
	snap    []*dropMessage
	deleted []bool
	locked  bool
}

func (s *MaildropServer) serve(c net.Conn) {
	br := bufio.NewReader(c)
	bw := bufio.NewWriter(c)
	var sess dropSession
	defer func() {
		if sess.locked {
			s.drop.mu.Lock()
			s.drop.busy = false
			s.drop.mu.Unlock()
		}
	}()
	reply := func(lines ...string) {
		for _, l := range lines {
			bw.WriteString(l)
			bw.WriteString("\r\n")
		}
	}
	// hungUp waits up to d for the client to hang up and reports whether it did, so that a
	// trickling reply ends, and frees the maildrop, as soon as the client gives up.
	hungUp := func(d time.Duration) bool {
		end := time.Now().Add(d)
		c.SetReadDeadline(end)
		_, err := br.Peek(br.Buffered() + 1) // more commands are no hang-up
		c.SetReadDeadline(time.Time{})
		var ne net.Error
		if err != nil && !errors.As(err, &ne) && !errors.Is(err, bufio.ErrBufferFull) {
			return true
		}
		time.Sleep(time.Until(end))
		return false
	}
	stls := s.tls // until STLS is done
	reply("+OK maildrop ready")
	user := ""
	for {
		// Replies go out when the client has sent nothing more: pipelined commands are
		// answered in one write.
		if br.Buffered() == 0 {
			if bw.Flush() != nil {
				return
			}
		}
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		cmd, arg, _ := strings.Cut(strings.TrimRight(line, "\r\n"), " ")
		cmd = strings.ToUpper(cmd)
		if !sess.locked {
			switch cmd {
			case "CAPA":
				if stls != nil {
					reply("+OK", "STLS", "TOP", "UIDL", "USER", "PIPELINING", "RESP-CODES", ".")
				} else {
					reply("+OK", "TOP", "UIDL", "USER", "PIPELINING", "RESP-CODES", ".")
				}
			case "STLS":
				if stls == nil {
					reply("-ERR no TLS here")
					continue
				}
				reply("+OK begin TLS")
				tc := tls.Server(c, stls)
				if bw.Flush() != nil || tc.Handshake() != nil {
					return
				}
				br, bw, stls, user = bufio.NewReader(tc), bufio.NewWriter(tc), nil, ""
			case "USER":
				user = arg
				reply("+OK")
			case "PASS":
				if user != s.user || arg != s.pass {
					reply("-ERR [AUTH] invalid login")
					continue
				}
				s.drop.mu.Lock()
				if s.drop.busy {
					s.drop.mu.Unlock()
					reply("-ERR [IN-USE] maildrop busy")
					continue
				}
				s.drop.busy = true
				sess = dropSession{snap: slices.Clone(s.drop.msgs), locked: true}
				sess.deleted = make([]bool, len(sess.snap))
				s.drop.mu.Unlock()
				reply("+OK logged in")
			case "QUIT":
				reply("+OK bye")
				bw.Flush()
				return
			default:
				reply("-ERR not logged in")
			}
			continue
		}
		if s.transaction(&sess, cmd, arg, reply, bw.Flush, hungUp) {
			bw.Flush()
			return
		}
	}
}

// transaction answers one command after login; it reports whether the session ended.
func (s *MaildropServer) transaction(sess *dropSession, cmd, arg string, reply func(...string), flush func() error, hungUp func(time.Duration) bool) bool {
	msg := func() (int, bool) {
		n, err := strconv.Atoi(arg)
		if err != nil || n < 1 || n > len(sess.snap) || sess.deleted[n-1] {
			reply("-ERR no such message")
			return 0, false
		}
		return n - 1, true
	}
	switch cmd {
	case "CAPA":
		reply("+OK", "TOP", "UIDL", "USER", "PIPELINING", "RESP-CODES", ".")
	case "NOOP":
		reply("+OK")
	case "STAT":
		n, size := 0, 0
		for i, d := range sess.snap {
			if !sess.deleted[i] {
				n++
				size += len(d.data)
			}
		}
		reply(fmt.Sprintf("+OK %d %d", n, size))
	case "LIST", "UIDL":
		val := func(i int) string {
			if cmd == "LIST" {
				return strconv.Itoa(len(sess.snap[i].data))
			}
			return sess.snap[i].uidl
		}
		if arg != "" {
			if i, ok := msg(); ok {
				reply(fmt.Sprintf("+OK %d %s", i+1, val(i)))
			}
			return false
		}
		lines := []string{"+OK"}
		for i := range sess.snap {
			if !sess.deleted[i] {
				lines = append(lines, fmt.Sprintf("%d %s", i+1, val(i)))
			}
		}
		reply(append(lines, ".")...)
	case "RETR", "TOP":
		num, rest, _ := strings.Cut(arg, " ")
		arg = num
		i, ok := msg()
		if !ok {
			return false
		}
		d := sess.snap[i]
		s.drop.mu.Lock()
		refusal, drop, slow := s.drop.refus[d.uidl], s.drop.drops[d.uidl], s.drop.slow[d.uidl]
		if cmd == "RETR" && refusal == "" {
			s.drop.retrs++
		}
		s.drop.mu.Unlock()
		switch {
		case slow > 0:
			reply("+OK message follows")
			for flush() == nil && !hungUp(slow) {
				reply("X-Trickle: x")
			}
			return true // the client gave up: the session ends, nothing is deleted
		case cmd == "RETR" && drop:
			// The server "crashes": the maildrop is free before the client sees the connection
			// go, as after QUIT, so the client's next session cannot find it in use.
			s.drop.mu.Lock()
			s.drop.busy = false
			sess.locked = false
			s.drop.mu.Unlock()
			reply("+OK message follows", "Subject: the start of it")
			return true // the connection goes, and the session with it: nothing is deleted
		case cmd == "RETR" && refusal != "":
			reply("-ERR " + refusal)
			return false
		}
		data := d.data
		if cmd == "TOP" {
			k, err := strconv.Atoi(rest)
			if err != nil || k < 0 {
				reply("-ERR bad TOP")
				return false
			}
			data = top(data, k)
		}
		lines := []string{"+OK message follows"}
		for _, l := range strings.SplitAfter(string(data), "\r\n") {
			if l == "" {
				continue
			}
			l = strings.TrimSuffix(l, "\r\n")
			if strings.HasPrefix(l, ".") {
				l = "." + l
			}
			lines = append(lines, l)
		}
		reply(append(lines, ".")...)
	case "DELE":
		if i, ok := msg(); ok {
			sess.deleted[i] = true
			reply("+OK marked")
		}
	case "RSET":
		clear(sess.deleted)
		reply("+OK")
	case "QUIT":
		s.drop.mu.Lock()
		for i, d := range sess.snap {
			if sess.deleted[i] {
				// Only the message served in this session goes: one replaced meanwhile stays.
				s.drop.msgs = slices.DeleteFunc(s.drop.msgs, func(x *dropMessage) bool { return x == d })
				s.drop.deles++
				s.drop.gone = append(s.drop.gone, d.data)
			}
		}
		// The maildrop is free before the reply, so a client's next session finds it so.
		s.drop.busy = false
		sess.locked = false
		s.drop.mu.Unlock()
		reply("+OK bye")
		return true
	default:
		reply("-ERR unknown command")
	}
	return false
}

// top returns the header and the first k body lines of a CRLF message.
func top(data []byte, k int) []byte {
	i := bytes.Index(data, []byte("\r\n\r\n"))
	if i < 0 {
		return data
	}
	end := i + 4
	for ; k > 0 && end < len(data); k-- {
		j := bytes.Index(data[end:], []byte("\r\n"))
		if j < 0 {
			return data
		}
		end += j + 2
	}
	return data[:end]
}
