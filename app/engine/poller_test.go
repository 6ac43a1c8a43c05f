package engine_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/mailstore"
	"github.com/pouchmail/pouch/pop3"
	"github.com/pouchmail/pouch/pop3/pop3test"
)

// fakeTimers is the poller's clock in tests: every wait is handed to the test, which moves
// time on and fires it.
type fakeTimers struct {
	clk   *clock
	waits chan fakeWait
}

type fakeWait struct {
	d  time.Duration
	ch chan time.Time
}

func (f *fakeTimers) after(d time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	f.waits <- fakeWait{d, ch}
	return ch
}

type pollerRig struct {
	t      *testing.T
	p      *engine.Poller
	timers *fakeTimers
	calls  chan *mailstore.Account
	result chan engine.Result
	mu     sync.Mutex
	events []engine.Event
}

func newPollerRig(t *testing.T) *pollerRig {
	t.Helper()
	ctx := context.Background()
	e := newFixture(t, fixtureOptions{addr: "pop.example.com:995", security: mailstore.SecurityTLS, leaveDays: 14}).e
	r := &pollerRig{t: t, calls: make(chan *mailstore.Account), result: make(chan engine.Result)}
	r.timers = &fakeTimers{clk: newClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)), waits: make(chan fakeWait)}
	r.p = e.NewPoller(engine.PollerOptions{
		Now: r.timers.clk.now, After: r.timers.after,
		OnEvent: func(ev engine.Event) { r.mu.Lock(); r.events = append(r.events, ev); r.mu.Unlock() },
	})
	engine.SetPollerFetch(r.p, func(ctx context.Context, a *mailstore.Account, progress func(engine.Progress)) engine.Result {
		select {
		case r.calls <- a:
		case <-ctx.Done():
			return engine.Result{Account: a.Name, Err: ctx.Err()}
		}
		progress(engine.Progress{Phase: engine.PhaseDownload, N: 1, Total: 2})
		select {
		case res := <-r.result:
			res.Account = a.Name
			return res
		case <-ctx.Done():
			return engine.Result{Account: a.Name, Err: ctx.Err()}
		}
	})
	r.p.Start(ctx)
	t.Cleanup(r.p.Stop)
	return r
}

// session expects a session to start and ends it with res.
func (r *pollerRig) session(res engine.Result) {
	r.t.Helper()
	select {
	case <-r.calls:
	case <-time.After(5 * time.Second):
		r.t.Fatal("no session started")
	}
	r.result <- res
}

// wait expects the poller to wait d, then moves time on by d and fires.
func (r *pollerRig) wait(d time.Duration) {
	r.t.Helper()
	select {
	case w := <-r.timers.waits:
		if w.d != d {
			r.t.Fatalf("poller waits %v, want %v", w.d, d)
		}
		r.timers.clk.add(d)
		w.ch <- r.timers.clk.now()
	case <-time.After(5 * time.Second):
		r.t.Fatalf("poller did not wait (want %v)", d)
	}
}

// noWait checks that the poller is idle: no timer and no session.
func (r *pollerRig) noWait() {
	r.t.Helper()
	select {
	case w := <-r.timers.waits:
		r.t.Fatalf("poller waits %v, want it stopped", w.d)
	case <-r.calls:
		r.t.Fatal("a session started, want the account stopped")
	case <-time.After(100 * time.Millisecond):
	}
}

func (r *pollerRig) status() engine.AccountStatus {
	r.t.Helper()
	st := r.p.Status()
	if len(st) != 1 {
		r.t.Fatalf("Status() = %+v", st)
	}
	return st[0]
}

