package ui

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pouchmail/pouch/app/account"
	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/app/secrets"
	"github.com/pouchmail/pouch/mailstore"
	"github.com/pouchmail/pouch/pop3"
)

var securityLabels = []string{"TLS", "STARTTLS", "None (unencrypted)"}

const authAutomatic = "Automatic (strongest offered)"

var authLabels = append([]string{authAutomatic}, pop3.Mechanisms...)

// Leave-on-server choices.
const (
	leaveDelete  = "Delete after download"
	leaveDays    = "Keep for a number of days"
	leaveForever = "Keep forever"
)

// AccountForm is the add/edit account dialog; exported for tests.
type AccountForm struct {
	DisplayName, Address, Name, Host, Port, User, Password *widget.Entry
	LeaveDays, Interval, SizeLimit                         *widget.Entry
	Security, Auth                                         *widget.Select
	Leave                                                  *widget.RadioGroup
	DeleteOnServer                                         *widget.Check
	SecurityWarning                                        *widget.Label
	Error                                                  *widget.Label // the first problem, updated as you type
	TestResult                                             *widget.Label
	TestButton, RemoveButton                               *widget.Button
	CertButton                                             *widget.Button // shown when Test connection met an untrusted certificate
	Dialog                                                 *dialog.CustomDialog

	m        *MainWindow
	editing  *mailstore.Account // nil when adding
	pin      string             // pinned certificate, kept or chosen in this dialog
	lastCert *pop3.TLSError
	ready    bool // the fields are filled in; validation may speak
}

// ShowAddAccount opens the add-account dialog.
func (m *MainWindow) ShowAddAccount() { m.NewAccountForm(nil).Dialog.Show() }

// ShowEditSelectedAccount opens the edit dialog of the account selected in the sidebar.
func (m *MainWindow) ShowEditSelectedAccount() {
	if a := accountByName(m.accounts, m.view.account); a != nil {
		c := *a
		m.NewAccountForm(&c).Dialog.Show()
	}
}

