package ui

import (
	"fyne.io/fyne/v2/lang"

	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/mailstore"
)

// poller is what the window asks of the engine's background poller (*engine.Poller), whose
// events reach the window through onPollEvent; tests put a fake in its place.
type poller interface {
	CheckNow(account string) // "" = every account
	Reload()                 // accounts were added, edited or removed
	Edited(account string)   // an account's settings or password changed: forget its error, check it
}

// problemOf is an account's last failure in words (problems.go): from the error of its last
// check when the window saw it, else from the poller's text; nil when the account is fine.
func (m *mainWindow) problemOf(st engine.AccountStatus) *problem {
	if st.LastError == "" {
		return nil
	}
	a := accountByName(m.accounts, st.Account)
	var p problem
	if err := m.lastErr[st.Account]; err != nil {
		p = explain(err, a)
	} else {
		p = problem{Summary: withoutPrefixes(st.LastError, a), Details: st.LastError}
	}
	if st.Stopped {
		p.Summary += lang.L(" (checking paused: fix the account, then Check now)")
	}
	return &p
}

// errorText is the one-line reason shown under a failed account's name.
func (m *mainWindow) errorText(st engine.AccountStatus) string {
	if p := m.problemOf(st); p != nil {
		return p.Summary
	}
	return ""
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
