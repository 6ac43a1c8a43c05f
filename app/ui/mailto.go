package ui

import (
	"context"
	"errors"
	"fyne.io/fyne/v2/lang"

	"github.com/pouchmail/pouch/app/compose"
	"github.com/pouchmail/pouch/mailstore"
)

// writeTo opens the compose window on draft (from a mailto: link: addresses, subject and body)
// once the accounts are read, from the first account that sends mail, with its signature. The
// accounts are read here rather than taken from the window, which may not have them yet; nil
// does nothing.
func (m *mainWindow) writeTo(draft *compose.Message) {
	if draft == nil {
		return
	}
	eng := m.eng
	var accts []mailstore.Account
	m.bridge.run(func(ctx context.Context) (err error) {
		accts, err = eng.Accounts(ctx)
		return err
	}, func(err error) {
		if err != nil {
			m.showError(lang.L("Cannot write a message"), err)
			return
		}
		var a *mailstore.Account
		for i := range accts {
			if accts[i].SendsMail() {
				a = &accts[i]
				break
			}
		}
		if a == nil {
			m.showError(lang.L("Cannot write a message"), errors.New(lang.L("No account has an SMTP server to send through: add one in the account settings.")))
			return
		}
		from, err := m.eng.Identity(a)
		if err != nil {
			m.showError(lang.L("Cannot write a message"), err)
			return
		}
		msg := *draft
		msg.From = from
		if msg.Text == "" {
			msg.Text = "\n\n"
		}
		msg.Text = compose.WithSignature(msg.Text, a.Signature)
		m.openCompose(a.Name, &msg, 0)
	})
}
