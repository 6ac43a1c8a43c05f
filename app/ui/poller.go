package ui

import (
	"fyne.io/fyne/v2/lang"
	"strings"

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

// errorText is the one-line reason shown for a failed account.
func errorText(s engine.AccountStatus) string {
	if s.LastError == "" {
		return ""
	}
	// Session errors start with the account's name, which the sidebar already shows.
	msg := strings.TrimPrefix(s.LastError, s.Account+": ")
	if s.Stopped {
		return msg + lang.L(" (checking paused: fix the account, then Check now)")
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