func TestPollerStateMachine(t *testing.T) {
	r := newPollerRig(t)
	sysTemp := &engine.FetchError{Account: "home", Err: &pop3.Error{Command: "RETR", Code: "SYS/TEMP", Text: "busy"}}
	// Start-up check, then exponential back-off on [SYS/TEMP].
	r.session(engine.Result{Err: sysTemp})
	r.wait(time.Minute)
	r.session(engine.Result{Err: sysTemp})
	r.wait(2 * time.Minute)
	r.session(engine.Result{Err: sysTemp})
	r.wait(4 * time.Minute)
	if st := r.status(); st.ErrorKind != engine.ErrorKindTemporary || st.Stopped {
		t.Errorf("status after SYS/TEMP = %+v", st)
	}
	// Success: back to the interval, unless LOGIN-DELAY asks for longer.
	r.session(engine.Result{New: 2, LoginDelay: 30 * time.Minute, Warning: "leave on server exceeds EXPIRE"})
	r.wait(30 * time.Minute)
	if st := r.status(); st.ErrorKind != "" || st.LastError != "" || st.Warning == "" {
		t.Errorf("status after success = %+v", st)
	}
	// [IN-USE]: retry later (not back-off), but never before LOGIN-DELAY.
	r.session(engine.Result{Err: &pop3.Error{Command: "PASS", Code: "IN-USE"}})
	r.wait(30 * time.Minute)
	// A held lock: retry later as well.
	r.session(engine.Result{Err: &engine.LockedError{Account: "home"}})
	r.wait(30 * time.Minute)
	if st := r.status(); st.ErrorKind != engine.ErrorKindLocked {
		t.Errorf("status after lock = %+v", st)
	}
	// [AUTH]: polling stops until the user acts.
	r.session(engine.Result{Err: &pop3.Error{Command: "PASS", Code: "AUTH", Text: "bad password"}})
	r.noWait()
	if st := r.status(); !st.Stopped || st.ErrorKind != engine.ErrorKindAuth || !st.NextCheck.IsZero() {
		t.Errorf("status after AUTH = %+v", st)
	}
	// Check now resumes it, still honouring LOGIN-DELAY counted from the last login.
	r.p.CheckNow("home")
	r.wait(30 * time.Minute)
	r.session(engine.Result{Err: &pop3.Error{Command: "PASS", Code: "SYS/PERM", Text: "account disabled"}})
	r.noWait()
	if st := r.status(); !st.Stopped || st.ErrorKind != engine.ErrorKindPermanent {
		t.Errorf("status after SYS/PERM = %+v", st)
	}
	// Once LOGIN-DELAY has passed, check now runs at once.
	r.timers.clk.add(time.Hour)
	r.p.CheckNow("")
	r.session(engine.Result{})
	r.wait(30 * time.Minute)

	r.mu.Lock()
	defer r.mu.Unlock()
	var progress, finished, newMail int
	for _, ev := range r.events {
		switch ev.Kind {
		case engine.EventProgress:
			progress++
		case engine.EventFinished:
			finished++
		case engine.EventNewMail:
			newMail++
			if ev.Result == nil || ev.Result.New != 2 {
				t.Errorf("new mail event %+v", ev)
			}
		}
	}
	if finished != 9 || newMail != 1 || progress < 9 {
		t.Errorf("events: %d finished, %d new mail, %d progress; want 9, 1, >= 9", finished, newMail, progress)
	}
}

func TestPollerBackoffIsCapped(t *testing.T) {
	r := newPollerRig(t)
	net := &engine.FetchError{Account: "home", Err: context.DeadlineExceeded}
	want := []time.Duration{1, 2, 4, 8, 16, 32, 60, 60}
	for _, m := range want {
		r.session(engine.Result{Err: net})
		r.wait(m * time.Minute)
	}
	if st := r.status(); st.ErrorKind != engine.ErrorKindNetwork {
		t.Errorf("status = %+v, want network", st)
	}
}

