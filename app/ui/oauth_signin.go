package ui

import (
	"context"
	"errors"
	"fyne.io/fyne/v2/lang"
	"net/url"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/mailstore"
)

// providerNames are the OAuth2 providers as people know them.
var providerNames = map[string]string{"google": "Google", "microsoft": "Microsoft"}

func providerName(p string) string {
	if n, ok := providerNames[p]; ok {
		return n
	}
	return p
}

// openURL hands an address to the desktop's browser (or to m.browser, for tests), from any
// goroutine.
func (m *mainWindow) openURL(raw string) error {
	if m.browser != nil {
		return m.browser(raw)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	m.bridge.do(func() {
		if err := m.app.OpenURL(u); err != nil {
			fyne.LogError("opening the sign-in page", err)
		}
	})
	return nil
}

// browserSignIn runs work (a sign-in that opens the browser and waits for its answer) behind a
// dialog that says what is happening and can cancel it; done gets work's error on the UI
// goroutine, unless the user cancelled.
func (m *mainWindow) browserSignIn(provider, account string, work func(ctx context.Context) error, done func(error)) {
	msg := widget.NewLabel(lang.L("Sign in to ") + providerName(provider) + lang.L(" in the browser window that opened for ") + account +
		lang.L(". Pouch waits for the answer here; it never sees your password."))
	msg.Wrapping = fyne.TextWrapWord
	bar := widget.NewProgressBarInfinite()
	var d dialog.Dialog
	cancelled, over := false, false
	cancel := m.bridge.start(work, func(err error) {
		over = true
		d.Hide()
		if !cancelled {
			done(err)
		}
	})
	d = dialog.NewCustom(lang.L("Sign in with ")+providerName(provider), lang.L("Cancel"), container.NewVBox(msg, bar), m.window)
	d.SetOnClosed(func() {
		if !over { // closed by the user: stop waiting for the browser
			cancelled = true
			cancel()
		}
	})
	d.Resize(fyne.NewSize(480, 180))
	d.Show()
}

// signInWithOAuth adds a new account by signing in through the browser (the set-up dialog's
// "Sign in with …"): the engine tests the login with the token before saving anything.
func (m *mainWindow) signInWithOAuth(provider string, a mailstore.Account) {
	a.OAuthProvider = provider
	eng := m.eng
	m.browserSignIn(provider, a.Name, func(ctx context.Context) error {
		return eng.AddOAuthAccount(ctx, &a, m.openURL)
	}, func(err error) {
		if err != nil {
			dialog.ShowError(errors.New(lang.L("The account was not added: ")+signInProblem(err)), m.window)
			return
		}
		m.accountSaved(a.Name, lang.L("Added account ")+a.Name+".")
	})
}

// signInAgain renews an account's sign-in after the provider revoked it.
func (m *mainWindow) signInAgain(a mailstore.Account) {
	eng := m.eng
	m.browserSignIn(a.OAuthProvider, a.Name, func(ctx context.Context) error {
		return eng.SignInAgain(ctx, a.Name, m.openURL)
	}, func(err error) {
		if err != nil {
			dialog.ShowError(errors.New(lang.L("Signing in again did not work: ")+signInProblem(err)), m.window)
			return
		}
		delete(m.asked, "signin:"+a.Name) // a later revocation asks again
		m.setStatus(a.Name + lang.L(": signed in again."))
		m.poller.Edited(a.Name) // the new grant replaces the refused one
	})
}

// askSignInAgain offers the sign-in when an account's grant was revoked.
func (m *mainWindow) askSignInAgain(a mailstore.Account) {
	dialog.ShowConfirm(lang.L("Sign in again to ")+a.Name,
		providerName(a.OAuthProvider)+lang.L(" no longer accepts Pouch's sign-in for ")+a.Name+
			lang.L(" (the password was changed, or access was removed), so mail is not being checked. Sign in again?"),
		func(ok bool) {
			if ok {
				m.signInAgain(a)
			}
		}, m.window)
}

// signInProblem says why a sign-in failed, in words people act on.
func signInProblem(err error) string {
	var sr *engine.SignInRequiredError
	if errors.As(err, &sr) {
		return lang.L("the provider refused the sign-in. Try again, and allow Pouch to read your mail.")
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return lang.L("no answer came from the browser in time. Try again.")
	}
	return fieldMessage(err)
}
