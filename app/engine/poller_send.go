package engine

import (
	"context"
	"time"
)

// sendPoll is how often the outbox loop looks for messages queued by another Pouch (the CLI
// while the window runs) when nothing is due sooner.
const sendPoll = time.Minute

// SendNow wakes the outbox loop: messages just queued go at once.
func (p *Poller) SendNow() {
	select {
	case p.sendWake <- struct{}{}:
	default:
	}
}

// sendLoop sends every account's due messages, then sleeps until the earliest next attempt
// (the back-off after a 4xx or a network failure), a SendNow, or sendPoll. Its clock is the
// engine's (Options.Now), the one that stamps next attempts; it waits on real timers.
func (p *Poller) sendLoop(ctx context.Context) {
	for {
		next := p.e.opts.Now().Add(sendPoll)
		accts, err := p.e.store.Accounts(ctx)
		if err != nil && ctx.Err() != nil {
			return
		}
		for i := range accts {
			a := &accts[i]
			if !a.SendsMail() {
				continue
			}
			results, err := p.e.SendDue(ctx, a)
			if ctx.Err() != nil {
				return
			}
			if err != nil {
				continue // the lock is held by another Pouch's run: the next round
			}
			for i := range results {
				r := results[i]
				p.emit(Event{Kind: EventSend, Account: a.Name, Send: &r})
			}
			if t, ok, err := p.e.store.NextAttempt(ctx, a.ID); err == nil && ok && t.Before(next) {
				next = t
			}
		}
		timer := time.NewTimer(max(next.Sub(p.e.opts.Now()), time.Second))
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-p.sendWake:
			timer.Stop()
		case <-timer.C:
		}
	}
}
