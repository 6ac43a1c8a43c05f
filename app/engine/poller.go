package engine

import (
	"context"
	"errors"
	"net"
	"sort"
	"sync"
	"syscall"
	"time"

	"github.com/pouchmail/pouch/app/account"
	"github.com/pouchmail/pouch/app/oauth"
	"github.com/pouchmail/pouch/app/submit"
	"github.com/pouchmail/pouch/mailstore"
	"github.com/pouchmail/pouch/pop3"
)

// EventKind says what an Event reports.
type EventKind int

const (
	EventProgress EventKind = iota // a session progressed; Progress set
	EventFinished                  // a session ended; Result set
	EventNewMail                   // a session stored new mail (Result.New > 0)
	EventStatus                    // an account's status changed; Status set
	EventSend                      // a message of the outbox was sent, or failed, or waits; Send set
	EventIndex                     // the search index caught up some; Unsearchable set
)

// Event is what the poller reports to its owner (the window).
type Event struct {
	Kind     EventKind
	Account  string
	Progress Progress
	Result   *Result
	Status   AccountStatus
	Send     *SendResult
	// Unsearchable: stored messages not yet in the search index (EventIndex).
	Unsearchable int
}

// Error kinds of AccountStatus.ErrorKind.
const (
	ErrorKindAuth      = "auth"      // credentials rejected: polling stopped
	ErrorKindTemporary = "temporary" // retried with back-off
	ErrorKindPermanent = "permanent" // SYS/PERM: polling stopped
	ErrorKindTLS       = "tls"       // certificate or handshake problem: retried with back-off
	ErrorKindNetwork   = "network"   // connection problem: retried with back-off
	ErrorKindLocked    = "locked"    // another session holds the account: retried later
	ErrorKindConfig    = "config"    // no password, no UIDL with leave-days > 0, auth mechanism unusable: polling stopped
	ErrorKindOther     = "other"     // none of the above (Classify); the poller retries it as temporary
)

// AccountStatus is the poller's view of one account.
type AccountStatus struct {
	Account              string
	LastCheck, NextCheck time.Time // zero when none yet / none planned (Stopped)
	LastError            string
	ErrorKind            string // "" or one of the ErrorKind constants
	Stopped              bool   // polling stopped until the user acts (CheckNow resumes)
	Warning              string // e.g. leave-days exceeds the server's EXPIRE
	// NeedsSignIn: an OAuth2 account whose grant is gone; SignInAgain (the browser) fixes it.
	NeedsSignIn bool
}

// PollerOptions configure a Poller.
type PollerOptions struct {
	// OnEvent is called from poller goroutines and must not block; nil = no events.
	OnEvent func(Event)
	// Now and After are the poller's clock (tests inject their own); nil = time.Now and
	// time.After. Retention decisions use the engine's Options.Now, not this.
	Now   func() time.Time
	After func(d time.Duration) <-chan time.Time
}

const (
	// backoffBase and backoffCap bound the exponential back-off after temporary failures.
	backoffBase = time.Minute
	backoffCap  = time.Hour
	// retryLater is the wait after [IN-USE] or a held lock (another session is running).
	retryLater = 2 * time.Minute
)

// Poller checks every account in the background: one goroutine per account, a check at
// start-up and then every account's interval, never more often than the server's
// LOGIN-DELAY, backing off after temporary failures and stopping when the user must act.
type Poller struct {
	e     *Engine
	opts  PollerOptions
	fetch func(context.Context, *mailstore.Account, func(Progress)) Result

	mu      sync.Mutex
	ctx     context.Context
	cancel  context.CancelFunc
	workers map[int64]*worker
	wg      sync.WaitGroup
	// sendWake wakes the outbox loop (poller_send.go).
	sendWake chan struct{}
	// indexWake wakes the index loop (indexLoop) after a session stored mail.
	indexWake chan struct{}
}

// worker is one account's goroutine state; status is guarded by Poller.mu.
type worker struct {
	id     int64
	wake   chan struct{}
	recalc chan struct{}
	edited chan struct{}
	cancel context.CancelFunc
	status AccountStatus
}

// NewPoller returns a poller over e's accounts; Start runs it.
func (e *Engine) NewPoller(opts PollerOptions) *Poller {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.After == nil {
		opts.After = time.After
	}
	return &Poller{e: e, opts: opts, fetch: e.Fetch, workers: map[int64]*worker{}, sendWake: make(chan struct{}, 1),
		indexWake: make(chan struct{}, 1)}
}