// NewAccountForm builds the account dialog without showing it: for a new account when edit is
// nil, else for editing (and removing) that account.
func (m *MainWindow) NewAccountForm(edit *mailstore.Account) *AccountForm {
	f := &AccountForm{m: m, editing: edit}
	entry := func(placeholder string) *widget.Entry {
		e := widget.NewEntry()
		e.SetPlaceHolder(placeholder)
		return e
	}
	f.DisplayName = entry("Alice Example")
	f.Address = entry("alice@example.com")
	f.Name = entry("Home")
	f.Host = entry("pop.example.com")
	f.Port = entry("995")
	f.User = entry("alice@example.com")
	f.Password = widget.NewPasswordEntry()
	f.LeaveDays = entry("14")
	f.Interval = entry("10")
	f.SizeLimit = entry("0 = no limit")
	f.Error = widget.NewLabel("")
	f.Error.Wrapping = fyne.TextWrapWord
	f.Error.Importance = widget.DangerImportance
	f.SecurityWarning = widget.NewLabel("Without encryption, your password and your mail cross the network " +
		"readable by anyone on the way. Use this only on a network you control.")
	f.SecurityWarning.Wrapping = fyne.TextWrapWord
	f.SecurityWarning.Importance = widget.DangerImportance
	f.SecurityWarning.Hide()
	f.TestResult = widget.NewLabel("")
	f.TestResult.Wrapping = fyne.TextWrapWord
	f.TestResult.Selectable = true

	prevSec := mailstore.SecurityTLS
	f.Security = widget.NewSelect(securityLabels, func(s string) {
		// The port follows the security choice unless the user typed another one.
		sec := securityFromLabel(s)
		if p := strings.TrimSpace(f.Port.Text); p == "" || p == strconv.Itoa(account.DefaultPort(prevSec)) {
			f.Port.SetText(strconv.Itoa(account.DefaultPort(sec)))
		}
		prevSec = sec
		if sec == mailstore.SecurityNone {
			f.SecurityWarning.Show()
		} else {
			f.SecurityWarning.Hide()
		}
		f.validate()
	})
	f.Auth = widget.NewSelect(authLabels, nil)
	f.Leave = widget.NewRadioGroup([]string{leaveDelete, leaveDays, leaveForever}, func(s string) {
		if s == leaveDays {
			f.LeaveDays.Enable()
		} else {
			f.LeaveDays.Disable()
		}
		f.validate()
	})
	f.Leave.Required = true
	f.DeleteOnServer = widget.NewCheck("Delete from the server when I delete a message here", nil)

	f.fill(edit, m.prefs.DefaultInterval())
	f.ready = true
	for field, e := range map[string]*widget.Entry{
		"name": f.Name, "host": f.Host, "port": f.Port, "user": f.User, "leave-days": f.LeaveDays,
		"interval": f.Interval, "size-limit": f.SizeLimit, "address": f.Address, "password": f.Password,
	} {
		field := field
		e.Validator = func(string) error {
			if err := f.problems()[field]; err != nil {
				return errors.New(fieldMessage(err))
			}
			return nil
		}
		e.OnChanged = func(string) { f.validate() }
	}

	f.TestButton = widget.NewButtonWithIcon("Test connection", theme.MailSendIcon(), f.Test)
	f.CertButton = widget.NewButtonWithIcon("Show certificate…", theme.WarningIcon(), f.showCert)
	f.CertButton.Hide()
	days := container.NewGridWrap(fyne.NewSize(100, f.LeaveDays.MinSize().Height), f.LeaveDays)
	leaveBox := container.NewVBox(f.Leave, container.NewHBox(widget.NewLabel("Days to keep:"), days))
	items := []*widget.FormItem{
		widget.NewFormItem("Your name", f.DisplayName),
		widget.NewFormItem("Email address", f.Address),
		widget.NewFormItem("Account name", f.Name),
		widget.NewFormItem("POP3 server", f.Host),
		widget.NewFormItem("Security", container.NewVBox(f.Security, f.SecurityWarning)),
		widget.NewFormItem("Port", f.Port),
		widget.NewFormItem("User name", f.User),
		widget.NewFormItem("Password", f.Password),
		widget.NewFormItem("Authentication", f.Auth),
		widget.NewFormItem("Leave on server", leaveBox),
		widget.NewFormItem("", f.DeleteOnServer),
		widget.NewFormItem("Check every (minutes)", f.Interval),
		widget.NewFormItem("Size limit (KB)", f.SizeLimit),
	}
	items[7].HintText = "Stored in the system keyring, never in Pouch's files."
	items[12].HintText = "Larger messages are downloaded as headers only; 0 = no limit."
	if edit != nil {
		items[7].HintText = "Leave empty to keep the stored password."
	}
	form := widget.NewForm(items...)

	title, save := "Add account", "Add"
	if edit != nil {
		title, save = "Edit account "+edit.Name, "Save"
	}
	saveBtn := widget.NewButtonWithIcon(save, theme.ConfirmIcon(), f.Submit)
	saveBtn.Importance = widget.HighImportance
	cancelBtn := widget.NewButton("Cancel", func() { f.Dialog.Hide() })
	buttons := []fyne.CanvasObject{cancelBtn, saveBtn}
	f.RemoveButton = widget.NewButtonWithIcon("Remove account…", theme.DeleteIcon(), f.confirmRemove)
	f.RemoveButton.Importance = widget.DangerImportance
	if edit == nil {
		f.RemoveButton.Hide()
	}
	testRow := container.NewBorder(nil, nil, container.NewHBox(f.TestButton, f.CertButton), f.RemoveButton)
	body := container.NewBorder(nil, container.NewVBox(f.Error, widget.NewSeparator(), testRow, f.TestResult), nil, nil,
		container.NewVScroll(form))
	// A custom dialog rather than dialog.NewForm: that one closes on confirm, and a mistake
	// should be correctable without retyping everything.
	f.Dialog = dialog.NewCustomWithoutButtons(title, body, m.Window)
	f.Dialog.SetButtons(buttons)
	f.Dialog.Resize(fyne.NewSize(720, 760))
	if edit != nil {
		f.validate() // a stored account that no longer validates says so at once
	}
	return f
}

