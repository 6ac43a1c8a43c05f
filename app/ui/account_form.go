package ui

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/pouchmail/pouch/app/account"
	"github.com/pouchmail/pouch/mailstore"
)

var securityLabels = []string{"TLS", "STARTTLS", "None (unencrypted)"}

// AccountForm holds the add-account fields; exported for tests.
type AccountForm struct {
	Name, Host, Port, User, LeaveDays *widget.Entry
	Password                          *widget.Entry
	Security                          *widget.Select
	KeepForever                       *widget.Check
	Error                             *widget.Label
	Dialog                            *dialog.CustomDialog
	submit                            func()
}

// Submit validates the fields and saves the account, as the Add button does.
func (f *AccountForm) Submit() { f.submit() }

// ShowAddAccount opens the add-account dialog.
func (m *MainWindow) ShowAddAccount() { m.NewAccountForm().Dialog.Show() }

// NewAccountForm builds the add-account dialog without showing it.
func (m *MainWindow) NewAccountForm() *AccountForm {
	f := &AccountForm{
		Name: widget.NewEntry(), Host: widget.NewEntry(), Port: widget.NewEntry(),
		User: widget.NewEntry(), LeaveDays: widget.NewEntry(), Password: widget.NewPasswordEntry(),
		Error: widget.NewLabel(""),
	}
	f.Name.SetPlaceHolder("Work")
	f.Host.SetPlaceHolder("pop.example.com")
	f.User.SetPlaceHolder("you@example.com")
	f.Port.SetText("995")
	f.LeaveDays.SetText(strconv.Itoa(account.DefaultLeaveDays))
	f.Error.Wrapping = fyne.TextWrapWord
	f.Error.Importance = widget.DangerImportance
	f.Security = widget.NewSelect(securityLabels, func(s string) {
		// The port follows the security choice, as users expect from other clients.
		sec := securityFromLabel(s)
		if p := f.Port.Text; p == "" || p == "995" || p == "110" {
			f.Port.SetText(strconv.Itoa(account.DefaultPort(sec)))
		}
	})
	f.Security.SetSelected(securityLabels[0])
	f.KeepForever = widget.NewCheck("Keep on server forever", func(on bool) {
		if on {
			f.LeaveDays.Disable()
		} else {
			f.LeaveDays.Enable()
		}
	})
	items := []*widget.FormItem{
		widget.NewFormItem("Account name", f.Name),
		widget.NewFormItem("Server", f.Host),
		widget.NewFormItem("Security", f.Security),
		widget.NewFormItem("Port", f.Port),
		widget.NewFormItem("User name", f.User),
		widget.NewFormItem("Password", f.Password),
		widget.NewFormItem("Leave on server (days)", f.LeaveDays),
		widget.NewFormItem("", f.KeepForever),
		widget.NewFormItem("", f.Error),
	}
	form := widget.NewForm(items...)
	form.SubmitText, form.CancelText = "Add", "Cancel"
	// A custom dialog rather than dialog.NewForm: that one closes on confirm, and a mistake
	// should be correctable without retyping everything.
	f.Dialog = dialog.NewCustomWithoutButtons("Add account", form, m.Window)
	f.submit = func() { m.submitAccount(f) }
	form.OnSubmit = f.Submit
	form.OnCancel = f.Dialog.Hide
	f.Dialog.Resize(fyne.NewSize(520, 480))
	return f
}

// Account reads the fields into an account and validates it.
func (f *AccountForm) Account() (*mailstore.Account, error) {
	a := account.New(strings.TrimSpace(f.Name.Text), strings.TrimSpace(f.Host.Text), strings.TrimSpace(f.User.Text))
	a.Security = securityFromLabel(f.Security.Selected)
	port, err := strconv.Atoi(strings.TrimSpace(f.Port.Text))
	if err != nil {
		return nil, &account.FieldError{Field: "port", Problem: "must be a number"}
	}
	a.Port = port
	a.KeepForever = f.KeepForever.Checked
	if !a.KeepForever {
		days, err := strconv.Atoi(strings.TrimSpace(f.LeaveDays.Text))
		if err != nil {
			return nil, &account.FieldError{Field: "leave-days", Problem: "must be a number of days"}
		}
		a.LeaveDays = days
	}
	if err := account.Validate(a); err != nil {
		return nil, err
	}
	return a, nil
}

func (m *MainWindow) submitAccount(f *AccountForm) {
	a, err := f.Account()
	if err == nil && f.Password.Text == "" {
		err = errors.New("enter the password: it is stored in the system keyring")
	}
	if err != nil {
		f.Error.SetText(err.Error())
		return
	}
	f.Error.SetText("Saving…")
	eng, password := m.eng, f.Password.Text
	m.bridge.run(func(ctx context.Context) error {
		return eng.AddAccount(ctx, a, password)
	}, func(err error) {
		if err != nil {
			f.Error.SetText(err.Error())
			return
		}
		f.Dialog.Hide()
		m.setStatus("Added account " + a.Name + ".")
		m.Reload()
	})
}

func securityFromLabel(s string) mailstore.Security {
	switch s {
	case securityLabels[1]:
		return mailstore.SecurityStartTLS
	case securityLabels[2]:
		return mailstore.SecurityNone
	}
	return mailstore.SecurityTLS
}