// Start starts a goroutine per account. The poller runs until Stop or until ctx ends.
func (p *Poller) Start(ctx context.Context) {
	p.mu.Lock()
	if p.ctx != nil {
		p.mu.Unlock()
		return
	}
	p.ctx, p.cancel = context.WithCancel(ctx)
	sctx := p.ctx
	p.mu.Unlock()
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		p.sendLoop(sctx)
	}()
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		p.indexLoop(sctx)
	}()
	p.kickIndex() // a backlog left by an earlier run (a fetch from the command line, a crash)
	p.Reload()
}

// Stop cancels running sessions (they close without QUIT, so the server deletes nothing)
// and waits for every goroutine to end.
func (p *Poller) Stop() {
	p.mu.Lock()
	if p.cancel != nil {
		p.cancel()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// CheckNow checks the named account ("" = all) as soon as LOGIN-DELAY allows; it also
// resumes a stopped account.
func (p *Poller) CheckNow(account string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, w := range p.workers {
		if account == "" || w.status.Account == account {
			select {
			case w.wake <- struct{}{}:
			default:
			}
		}
	}
}

// Edited tells the poller that the named account's settings or password were changed: its
// last error belongs to the old settings and is forgotten, and it is checked with the new ones
// as soon as LOGIN-DELAY allows (a stopped account resumes). Call Reload first when the
// account's name changed.
func (p *Poller) Edited(account string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, w := range p.workers {
		if w.status.Account == account {
			select {
			case w.edited <- struct{}{}:
			default:
			}
		}
	}
}

// Reload picks up added, edited and removed accounts.
func (p *Poller) Reload() {
	p.mu.Lock()
	ctx := p.ctx
	p.mu.Unlock()
	if ctx == nil || ctx.Err() != nil {
		return
	}
	accts, err := p.e.store.Accounts(ctx)
	if err != nil {
		return // the next Reload tries again; running workers carry on
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	seen := map[int64]bool{}
	for _, a := range accts {
		if a.Local {
			continue // no server to poll
		}
		seen[a.ID] = true
		if w, ok := p.workers[a.ID]; ok {
			w.status.Account = a.Name
			select {
			case w.recalc <- struct{}{}:
			default:
			}
			continue
		}
		wctx, cancel := context.WithCancel(p.ctx)
		w := &worker{id: a.ID, wake: make(chan struct{}, 1), recalc: make(chan struct{}, 1), edited: make(chan struct{}, 1), cancel: cancel,
			status: AccountStatus{Account: a.Name}}
		p.workers[a.ID] = w
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.run(wctx, w)
		}()
	}
	for id, w := range p.workers {
		if !seen[id] {
			w.cancel()
			delete(p.workers, id)
		}
	}
}

// Status returns every account's status, by account name.
func (p *Poller) Status() []AccountStatus {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]AccountStatus, 0, len(p.workers))
	for _, w := range p.workers {
		out = append(out, w.status)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Account < out[j].Account })
	return out
}

func (p *Poller) emit(ev Event) {
	if p.opts.OnEvent != nil {
		p.opts.OnEvent(ev)
	}
}

// setStatus updates w's status under the lock and reports it.
func (p *Poller) setStatus(w *worker, fn func(*AccountStatus)) {
	p.mu.Lock()
	fn(&w.status)
	st := w.status
	p.mu.Unlock()
	p.emit(Event{Kind: EventStatus, Account: st.Account, Status: st})
}

// account reloads w's account, so edits apply from the next check on.
func (p *Poller) account(ctx context.Context, id int64) (*mailstore.Account, error) {
	accts, err := p.e.store.Accounts(ctx)
	if err != nil {
		return nil, err
	}
	for i := range accts {
		if accts[i].ID == id {
			return &accts[i], nil
		}
	}
	return nil, mailstore.ErrNotFound
}

// schedule is one account's timing state.
type schedule struct {
	interval   time.Duration
	loginDelay time.Duration // last LOGIN-DELAY the server announced
	lastStart  time.Time     // start of the last session (LOGIN-DELAY counts between logins)
	lastEnd    time.Time
	failures   int // consecutive temporary failures
}

// allowed is t, or the first moment LOGIN-DELAY allows another login if that is later: never
// more often than LOGIN-DELAY.
func (s *schedule) allowed(t time.Time) time.Time {
	if e := s.lastStart.Add(s.loginDelay); !s.lastStart.IsZero() && t.Before(e) {
		return e
	}
	return t
}