// fill puts an account's settings (or the defaults) into the fields.
func (f *AccountForm) fill(a *mailstore.Account, interval time.Duration) {
	if a == nil {
		a = account.New("", "", "")
		a.Interval = interval
	}
	f.DisplayName.SetText(a.DisplayName)
	f.Address.SetText(a.Address)
	f.Name.SetText(a.Name)
	f.Host.SetText(a.Host)
	f.User.SetText(a.Username)
	f.Security.SetSelected(securityLabel(a.Security))
	f.Port.SetText(strconv.Itoa(a.Port))
	f.Auth.SetSelected(authAutomatic)
	if a.AuthMethod != "" {
		f.Auth.SetSelected(a.AuthMethod)
	}
	f.LeaveDays.SetText(strconv.Itoa(max(a.LeaveDays, 1)))
	switch {
	case a.KeepForever:
		f.Leave.SetSelected(leaveForever)
	case a.LeaveDays == 0:
		f.Leave.SetSelected(leaveDelete)
	default:
		f.Leave.SetSelected(leaveDays)
	}
	f.DeleteOnServer.SetChecked(a.DeleteOnServer)
	f.Interval.SetText(strconv.Itoa(int(a.Interval / time.Minute)))
	f.SizeLimit.SetText(strconv.FormatInt(a.SizeLimit/1024, 10))
	f.pin = a.PinnedCertSHA256
	if a.Name != "" {
		f.Password.SetPlaceHolder("(unchanged)")
	}
}

// read turns the fields into an account; numbers that do not parse are reported per field.
func (f *AccountForm) read() (*mailstore.Account, map[string]error) {
	probs := map[string]error{}
	a := account.New(strings.TrimSpace(f.Name.Text), strings.TrimSpace(f.Host.Text), strings.TrimSpace(f.User.Text))
	if f.editing != nil {
		a.ID, a.Created, a.CACertPEM = f.editing.ID, f.editing.Created, f.editing.CACertPEM
	}
	a.DisplayName = strings.TrimSpace(f.DisplayName.Text)
	a.Address = strings.TrimSpace(f.Address.Text)
	a.Security = securityFromLabel(f.Security.Selected)
	a.PinnedCertSHA256 = f.pin
	if f.Auth.Selected != authAutomatic {
		a.AuthMethod = f.Auth.Selected
	}
	number := func(field string, e *widget.Entry, problem string) int {
		s := strings.TrimSpace(e.Text)
		n, err := strconv.Atoi(s)
		if err != nil {
			probs[field] = &account.FieldError{Field: field, Problem: problem}
		}
		return n
	}
	a.Port = number("port", f.Port, "must be a number, e.g. 995 for TLS or 110")
	switch f.Leave.Selected {
	case leaveForever:
		a.KeepForever = true
	case leaveDelete:
		a.LeaveDays = 0
	default:
		a.LeaveDays = number("leave-days", f.LeaveDays, "must be a number of days")
	}
	a.DeleteOnServer = f.DeleteOnServer.Checked
	a.Interval = time.Duration(number("interval", f.Interval, "must be a number of minutes")) * time.Minute
	if s := strings.TrimSpace(f.SizeLimit.Text); s != "" {
		kb := number("size-limit", f.SizeLimit, "must be a number of kilobytes (0 = no limit)")
		if kb < 0 {
			probs["size-limit"] = &account.FieldError{Field: "size-limit", Problem: "must not be negative"}
		}
		a.SizeLimit = int64(kb) * 1024
	}
	if a.Address != "" {
		if _, err := mail.ParseAddress(a.Address); err != nil {
			probs["address"] = &account.FieldError{Field: "address", Problem: "is not an email address (like alice@example.com)"}
		}
	}
	if f.editing == nil && f.Password.Text == "" {
		probs["password"] = &account.FieldError{Field: "password", Problem: "is needed: it is stored in the system keyring"}
	}
	return a, probs
}

// problems checks every field on its own, so each gets its own message while typing: a field's
// value is validated on an otherwise valid account.
func (f *AccountForm) problems() map[string]error {
	a, probs := f.read()
	for field, copyField := range map[string]func(dst *mailstore.Account){
		"name":       func(d *mailstore.Account) { d.Name = a.Name },
		"host":       func(d *mailstore.Account) { d.Host = a.Host },
		"port":       func(d *mailstore.Account) { d.Port = a.Port },
		"user":       func(d *mailstore.Account) { d.Username = a.Username },
		"leave-days": func(d *mailstore.Account) { d.LeaveDays, d.KeepForever = a.LeaveDays, a.KeepForever },
		"interval":   func(d *mailstore.Account) { d.Interval = a.Interval },
	} {
		if probs[field] != nil {
			continue
		}
		good := account.New("x", "pop.example.com", "x")
		copyField(good)
		if err := account.Validate(good); err != nil {
			probs[field] = err
		}
	}
	if probs["name"] == nil && f.m.nameTaken(a.Name, f.editing) {
		probs["name"] = &account.FieldError{Field: "name", Problem: fmt.Sprintf("%q is already used by another account", a.Name)}
	}
	return probs
}

