package ui

import (
	"context"
	"fyne.io/fyne/v2/lang"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/pouchmail/pouch/app/secrets"
	"github.com/pouchmail/pouch/mailstore"
)

func noKeyringText() string {
	return lang.L("There is no keyring service on this desktop, so Pouch cannot store passwords safely.\n" +
		"Pouch can ask for each password once every time it starts and keep it in memory only, " +
		"never on disk. Or install and unlock a keyring (gnome-keyring or KeePassXC's Secret Service) " +
		"and restart Pouch.")
}

// offerSessionPasswords explains that there is no keyring and, if the user agrees, keeps
// passwords in memory for this run; then retry runs.
func (m *mainWindow) offerSessionPasswords(cause error, retry func()) {
	text := widget.NewLabel(noKeyringText())
	text.Wrapping = fyne.TextWrapWord
	detail := widget.NewLabel(cause.Error())
	detail.Wrapping = fyne.TextWrapWord
	detail.Importance = widget.LowImportance
	d := dialog.NewCustomConfirm(lang.L("No keyring available"), lang.L("Ask each session"), lang.L("Cancel"),
		container.NewVBox(text, detail), func(ok bool) {
			if ok {
				m.eng.UseSessionPasswords(true)
				retry()
			}
		}, m.window)
	d.Resize(fyne.NewSize(640, 300))
	d.Show()
}

// askSessionPassword asks for an account's password for this session, when the keyring has none
// (or there is no keyring).
func (m *mainWindow) askSessionPassword(a mailstore.Account, cause error) {
	pw := widget.NewPasswordEntry()
	msg := lang.L("Pouch has no password for {{.User}} on {{.Host}}.", map[string]any{"User": a.Username, "Host": a.Host})
	if secrets.IsUnavailable(cause) {
		msg = noKeyringText()
	}
	text := widget.NewLabel(msg)
	text.Wrapping = fyne.TextWrapWord
	remember := widget.NewCheck(lang.L("Store it in the keyring"), nil)
	if secrets.IsUnavailable(cause) || m.eng.KeyringAvailable() != nil {
		remember.Disable()
	} else {
		remember.SetChecked(true)
	}
	form := widget.NewForm(widget.NewFormItem(lang.L("Password"), pw), widget.NewFormItem("", remember))
	d := dialog.NewCustomConfirm(lang.L("Password for ")+a.Name, lang.L("Use password"), lang.L("Cancel"), container.NewVBox(text, form),
		func(ok bool) {
			if !ok || pw.Text == "" {
				return
			}
			password, keep, eng, name := pw.Text, remember.Checked, m.eng, a.Name
			m.bridge.run(func(ctx context.Context) error {
				if keep {
					return eng.SetPassword(ctx, name, password)
				}
				eng.SetSessionPassword(name, password)
				return nil
			}, func(err error) {
				if err != nil {
					m.showError(lang.L("Could not store the password"), err)
					return
				}
				m.poller.Edited(name) // a check with the password just given
			})
		}, m.window)
	d.Resize(fyne.NewSize(600, 300))
	d.Show()
}