func (p *Poller) run(ctx context.Context, w *worker) {
	var s schedule
	next := p.opts.Now() // a check at start-up
	stopped := false
	for {
		p.setStatus(w, func(st *AccountStatus) {
			st.Stopped = stopped
			st.NextCheck = time.Time{}
			if !stopped {
				st.NextCheck = next
			}
		})

		// Wait for the planned time, a "check now" or an edit.
		if !p.wait(ctx, w, &s, &next, &stopped) {
			return
		}
		// This check answers every "check now" and edit asked for until now: none of them
		// runs a second one after it.
		select {
		case <-w.wake:
		default:
		}
		select {
		case <-w.edited:
			p.setStatus(w, func(st *AccountStatus) { st.LastError, st.ErrorKind, st.NeedsSignIn = "", "", false })
		default:
		}
		// Read the account now, not before waiting: an edit saved meanwhile (host, user,
		// password, security) applies to this check.
		a, err := p.account(ctx, w.id)
		if err != nil {
			if errors.Is(err, mailstore.ErrNotFound) || ctx.Err() != nil {
				return
			}
			p.setStatus(w, func(st *AccountStatus) { st.LastError, st.ErrorKind = err.Error(), ErrorKindTemporary })
			next = p.opts.Now().Add(backoffBase)
			continue
		}
		s.interval = interval(a)

		s.lastStart = p.opts.Now()
		res := p.fetch(ctx, a, func(pr Progress) {
			p.emit(Event{Kind: EventProgress, Account: a.Name, Progress: pr})
		})
		if ctx.Err() != nil {
			return
		}
		s.lastEnd = p.opts.Now()
		if res.LoginDelay > 0 {
			s.loginDelay = res.LoginDelay
		}
		kind := classify(res.Err)
		var delay time.Duration
		switch kind {
		case "":
			s.failures = 0
			delay = s.interval
		case ErrorKindAuth, ErrorKindPermanent, ErrorKindConfig:
			stopped = true
		case ErrorKindLocked:
			delay = min(retryLater, s.interval)
		default:
			if isRetryLater(res.Err) {
				delay = min(retryLater, s.interval)
				break
			}
			s.failures++
			delay = backoff(s.failures)
		}
		next = s.allowed(s.lastEnd.Add(delay))
		r := res
		p.setStatus(w, func(st *AccountStatus) {
			st.LastCheck = s.lastEnd
			st.ErrorKind = kind
			var serr *SignInRequiredError
			st.NeedsSignIn = errors.As(res.Err, &serr)
			st.LastError = ""
			if res.Err != nil {
				st.LastError = res.Err.Error()
			}
			if res.Err == nil || res.Warning != "" {
				st.Warning = res.Warning
			}
		})
		p.emit(Event{Kind: EventFinished, Account: a.Name, Result: &r})
		if res.Unsearchable > 0 {
			p.kickIndex()
		}
		if res.New > 0 {
			p.emit(Event{Kind: EventNewMail, Account: a.Name, Result: &r})
		}
	}
}

func (p *Poller) kickIndex() {
	select {
	case p.indexWake <- struct{}{}:
	default: // a catch-up is due already
	}
}

// indexLoop catches the search index up after sessions, on its own goroutine: a session
// returns once its mail is committed, and the window's idle time makes it searchable. Each
// catch-up reports the backlog as it shrinks (EventIndex), ending with 0.
func (p *Poller) indexLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-p.indexWake:
		}
		_, err := p.e.catchUp(ctx, func(done, total int) {
			p.emit(Event{Kind: EventIndex, Unsearchable: total - done})
		})
		if ctx.Err() != nil {
			return
		}
		if n, berr := p.e.Unsearchable(ctx); err == nil && berr == nil {
			p.emit(Event{Kind: EventIndex, Unsearchable: n})
		}
	}
}