// fieldOrder is the order the fields appear in, for the summary line.
var fieldOrder = []string{"address", "name", "host", "port", "user", "leave-days", "interval", "size-limit", "password"}

// validate shows the first problem under the form; it runs as the user types.
func (f *AccountForm) validate() error {
	if !f.ready {
		return nil // still filling the fields in
	}
	probs := f.problems()
	for _, field := range fieldOrder {
		if err := probs[field]; err != nil {
			f.Error.SetText(fieldMessage(err))
			return err
		}
	}
	f.Error.SetText("")
	return nil
}

// fieldMessage says what to fix in words, without the "account" prefix of FieldError.
func fieldMessage(err error) string {
	var fe *account.FieldError
	if errors.As(err, &fe) {
		names := map[string]string{"name": "Account name", "host": "Server", "port": "Port", "user": "User name",
			"leave-days": "Days on server", "interval": "Check interval", "size-limit": "Size limit",
			"address": "Email address", "password": "Password", "security": "Security"}
		if n, ok := names[fe.Field]; ok {
			return n + " " + fe.Problem + "."
		}
	}
	return err.Error()
}

func (m *MainWindow) nameTaken(name string, self *mailstore.Account) bool {
	for _, a := range m.accounts {
		if a.Name == name && (self == nil || a.ID != self.ID) {
			return true
		}
	}
	return false
}

// Account reads the fields into a valid account, or returns the first problem.
func (f *AccountForm) Account() (*mailstore.Account, error) {
	if err := f.validate(); err != nil {
		return nil, err
	}
	a, _ := f.read()
	if err := account.Validate(a); err != nil {
		return nil, err
	}
	return a, nil
}

// Submit validates the fields and saves the account, as the Add/Save button does.
func (f *AccountForm) Submit() {
	a, err := f.Account()
	if err != nil {
		return // the message is already under the form
	}
	m, eng := f.m, f.m.eng
	var password *string
	if pw := f.Password.Text; pw != "" {
		password = &pw
	}
	f.Error.SetText("Saving…")
	editing := f.editing != nil
	m.bridge.run(func(ctx context.Context) error {
		if editing {
			return eng.UpdateAccount(ctx, a, password)
		}
		return eng.AddAccount(ctx, a, *password)
	}, func(err error) {
		if secrets.IsUnavailable(err) {
			f.Error.SetText("No keyring service: the password could not be stored.")
			m.offerSessionPasswords(err, f.Submit)
			return
		}
		if err != nil {
			f.Error.SetText(fieldMessage(err))
			return
		}
		f.Dialog.Hide()
		if editing {
			m.setStatus("Saved account " + a.Name + ".")
		} else {
			m.setStatus("Added account " + a.Name + ".")
		}
		m.poller.Reload()
		m.poller.CheckNow(a.Name)
		m.Reload()
	})
}

// Test runs Test connection in the background and reports what the server offered.
func (f *AccountForm) Test() {
	a, _ := f.read()
	probs := f.problems()
	for _, field := range fieldOrder {
		// The password is checked below: an edited account may use its stored one.
		if err := probs[field]; err != nil && field != "password" {
			f.TestResult.SetText("Fix the settings first: " + fieldMessage(err))
			return
		}
	}
	if f.editing == nil && f.Password.Text == "" {
		f.TestResult.SetText("Enter the password to test the connection.")
		return
	}
	f.TestButton.Disable()
	f.CertButton.Hide()
	f.TestResult.SetText("Connecting to " + a.Host + "…")
	eng, password := f.m.eng, f.Password.Text
	var r *engine.ConnectionReport
	f.m.bridge.run(func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, 45*time.Second)
		defer cancel()
		var err error
		r, err = eng.TestConnection(ctx, a, password)
		return err
	}, func(err error) {
		f.TestButton.Enable()
		if err != nil {
			f.TestResult.Importance = widget.DangerImportance
			f.TestResult.SetText("Failed: " + err.Error())
			var terr *pop3.TLSError
			if errors.As(err, &terr) && len(terr.Certificates) > 0 {
				f.lastCert = terr
				f.CertButton.Show()
			}
			return
		}
		f.TestResult.Importance = widget.SuccessImportance
		f.TestResult.SetText(reportText(r))
	})
}

