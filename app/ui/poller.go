package ui

import (
	"context"
	"strings"
	"time"

	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/mailstore"
)

// The window needs only this of the engine's background poller. It mirrors engine.Poller's
// API so that tests can drive the window with a fake and the real poller plugs in through an
// adapter (poller_engine.go).

type pollEventKind int

const (
	pollProgress pollEventKind = iota // a session reports progress
	pollFinished                      // a session ended; result set
	pollNewMail                       // a session stored new mail; result set
	pollStatus                        // an account's status changed
)

// pollEvent is one report from the poller; it arrives on a poller goroutine.
type pollEvent struct {
	kind     pollEventKind
	account  string
	progress engine.Progress
	result   *engine.Result
	status   accountStatus
}

// accountStatus is an account's polling state, shown as the sidebar's badge.
type accountStatus struct {
	Account              string
	LastCheck, NextCheck time.Time
	LastError            string
	ErrorKind            string // "", "auth", "temporary", "permanent", "tls", "network", "locked", "config"
	Stopped              bool   // polling paused until the user acts
	Warning              string
}

type poller interface {
	Start(ctx context.Context)
	CheckNow(account string) // "" = every account
	Reload()                 // accounts were added, edited or removed
	Status() []accountStatus
	Stop()
}

// pollerFactory makes the window's poller; onEvent must not block.
type pollerFactory func(e *engine.Engine, onEvent func(pollEvent)) poller

// errorText is the one-line reason shown for a failed account.
func (s accountStatus) errorText() string {
	if s.LastError == "" {
		return ""
	}
	// Session errors start with the account's name, which the sidebar already shows.
	msg := strings.TrimPrefix(s.LastError, s.Account+": ")
	if s.Stopped {
		return msg + " (checking paused: fix the account, then Check now)"
	}
	return msg
}

// accountByName finds an account in a slice.
func accountByName(accts []mailstore.Account, name string) *mailstore.Account {
	for i := range accts {
		if accts[i].Name == name {
			return &accts[i]
		}
	}
	return nil
}