// wait blocks until the next check is due. A "check now" makes it due at once (or at the
// end of LOGIN-DELAY) and resumes a stopped account; an edit recomputes the plan. It returns
// false when the poller is stopping.
func (p *Poller) wait(ctx context.Context, w *worker, s *schedule, next *time.Time, stopped *bool) bool {
	for {
		var timer <-chan time.Time
		if !*stopped {
			d := next.Sub(p.opts.Now())
			if d <= 0 {
				return true
			}
			timer = p.opts.After(d)
		}
		select {
		case <-ctx.Done():
			return false
		case <-timer:
			return true
		case <-w.wake:
			*stopped = false
			s.failures = 0
			now := p.opts.Now()
			if *next = s.allowed(now); next.After(now) {
				e := *next
				p.setStatus(w, func(st *AccountStatus) { st.Stopped, st.NextCheck = false, e })
			}
		case <-w.edited:
			*stopped = false
			s.failures = 0
			now := p.opts.Now()
			*next = s.allowed(now)
			e := *next
			p.setStatus(w, func(st *AccountStatus) {
				st.LastError, st.ErrorKind, st.NeedsSignIn, st.Stopped, st.NextCheck = "", "", false, false, e
			})
		case <-w.recalc:
			a, err := p.account(ctx, w.id)
			if err != nil {
				continue // removed: Reload cancels ctx
			}
			s.interval = interval(a)
			if !*stopped && s.failures == 0 && !s.lastEnd.IsZero() {
				*next = s.allowed(s.lastEnd.Add(s.interval))
				n := *next
				p.setStatus(w, func(st *AccountStatus) { st.NextCheck = n })
			}
		}
	}
}

// interval is a's check interval; account.DefaultInterval for an account without one.
func interval(a *mailstore.Account) time.Duration {
	if a.Interval > 0 {
		return a.Interval
	}
	return account.DefaultInterval
}

// backoff is the wait after the n-th consecutive temporary failure: 1, 2, 4 ... minutes,
// capped at an hour.
func backoff(n int) time.Duration {
	d := backoffBase
	for i := 1; i < n && d < backoffCap; i++ {
		d *= 2
	}
	return min(d, backoffCap)
}

// classify maps a session's error to an AccountStatus.ErrorKind; what Classify does not know
// is retried with back-off, as a temporary failure.
func classify(err error) string {
	if k := Classify(err); k != ErrorKindOther {
		return k
	}
	return ErrorKindTemporary
}

// Classify maps an error to its ErrorKind: the one classifier behind the poller's reactions,
// the window's badges and the command line's exit status. "" for nil, ErrorKindOther for an
// error of none of the known kinds (a full disk, a damaged archive, a bug).
func Classify(err error) string {
	if err == nil {
		return ""
	}
	var (
		perr  *pop3.Error
		lerr  *LockedError
		terr  *pop3.TLSError
		nperr *NoPasswordError
		nuerr *NoUIDLError
		lcerr *LocalAccountError
		serr  *SignInRequiredError
		cerr  *oauth.ConfigError
	)
	switch {
	case errors.As(err, &lerr), errors.Is(err, mailstore.ErrInUse):
		return ErrorKindLocked
	case errors.As(err, &serr):
		// Like rejected credentials: the user must sign in again in the browser.
		return ErrorKindAuth
	case errors.As(err, &nperr), errors.As(err, &nuerr), errors.As(err, &cerr), errors.As(err, &lcerr),
		errors.Is(err, pop3.ErrMechanismUnsupported), errors.Is(err, pop3.ErrInsecureAuth):
		// Retrying cannot help: the account's settings must change first.
		return ErrorKindConfig
	case errors.As(err, &perr):
		switch perr.Action() {
		case pop3.ActionReauthenticate:
			return ErrorKindAuth
		case pop3.ActionStop:
			return ErrorKindPermanent
		}
		return ErrorKindTemporary
	case errors.As(err, &terr), errors.As(err, new(*submit.TLSError)):
		return ErrorKindTLS
	case isNetwork(err), errors.Is(err, context.DeadlineExceeded):
		return ErrorKindNetwork
	}
	return ErrorKindOther
}

// isNetwork reports a connection problem. A bare syscall.Errno satisfies net.Error too, but
// outside a *net.OpError it is a file's error (no such file, disk full), not the network's.
func isNetwork(err error) bool {
	var (
		op   *net.OpError
		dns  *net.DNSError
		nerr net.Error
	)
	if errors.As(err, &op) || errors.As(err, &dns) {
		return true
	}
	if errors.As(err, &nerr) {
		_, errno := nerr.(syscall.Errno)
		return !errno
	}
	return false
}

// isRetryLater reports a refusal that says "busy now" rather than "broken": [IN-USE] (another
// client has the mailbox) or [LOGIN-DELAY].
func isRetryLater(err error) bool {
	var perr *pop3.Error
	if !errors.As(err, &perr) {
		return false
	}
	return perr.Code.Is(pop3.CodeInUse) || perr.Code.Is(pop3.CodeLoginDelay)
}