func TestPollerStopCancelsSession(t *testing.T) {
	r := newPollerRig(t)
	select {
	case <-r.calls: // a session is running and waits for its result
	case <-time.After(5 * time.Second):
		t.Fatal("no session")
	}
	done := make(chan struct{})
	go func() { r.p.Stop(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Stop did not cancel the running session")
	}
}

// TestPollerUsesEditedSettings runs the real sessions against scripted servers: an edit saved
// while the poller waits applies to the very next check (the poller once fetched with the copy
// of the account it had read before waiting), and Edited forgets the old error and checks at
// once with the new settings.
func TestPollerUsesEditedSettings(t *testing.T) {
	ctx := context.Background()
	oldDrop, newDrop := pop3test.NewMaildrop(), pop3test.NewMaildrop()
	oldDrop.Add("a1", []byte("Subject: on the old server\n\nold\n"))
	newDrop.Add("b1", []byte("Subject: on the new server\n\nnew\n"))
	oldSrv := pop3test.ServeMaildrop(t, oldDrop, "alice", "pw")
	newSrv := pop3test.ServeMaildrop(t, newDrop, "alice", "new-pw")
	f := newFixture(t, fixtureOptions{addr: oldSrv.Addr(), auth: "USER", password: "pw", leaveDays: 14})

	finished := make(chan engine.Result, 8)
	statuses := make(chan engine.AccountStatus, 64)
	p := f.e.NewPoller(engine.PollerOptions{OnEvent: func(ev engine.Event) {
		switch ev.Kind {
		case engine.EventFinished:
			finished <- *ev.Result
		case engine.EventStatus:
			statuses <- ev.Status
		}
	}})
	p.Start(ctx)
	t.Cleanup(p.Stop)
	next := func(what string) engine.Result {
		t.Helper()
		select {
		case r := <-finished:
			return r
		case <-time.After(20 * time.Second):
			t.Fatalf("no check finished (%s)", what)
		}
		return engine.Result{}
	}
	if r := next("start-up"); r.Err != nil || r.New != 1 {
		t.Fatalf("start-up check = %+v, want the old server's message", r)
	}

	// Host, port and password edited while the poller waits its ten minutes; Check now.
	host, port := pop3test.HostPort(newSrv.Addr())
	edited := *f.a
	edited.Host, edited.Port = host, port
	pw := "new-pw"
	if err := f.e.UpdateAccount(ctx, &edited, &pw); err != nil {
		t.Fatal(err)
	}
	p.CheckNow("home")
	if r := next("after the edit"); r.Err != nil || r.New != 1 {
		t.Fatalf("check after the edit = %+v, want the new server's message", r)
	}

	// A wrong password stops the account; the fix, saved, clears the error and checks at once.
	bad := "wrong"
	if err := f.e.UpdateAccount(ctx, &edited, &bad); err != nil {
		t.Fatal(err)
	}
	p.CheckNow("home")
	if r := next("wrong password"); engine.Classify(r.Err) != engine.ErrorKindAuth {
		t.Fatalf("check with the wrong password = %+v, want an [AUTH] error", r)
	}
	newDrop.Add("b2", []byte("Subject: second\n\nnew\n"))
	if err := f.e.UpdateAccount(ctx, &edited, &pw); err != nil {
		t.Fatal(err)
	}
	for len(statuses) > 0 {
		<-statuses
	}
	p.Reload()
	p.Edited("home")
	cleared := false
	deadline := time.After(20 * time.Second)
	for !cleared {
		select {
		case st := <-statuses:
			cleared = st.LastError == "" && !st.Stopped && st.ErrorKind == ""
		case <-deadline:
			t.Fatal("Edited did not clear the error")
		}
	}
	if r := next("after the fix"); r.Err != nil || r.New != 1 {
		t.Fatalf("check after the fix = %+v, want the second message", r)
	}
	if st := p.Status(); len(st) != 1 || st[0].LastError != "" || st[0].Stopped {
		t.Errorf("status after the fix = %+v", st)
	}
}

// TestPollerOneCheckPerRequest: "check now" and an edit asked for before a check starts are
// answered by that check; none runs a second one after it (a new account's first check was
// followed by an empty one, whose "no new mail" replaced the count of the first).
func TestPollerOneCheckPerRequest(t *testing.T) {
	r := newPollerRig(t)
	r.session(engine.Result{New: 300})
	r.wait(10 * time.Minute)
	r.session(engine.Result{})
	// Idle, waiting its interval: Check now twice and an edit make one check.
	var w fakeWait
	select {
	case w = <-r.timers.waits:
	case <-time.After(5 * time.Second):
		t.Fatal("poller did not wait")
	}
	if w.d != 10*time.Minute {
		t.Fatalf("poller waits %v, want 10m", w.d)
	}
	r.p.CheckNow("home")
	r.p.CheckNow("")
	r.p.Edited("home")
	r.session(engine.Result{New: 1})
	select {
	case w = <-r.timers.waits:
		if w.d != 10*time.Minute {
			t.Fatalf("after the check the poller waits %v, want its interval", w.d)
		}
	case <-r.calls:
		t.Fatal("a second check ran for requests the first one answered")
	case <-time.After(5 * time.Second):
		t.Fatal("poller did not wait")
	}
	select {
	case <-r.calls:
		t.Fatal("a second check ran for requests the first one answered")
	case <-time.After(200 * time.Millisecond):
	}
}