// reportText describes a successful test in a few lines.
func reportText(r *engine.ConnectionReport) string {
	var b strings.Builder
	b.WriteString("Connected and logged in")
	if r.Duration > 0 {
		fmt.Fprintf(&b, " in %s", r.Duration.Round(10*time.Millisecond))
	}
	b.WriteString(".\n")
	if r.TLSVersion != "" {
		fmt.Fprintf(&b, "Encryption: %s (%s)\n", r.TLSVersion, r.CipherSuite)
	} else {
		b.WriteString("Encryption: none\n")
	}
	mechs := "none listed"
	if len(r.AuthMechanisms) > 0 {
		mechs = strings.Join(r.AuthMechanisms, ", ")
	}
	fmt.Fprintf(&b, "Authentication: %s\n", mechs)
	yes := map[bool]string{true: "yes", false: "no"}
	fmt.Fprintf(&b, "Pipelining: %s · UIDL: %s · TOP: %s\n", yes[r.Pipelining], yes[r.UIDL], yes[r.Top])
	expire := "not announced"
	if r.Expire != "" {
		expire = r.Expire
		if expire != "NEVER" {
			expire += " days"
		}
	}
	fmt.Fprintf(&b, "Server keeps mail (EXPIRE): %s", expire)
	if r.LoginDelay > 0 {
		fmt.Fprintf(&b, " · LOGIN-DELAY: %s", r.LoginDelay.String())
	}
	return b.String()
}

func (f *AccountForm) showCert() {
	if f.lastCert == nil {
		return
	}
	a, _ := f.read()
	f.m.ShowCertificate(*a, f.lastCert.Certificates, func(pin string) {
		f.pin = pin
		f.CertButton.Hide()
		f.TestResult.SetText("Certificate trusted for this account (saved with the account). Testing again…")
		f.Test()
	})
}

// confirmRemove asks whether to keep the account's downloaded mail, then removes the account.
func (f *AccountForm) confirmRemove() {
	if f.editing == nil {
		return
	}
	name := f.editing.Name
	text := widget.NewLabel(fmt.Sprintf("Remove the account %q? Its password is deleted from the keyring and "+
		"Pouch stops checking it. Nothing is deleted on the server.\n\nKeep the mail already downloaded "+
		"in the archive?", name))
	text.Wrapping = fyne.TextWrapWord
	var d *dialog.CustomDialog
	keep := widget.NewButton("Remove, keep mail", func() { d.Hide(); f.Remove(true) })
	drop := widget.NewButton("Remove with its mail", func() { d.Hide(); f.Remove(false) })
	drop.Importance = widget.DangerImportance
	cancel := widget.NewButton("Cancel", func() { d.Hide() })
	d = dialog.NewCustomWithoutButtons("Remove account", text, f.m.Window)
	d.SetButtons([]fyne.CanvasObject{cancel, drop, keep})
	d.Resize(fyne.NewSize(560, 240))
	d.Show()
}

// Remove removes the edited account, keeping or deleting its local mail.
func (f *AccountForm) Remove(keepMail bool) {
	if f.editing == nil {
		return
	}
	m, eng, name := f.m, f.m.eng, f.editing.Name
	m.bridge.run(func(ctx context.Context) error {
		if keepMail {
			return eng.RemoveAccount(ctx, name)
		}
		return eng.RemoveAccountAndMail(ctx, name)
	}, func(err error) {
		if err != nil {
			f.Error.SetText(err.Error())
			return
		}
		f.Dialog.Hide()
		m.setStatus("Removed account " + name + ".")
		delete(m.status, name)
		m.poller.Reload()
		m.view = folder{}
		m.Sidebar.Select(0)
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

func securityLabel(s mailstore.Security) string {
	switch s {
	case mailstore.SecurityStartTLS:
		return securityLabels[1]
	case mailstore.SecurityNone:
		return securityLabels[2]
	}
	return securityLabels[0]
}
