package ui

import (
	"context"

	"github.com/pouchmail/pouch/app/engine"
)

// enginePoller wires the engine's poller to the window: its events are converted at the
// boundary, so the window never sees engine goroutines.
func enginePoller(e *engine.Engine, onEvent func(pollEvent)) poller {
	return &engineAdapter{p: e.NewPoller(engine.PollerOptions{OnEvent: func(ev engine.Event) {
		onEvent(pollEvent{kind: convertKind(ev.Kind), account: ev.Account, progress: ev.Progress,
			result: ev.Result, status: convertStatus(ev.Status)})
	}})}
}

type engineAdapter struct{ p *engine.Poller }

func (a *engineAdapter) Start(ctx context.Context) { a.p.Start(ctx) }
func (a *engineAdapter) CheckNow(account string)   { a.p.CheckNow(account) }
func (a *engineAdapter) Reload()                   { a.p.Reload() }
func (a *engineAdapter) Stop()                     { a.p.Stop() }

func (a *engineAdapter) Status() []accountStatus {
	var out []accountStatus
	for _, s := range a.p.Status() {
		out = append(out, convertStatus(s))
	}
	return out
}

func convertKind(k engine.EventKind) pollEventKind {
	switch k {
	case engine.EventFinished:
		return pollFinished
	case engine.EventNewMail:
		return pollNewMail
	case engine.EventStatus:
		return pollStatus
	}
	return pollProgress
}

func convertStatus(s engine.AccountStatus) accountStatus {
	return accountStatus{Account: s.Account, LastCheck: s.LastCheck, NextCheck: s.NextCheck,
		LastError: s.LastError, ErrorKind: s.ErrorKind, Stopped: s.Stopped, Warning: s.Warning}
}
