package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"syscall"
	"time"
)

// SignalGrace is how long a clean stop may take after the first SIGINT or SIGTERM before
// Pouch exits anyway. Exiting mid-session is safe: the connection drops without QUIT, so the
// server deletes nothing, and SQLite rolls back an unfinished transaction, as after SIGKILL.
const SignalGrace = 5 * time.Second

// SignalOptions configures HandleSignals.
type SignalOptions struct {
	Stderr io.Writer      // gets one line per signal; nil = nothing printed
	Exit   func(code int) // ends the process (os.Exit); it must not return to the caller's work
	Grace  time.Duration  // 0 = SignalGrace
}

// Interrupts turns termination signals into the process's way of stopping: the first one
// cancels the context, so every session closes without QUIT and every command returns; a
// second one, or a clean stop that takes longer than the grace period, exits at once with
// 128 + the signal's number (130 for SIGINT, 143 for SIGTERM).
type Interrupts struct {
	ctx    context.Context
	cancel context.CancelFunc
	sigs   <-chan os.Signal
	o      SignalOptions
	stop   chan struct{}
	done   chan struct{}

	mu    sync.Mutex
	first os.Signal
}

// HandleSignals watches sigs (fed by signal.Notify) until Stop. Its Context is parent's child,
// cancelled by the first signal.
func HandleSignals(parent context.Context, sigs <-chan os.Signal, o SignalOptions) *Interrupts {
	if o.Stderr == nil {
		o.Stderr = io.Discard
	}
	if o.Grace <= 0 {
		o.Grace = SignalGrace
	}
	ctx, cancel := context.WithCancel(parent)
	in := &Interrupts{ctx: ctx, cancel: cancel, sigs: sigs, o: o, stop: make(chan struct{}), done: make(chan struct{})}
	go in.loop()
	return in
}

// Context is cancelled by the first signal.
func (in *Interrupts) Context() context.Context { return in.ctx }

// Signal is the first signal received, or nil.
func (in *Interrupts) Signal() os.Signal {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.first
}

// ExitCode is the status to exit with once the work returned code: the signal's status if
// one arrived (the work was cut short), else code.
func (in *Interrupts) ExitCode(code int) int {
	if s := in.Signal(); s != nil {
		return SignalExitCode(s)
	}
	return code
}

// Stop ends the watch (signals after it are no longer acted on) and releases the context.
func (in *Interrupts) Stop() {
	select {
	case <-in.stop:
	default:
		close(in.stop)
	}
	<-in.done
	in.cancel()
}

func (in *Interrupts) loop() {
	defer close(in.done)
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	var grace <-chan time.Time
	for {
		select {
		case <-in.stop:
			return
		case s := <-in.sigs:
			in.mu.Lock()
			first := in.first
			if first == nil {
				in.first = s
			}
			in.mu.Unlock()
			if first == nil {
				fmt.Fprintf(in.o.Stderr, "pouch: %v: stopping… (a second signal quits at once)\n", s)
				in.cancel()
				timer = time.NewTimer(in.o.Grace)
				grace = timer.C
				continue
			}
			fmt.Fprintf(in.o.Stderr, "pouch: %v again: quitting now\n", s)
			in.o.Exit(SignalExitCode(s))
			return
		case <-grace:
			s := in.Signal()
			fmt.Fprintf(in.o.Stderr, "pouch: not stopped after %v: quitting now\n", in.o.Grace)
			in.o.Exit(SignalExitCode(s))
			return
		}
	}
}

// SignalExitCode is the shell's status for a process ended by sig: 128 + its number.
func SignalExitCode(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 128 + int(syscall.SIGINT)
}
