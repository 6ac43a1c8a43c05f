package ui

import (
	"context"
	"errors"
	"fmt"
	"fyne.io/fyne/v2/lang"
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

// securityLabels are the security choices, in the window's language.
func securityLabels() []string { return []string{"TLS", "STARTTLS", lang.L("None (unencrypted)")} }

func authAutomatic() string { return lang.L("Automatic (strongest offered)") }

func authLabels() []string { return append([]string{authAutomatic()}, pop3.Mechanisms...) }

// Leave-on-server choices, in the window's language.
func leaveDelete() string  { return lang.L("Delete after download") }
func leaveDays() string    { return lang.L("Keep for a number of days") }
func leaveForever() string { return lang.L("Keep forever") }

// leaveMeaning says in one line what a leave-on-server choice does.
func leaveMeaning(choice string) string {
	switch choice {
	case leaveForever():
		return lang.L("Mail stays on the server: your phone or webmail still sees all of it.")
	case leaveDays():
		return lang.L("Mail is deleted from the server that many days after Pouch first saw it, once it is safely stored here.")
	case leaveDelete():
		return lang.L("Mail is deleted from the server once it is stored here: only this computer keeps it.")
	}
	return ""
}

// accountForm is the add/edit account dialog.
type accountForm struct {
	removeDialog                                           *dialog.CustomDialog // the last removal question (the tests answer it)
	displayName, address, name, host, port, user, password *widget.Entry
	leaveDays, interval, sizeLimit                         *widget.Entry
	smtpHost, smtpPort, smtpUser                           *widget.Entry
	security, auth, smtpSecurity                           *widget.Select
	leave                                                  *widget.RadioGroup
	leaveNote                                              *widget.Label // what the leave choice means
	deleteOnServer                                         *widget.Check
	securityWarning                                        *widget.Label
	errLabel                                               *widget.Label // the first problem, updated as you type
	testResult                                             *widget.Label
	testButton, removeButton                               *widget.Button
	certButton                                             *widget.Button        // shown when Test connection met an untrusted certificate
	switchButton, detailsButton                            *widget.Button        // after a failed test: a security that fits; the error's own text
	failed                                                 *problem              // the last test's failure; nil = none or passed
	confirmFailed                                          *dialog.ConfirmDialog // "save all the same?" (the tests answer it)
	dialog                                                 *dialog.CustomDialog

	m       *mainWindow
	editing *mailstore.Account // nil when adding
	// base holds what the form does not show (OAuth2 sign-in, SMTP mechanism and password
	// entry, signature, CA): saving keeps it rather than clearing it.
	base     *mailstore.Account
	pin      string // pinned certificate, kept or chosen in this dialog
	lastCert *pop3.TLSError
	ready    bool // the fields are filled in; validation may speak
}

// showAddAccount opens the add-account dialog: address and password first (account_setup.go);
// its Edit manually leads to the full form.
func (m *mainWindow) showAddAccount() { m.newAccountSetup().dialog.Show() }

// showEditSelectedAccount opens the edit dialog of the account selected in the sidebar.
func (m *mainWindow) showEditSelectedAccount() {
	if a := accountByName(m.accounts, m.view.account); a != nil {
		c := *a
		m.newAccountForm(&c).dialog.Show()
	}
}

// newAccountForm builds the account dialog without showing it: for a new account when edit is
// nil, else for editing (and removing) that account.
func (m *mainWindow) newAccountForm(edit *mailstore.Account) *accountForm {
	f := &accountForm{m: m, editing: edit}
	entry := func(placeholder string) *widget.Entry {
		e := widget.NewEntry()
		e.SetPlaceHolder(placeholder)
		return e
	}
	f.displayName = entry("Alice Example")
	f.address = entry("alice@example.com")
	f.name = entry(lang.L("Home"))
	f.host = entry("pop.example.com")
	f.port = entry("995")
	f.user = entry("alice@example.com")
	f.password = widget.NewPasswordEntry()
	f.leaveDays = entry("14")
	f.interval = entry("10")
	f.sizeLimit = entry(lang.L("0 = no limit"))
	f.smtpHost = entry(lang.L("smtp.example.com (empty: this account sends no mail)"))
	f.smtpPort = entry("465")
	f.smtpUser = entry(lang.L("(the POP3 user name)"))
	prevSMTP := mailstore.SecurityTLS
	f.smtpSecurity = widget.NewSelect(securityLabels()[:2], func(s string) {
		sec := securityFromLabel(s)
		if p := strings.TrimSpace(f.smtpPort.Text); p == "" || p == strconv.Itoa(account.DefaultSMTPPort(prevSMTP)) {
			f.smtpPort.SetText(strconv.Itoa(account.DefaultSMTPPort(sec)))
		}
		prevSMTP = sec
		f.validate()
	})
	f.errLabel = widget.NewLabel("")
	f.errLabel.Wrapping = fyne.TextWrapWord
	f.errLabel.Importance = widget.DangerImportance
	f.securityWarning = widget.NewLabel(lang.L("Without encryption, your password and your mail cross the network ") +
		lang.L("readable by anyone on the way. Use this only on a network you control."))
	f.securityWarning.Wrapping = fyne.TextWrapWord
	f.securityWarning.Importance = widget.DangerImportance
	f.securityWarning.Hide()
	f.testResult = widget.NewLabel("")
	f.testResult.Wrapping = fyne.TextWrapWord
	f.testResult.Selectable = true

	prevSec := mailstore.SecurityTLS
	f.security = widget.NewSelect(securityLabels(), func(s string) {
		// The port follows the security choice unless the user typed another one.
		sec := securityFromLabel(s)
		if p := strings.TrimSpace(f.port.Text); p == "" || p == strconv.Itoa(account.DefaultPort(prevSec)) {
			f.port.SetText(strconv.Itoa(account.DefaultPort(sec)))
		}
		prevSec = sec
		if sec == mailstore.SecurityNone {
			f.securityWarning.Show()
		} else {
			f.securityWarning.Hide()
		}
		f.validate()
	})
	f.auth = widget.NewSelect(authLabels(), nil)
	f.leaveNote = widget.NewLabel("")
	f.leaveNote.Wrapping = fyne.TextWrapWord
	f.leave = widget.NewRadioGroup([]string{leaveForever(), leaveDays(), leaveDelete()}, func(s string) {
		if s == leaveDays() {
			f.leaveDays.Enable()
		} else {
			f.leaveDays.Disable()
		}
		f.leaveNote.SetText(leaveMeaning(s))
		f.validate()
	})
	f.leave.Required = true
	f.deleteOnServer = widget.NewCheck(lang.L("Delete from the server when I delete a message here"), nil)

	f.fill(edit, m.prefs.defaultInterval())
	f.ready = true
	for field, e := range map[string]*widget.Entry{
		"name": f.name, "host": f.host, "port": f.port, "user": f.user, "leave-days": f.leaveDays,
		"interval": f.interval, "size-limit": f.sizeLimit, "address": f.address, "password": f.password,
		"smtp-host": f.smtpHost, "smtp-port": f.smtpPort, "smtp-user": f.smtpUser,
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

	f.testButton = widget.NewButtonWithIcon(lang.L("Test connection"), theme.MailSendIcon(), f.test)
	f.certButton = widget.NewButtonWithIcon(lang.L("Show certificate…"), theme.WarningIcon(), f.showCert)
	f.certButton.Hide()
	f.switchButton = widget.NewButton("", f.switchSecurity)
	f.switchButton.Hide()
	f.detailsButton = widget.NewButton(lang.L("Details…"), func() {
		if f.failed != nil {
			m.showDetails(*f.failed)
		}
	})
	f.detailsButton.Hide()
	days := container.NewGridWrap(fyne.NewSize(100, f.leaveDays.MinSize().Height), f.leaveDays)
	leaveBox := container.NewVBox(f.leave, container.NewHBox(widget.NewLabel(lang.L("Days to keep:")), days), f.leaveNote)
	items := []*widget.FormItem{
		widget.NewFormItem(lang.L("Your name"), f.displayName),
		widget.NewFormItem(lang.L("Email address"), f.address),
		widget.NewFormItem(lang.L("Account name"), f.name),
		widget.NewFormItem(lang.L("POP3 server"), f.host),
		widget.NewFormItem(lang.L("Security"), container.NewVBox(f.security, f.securityWarning)),
		widget.NewFormItem(lang.L("Port"), f.port),
		widget.NewFormItem(lang.L("User name"), f.user),
		widget.NewFormItem(lang.L("Password"), f.password),
		widget.NewFormItem(lang.L("Authentication"), f.auth),
		widget.NewFormItem(lang.L("Leave on server"), leaveBox),
		widget.NewFormItem("", f.deleteOnServer),
		widget.NewFormItem(lang.L("Check every (minutes)"), f.interval),
		widget.NewFormItem(lang.L("Size limit (KB)"), f.sizeLimit),
		widget.NewFormItem(lang.L("Sending server (SMTP)"), f.smtpHost),
		widget.NewFormItem(lang.L("SMTP security"), f.smtpSecurity),
		widget.NewFormItem(lang.L("SMTP port"), f.smtpPort),
		widget.NewFormItem(lang.L("SMTP user name"), f.smtpUser),
	}
	items[7].HintText = lang.L("Stored in the system keyring, never in Pouch's files.")
	items[12].HintText = lang.L("Larger messages are downloaded as headers only; 0 = no limit.")
	items[16].HintText = lang.L("The password is the POP3 password unless set apart with pouch account.")
	if edit != nil {
		items[7].HintText = lang.L("Leave empty to keep the stored password.")
	}
	reserveHints(items)
	form := widget.NewForm(items...)

	title, save := lang.L("Add account"), lang.L("Add")
	if edit != nil {
		title, save = lang.L("Edit account {{.Name}}", map[string]any{"Name": edit.Name}), lang.L("Save")
	}
	saveBtn := widget.NewButtonWithIcon(save, theme.ConfirmIcon(), f.submit)
	saveBtn.Importance = widget.HighImportance
	cancelBtn := widget.NewButton(lang.L("Cancel"), func() { f.dialog.Hide() })
	buttons := []fyne.CanvasObject{cancelBtn, saveBtn}
	f.removeButton = widget.NewButtonWithIcon(lang.L("Remove account…"), theme.DeleteIcon(), f.confirmRemove)
	f.removeButton.Importance = widget.DangerImportance
	if edit == nil {
		f.removeButton.Hide()
	}
	testRow := container.NewBorder(nil, nil, container.NewHBox(f.testButton, f.certButton, f.switchButton, f.detailsButton), f.removeButton)
	body := container.NewBorder(nil, container.NewVBox(f.errLabel, widget.NewSeparator(), testRow, f.testResult), nil, nil,
		container.NewVScroll(form))
	// A custom dialog rather than dialog.NewForm: that one closes on confirm, and a mistake
	// should be correctable without retyping everything.
	f.dialog = dialog.NewCustomWithoutButtons(title, body, m.window)
	f.dialog.SetButtons(buttons)
	f.dialog.Resize(fyne.NewSize(720, 760))
	if edit != nil {
		f.validate() // a stored account that no longer validates says so at once
	}
	return f
}

// fill puts an account's settings (or the defaults) into the fields.
func (f *accountForm) fill(a *mailstore.Account, interval time.Duration) {
	if a == nil {
		a = account.New("", "", "")
		a.Interval = interval
	}
	f.displayName.SetText(a.DisplayName)
	f.address.SetText(a.Address)
	f.name.SetText(a.Name)
	f.host.SetText(a.Host)
	f.user.SetText(a.Username)
	f.security.SetSelected(securityLabel(a.Security))
	f.port.SetText(strconv.Itoa(a.Port))
	f.auth.SetSelected(authAutomatic())
	if a.AuthMethod != "" {
		f.auth.SetSelected(a.AuthMethod)
	}
	f.leaveDays.SetText(strconv.Itoa(max(a.LeaveDays, 1)))
	switch {
	case a.KeepForever:
		f.leave.SetSelected(leaveForever())
	case a.LeaveDays == 0:
		f.leave.SetSelected(leaveDelete())
	default:
		f.leave.SetSelected(leaveDays())
	}
	f.deleteOnServer.SetChecked(a.DeleteOnServer)
	f.interval.SetText(strconv.Itoa(int(a.Interval / time.Minute)))
	f.sizeLimit.SetText(strconv.FormatInt(a.SizeLimit/1024, 10))
	f.pin = a.PinnedCertSHA256
	f.smtpHost.SetText(a.SMTPHost)
	smtpSec := a.SMTPSecurity
	if smtpSec == "" {
		smtpSec = mailstore.SecurityTLS
	}
	f.smtpSecurity.SetSelected(securityLabel(smtpSec))
	f.smtpPort.SetText("")
	if a.SMTPPort != 0 {
		f.smtpPort.SetText(strconv.Itoa(a.SMTPPort))
	} else if a.SMTPHost != "" {
		f.smtpPort.SetText(strconv.Itoa(account.DefaultSMTPPort(smtpSec)))
	}
	f.smtpUser.SetText(a.SMTPUser)
	c := *a
	f.base = &c
	if f.editing != nil {
		f.password.SetPlaceHolder(lang.L("(unchanged)"))
	}
}

// preset fills the form of a new account with settings chosen elsewhere (the set-up dialog's
// findings), the password included, and says at once what is still missing.
func (f *accountForm) preset(a *mailstore.Account, password string) {
	f.ready = false
	f.fill(a, a.Interval)
	f.password.SetText(password)
	f.ready = true
	f.validate()
}

// read turns the fields into an account; numbers that do not parse are reported per field.
func (f *accountForm) read() (*mailstore.Account, map[string]error) {
	probs := map[string]error{}
	a := account.New(strings.TrimSpace(f.name.Text), strings.TrimSpace(f.host.Text), strings.TrimSpace(f.user.Text))
	if f.editing != nil {
		a.ID, a.Created = f.editing.ID, f.editing.Created
	}
	if b := f.base; b != nil {
		a.CACertPEM, a.Signature = b.CACertPEM, b.Signature
		a.OAuthProvider, a.OAuthClientID, a.OAuthAuthURL, a.OAuthTokenURL, a.OAuthScopes =
			b.OAuthProvider, b.OAuthClientID, b.OAuthAuthURL, b.OAuthTokenURL, b.OAuthScopes
		a.SMTPAuth, a.SMTPOwnPassword = b.SMTPAuth, b.SMTPOwnPassword
	}
	if a.SMTPHost = strings.TrimSpace(f.smtpHost.Text); a.SMTPHost != "" {
		a.SMTPSecurity = securityFromLabel(f.smtpSecurity.Selected)
		a.SMTPUser = strings.TrimSpace(f.smtpUser.Text)
		if strings.TrimSpace(f.smtpPort.Text) == "" {
			a.SMTPPort = account.DefaultSMTPPort(a.SMTPSecurity)
		}
	} else {
		a.SMTPAuth, a.SMTPOwnPassword = "", false
	}
	a.DisplayName = strings.TrimSpace(f.displayName.Text)
	a.Address = strings.TrimSpace(f.address.Text)
	a.Security = securityFromLabel(f.security.Selected)
	a.PinnedCertSHA256 = f.pin
	if f.auth.Selected != authAutomatic() {
		a.AuthMethod = f.auth.Selected
	}
	number := func(field string, e *widget.Entry, problem string) int {
		s := strings.TrimSpace(e.Text)
		n, err := strconv.Atoi(s)
		if err != nil {
			probs[field] = &account.FieldError{Field: field, Problem: problem}
		}
		return n
	}
	a.Port = number("port", f.port, lang.L("must be a number, e.g. 995 for TLS or 110"))
	if a.SMTPHost != "" && strings.TrimSpace(f.smtpPort.Text) != "" {
		a.SMTPPort = number("smtp-port", f.smtpPort, lang.L("must be a number, e.g. 465 for TLS or 587"))
	}
	a.KeepForever = f.leave.Selected == leaveForever()
	switch f.leave.Selected {
	case leaveForever():
	case leaveDelete():
		a.LeaveDays = 0
	default:
		a.LeaveDays = number("leave-days", f.leaveDays, lang.L("must be a number of days"))
	}
	a.DeleteOnServer = f.deleteOnServer.Checked
	a.Interval = time.Duration(number("interval", f.interval, lang.L("must be a number of minutes"))) * time.Minute
	if s := strings.TrimSpace(f.sizeLimit.Text); s != "" {
		kb := number("size-limit", f.sizeLimit, lang.L("must be a number of kilobytes (0 = no limit)"))
		if kb < 0 {
			probs["size-limit"] = &account.FieldError{Field: "size-limit", Problem: lang.L("must not be negative")}
		}
		a.SizeLimit = int64(kb) * 1024
	}
	if a.Address != "" {
		if _, err := mail.ParseAddress(a.Address); err != nil {
			probs["address"] = &account.FieldError{Field: "address", Problem: lang.L("is not an email address (like alice@example.com)")}
		}
	}
	if f.editing == nil && f.password.Text == "" {
		probs["password"] = &account.FieldError{Field: "password", Problem: lang.L("is needed: it is stored in the system keyring")}
	}
	return a, probs
}

// problems checks every field on its own, so each gets its own message while typing: a field's
// value is validated on an otherwise valid account.
func (f *accountForm) problems() map[string]error {
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
	if probs["smtp-port"] == nil {
		// The sending settings are checked together: a port or user needs a host.
		good := account.New("x", "pop.example.com", "x")
		good.SMTPHost, good.SMTPPort, good.SMTPSecurity, good.SMTPUser = a.SMTPHost, a.SMTPPort, a.SMTPSecurity, a.SMTPUser
		if err := account.Validate(good); err != nil {
			field := "smtp-host"
			var fe *account.FieldError
			if errors.As(err, &fe) && strings.HasPrefix(fe.Field, "smtp-") {
				field = fe.Field
			}
			probs[field] = err
		}
	}
	if probs["name"] == nil && f.m.nameTaken(a.Name, f.editing) {
		probs["name"] = &account.FieldError{Field: "name", Problem: lang.L("{{.Name}} is already used by another account", map[string]any{"Name": strconv.Quote(a.Name)})}
	}
	return probs
}

// fieldOrder is the order the fields appear in, for the summary line.
var fieldOrder = []string{"address", "name", "host", "port", "user", "leave-days", "interval", "size-limit", "password",
	"smtp-host", "smtp-port", "smtp-user"}

// reserveHints gives every validated field without a hint an empty one, so the line where Fyne
// shows a field's problem is always there: typing never moves the fields below.
func reserveHints(items []*widget.FormItem) {
	for _, it := range items {
		if e, ok := it.Widget.(*widget.Entry); ok && e.Validator != nil && it.HintText == "" {
			it.HintText = " "
		}
	}
}

// validate shows the first problem under the form; it runs as the user types.
func (f *accountForm) validate() error {
	if !f.ready {
		return nil // still filling the fields in
	}
	probs := f.problems()
	for _, field := range fieldOrder {
		if err := probs[field]; err != nil {
			f.errLabel.SetText(fieldMessage(err))
			return err
		}
	}
	f.errLabel.SetText("")
	return nil
}

// fieldMessage says what to fix in words, without the "account" prefix of FieldError.
func fieldMessage(err error) string {
	var fe *account.FieldError
	if errors.As(err, &fe) {
		names := map[string]string{"name": lang.L("Account name"), "host": lang.L("Server"), "port": lang.L("Port"), "user": lang.L("User name"),
			"leave-days": lang.L("Days on server"), "interval": lang.L("Check interval"), "size-limit": lang.L("Size limit"),
			"address": lang.L("Email address"), "password": lang.L("Password"), "security": lang.L("Security"),
			"smtp-host": lang.L("SMTP server"), "smtp-port": lang.L("SMTP port"), "smtp-user": lang.L("SMTP user name"), "smtp-security": lang.L("SMTP security")}
		if n, ok := names[fe.Field]; ok {
			return n + " " + fe.Problem + "."
		}
	}
	return err.Error()
}

func (m *mainWindow) nameTaken(name string, self *mailstore.Account) bool {
	for _, a := range m.accounts {
		if a.Name == name && (self == nil || a.ID != self.ID) {
			return true
		}
	}
	return false
}

// account reads the fields into a valid account, or returns the first problem.
func (f *accountForm) account() (*mailstore.Account, error) {
	if err := f.validate(); err != nil {
		return nil, err
	}
	a, _ := f.read()
	if err := account.Validate(a); err != nil {
		return nil, err
	}
	return a, nil
}

// submit validates the fields and saves the account, as the Add/Save button does; after a
// failed connection test it asks first.
func (f *accountForm) submit() {
	if _, err := f.account(); err != nil {
		return // the message is already under the form
	}
	if f.failed == nil {
		f.save()
		return
	}
	q := dialog.NewConfirm(lang.L("The connection test failed"),
		f.failed.Summary+"\n\n"+lang.L("Save these settings all the same? Pouch will show the error at each check until they work."),
		func(ok bool) {
			if ok {
				f.save()
			}
		}, f.m.window)
	q.SetConfirmText(lang.L("Save anyway"))
	q.SetDismissText(lang.L("Go back"))
	f.confirmFailed = q
	q.Show()
}

// save saves the account.
func (f *accountForm) save() {
	a, err := f.account()
	if err != nil {
		return
	}
	m, eng := f.m, f.m.eng
	var password *string
	if pw := f.password.Text; pw != "" {
		password = &pw
	}
	f.errLabel.SetText(lang.L("Saving…"))
	editing := f.editing != nil
	m.bridge.run(func(ctx context.Context) error {
		if editing {
			return eng.UpdateAccount(ctx, a, password)
		}
		return eng.AddAccount(ctx, a, *password)
	}, func(err error) {
		if secrets.IsUnavailable(err) {
			f.errLabel.SetText(lang.L("No keyring service: the password could not be stored."))
			m.offerSessionPasswords(err, f.save)
			return
		}
		if err != nil {
			f.errLabel.SetText(fieldMessage(err))
			return
		}
		f.dialog.Hide()
		if editing {
			m.accountSaved(a.Name, lang.L("Saved account ")+a.Name+".")
		} else {
			m.accountSaved(a.Name, lang.L("Added account ")+a.Name+".")
		}
	})
}

// accountSaved tells the poller and the sidebar about a new or changed account: it is checked
// with the settings just saved, and the error of its old settings goes at once.
func (m *mainWindow) accountSaved(name, status string) {
	m.setStatus(status)
	m.poller.Reload()
	m.poller.Edited(name)
	delete(m.lastErr, name)
	if st, ok := m.pollState[name]; ok {
		st.LastError, st.ErrorKind, st.Stopped, st.NeedsSignIn = "", "", false, false
		m.pollState[name] = st
		m.refreshSidebar()
		m.updateBanner()
	}
	m.reload()
}

// test runs Test connection in the background and reports what the server offered.
func (f *accountForm) test() {
	a, _ := f.read()
	probs := f.problems()
	for _, field := range fieldOrder {
		// The password is checked below: an edited account may use its stored one.
		if err := probs[field]; err != nil && field != "password" {
			f.testResult.SetText(lang.L("Fix the settings first: ") + fieldMessage(err))
			return
		}
	}
	if f.editing == nil && f.password.Text == "" {
		f.testResult.SetText(lang.L("Enter the password to test the connection."))
		return
	}
	f.testButton.Disable()
	f.certButton.Hide()
	f.switchButton.Hide()
	f.detailsButton.Hide()
	f.failed = nil
	f.testResult.Importance = widget.MediumImportance // progress, not an error
	f.testResult.SetText(lang.L("Connecting to ") + a.Host + "…")
	eng, password := f.m.eng, f.password.Text
	var r *engine.ConnectionReport
	f.m.bridge.run(func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, 45*time.Second)
		defer cancel()
		var err error
		r, err = eng.TestConnection(ctx, a, password)
		return err
	}, func(err error) {
		f.testButton.Enable()
		if err != nil {
			f.showFailure(explain(err, a))
			return
		}
		f.testResult.Importance = widget.SuccessImportance
		f.testResult.SetText(reportText(r))
	})
}

// showFailure says why the test failed and offers what helps: the certificate, a security
// setting that fits the server, the field to fix, the details.
func (f *accountForm) showFailure(p problem) {
	f.failed = &p
	f.testResult.Importance = widget.DangerImportance
	f.testResult.SetText(p.text())
	f.detailsButton.Show()
	if p.Cert != nil {
		f.lastCert = p.Cert
		f.certButton.Show()
	}
	if p.Switch != "" {
		f.switchButton.SetText(lang.L("Switch to {{.Security}}", map[string]any{"Security": securityLabel(p.Switch)}))
		f.switchButton.Show()
	}
	if p.Field == "password" && f.m.window.Canvas() != nil {
		f.m.window.Canvas().Focus(f.password)
	}
}

// switchSecurity takes the security setting the failed test suggested (its port follows) and
// tests again.
func (f *accountForm) switchSecurity() {
	if f.failed == nil || f.failed.Switch == "" {
		return
	}
	f.security.SetSelected(securityLabel(f.failed.Switch))
	f.test()
}

// reportText describes a successful test in a few lines.
func reportText(r *engine.ConnectionReport) string {
	var b strings.Builder
	b.WriteString(lang.L("Connected and logged in"))
	if r.Duration > 0 {
		b.WriteString(lang.L(" in {{.Duration}}", map[string]any{"Duration": r.Duration.Round(10 * time.Millisecond).String()}))
	}
	b.WriteString(".\n")
	if r.TLSVersion != "" {
		b.WriteString(lang.L("Encryption: {{.Version}} ({{.Cipher}})", map[string]any{"Version": r.TLSVersion, "Cipher": r.CipherSuite}) + "\n")
	} else {
		b.WriteString(lang.L("Encryption: none") + "\n")
	}
	mechs := lang.L("none listed")
	if len(r.AuthMechanisms) > 0 {
		mechs = strings.Join(r.AuthMechanisms, ", ")
	}
	b.WriteString(lang.L("Authentication: {{.Mechanisms}}", map[string]any{"Mechanisms": mechs}) + "\n")
	yes := map[bool]string{true: lang.L("yes"), false: lang.L("no")}
	b.WriteString(lang.L("Pipelining: {{.Pipelining}} · UIDL: {{.UIDL}} · TOP: {{.TOP}}", map[string]any{"Pipelining": yes[r.Pipelining], "UIDL": yes[r.UIDL], "TOP": yes[r.Top]}) + "\n")
	expire := lang.L("not announced")
	if r.Expire != "" {
		expire = r.Expire
		if expire != "NEVER" {
			expire = lang.L("{{.Days}} days", map[string]any{"Days": expire})
		}
	}
	b.WriteString(lang.L("Server keeps mail (EXPIRE): {{.Expire}}", map[string]any{"Expire": expire}))
	if r.LoginDelay > 0 {
		fmt.Fprintf(&b, " · LOGIN-DELAY: %s", r.LoginDelay.String())
	}
	return b.String()
}

func (f *accountForm) showCert() {
	if f.lastCert == nil {
		return
	}
	a, _ := f.read()
	f.m.showCertificate(*a, f.lastCert.Certificates, func(pin string) {
		f.pin = pin
		f.certButton.Hide()
		f.testResult.SetText(lang.L("Certificate trusted for this account (saved with the account). Testing again…"))
		f.test()
	})
}

// confirmRemove counts the account's mail, then asks whether to keep it and removes the account.
func (f *accountForm) confirmRemove() {
	if f.editing == nil {
		return
	}
	name, eng := f.editing.Name, f.m.eng
	var n int
	f.m.bridge.run(func(ctx context.Context) (err error) {
		n, err = eng.AccountMessages(ctx, name)
		return err
	}, func(err error) {
		if err != nil {
			f.errLabel.SetText(err.Error())
			return
		}
		f.askRemove(name, n)
	})
}

// askRemove is the removal question, with what each choice does to the account's count messages.
func (f *accountForm) askRemove(name string, count int) {
	text := widget.NewLabel(lang.L("Remove the account {{.Name}}? Its password is deleted from the keyring and "+
		"Pouch stops checking it. Nothing is deleted on the server.", map[string]any{"Name": strconv.Quote(name)}) + "\n\n" +
		lang.N("Keep: its {{.Count}} messages stay in the archive, under “{{.Name}} (removed)” in the sidebar.\n"+
			"Delete: its {{.Count}} messages are deleted from this computer.", count, map[string]any{"Count": count, "Name": name}))
	text.Wrapping = fyne.TextWrapWord
	var d *dialog.CustomDialog
	keep := widget.NewButton(lang.N("Remove, keep {{.Count}} messages", count, map[string]any{"Count": count}), func() { d.Hide(); f.remove(true) })
	drop := widget.NewButton(lang.N("Remove and delete {{.Count}} messages", count, map[string]any{"Count": count}), func() { d.Hide(); f.remove(false) })
	drop.Importance = widget.DangerImportance
	cancel := widget.NewButton(lang.L("Cancel"), func() { d.Hide() })
	d = dialog.NewCustomWithoutButtons(lang.L("Remove account"), text, f.m.window)
	d.SetButtons([]fyne.CanvasObject{cancel, drop, keep})
	d.Resize(fyne.NewSize(640, 280))
	f.removeDialog = d
	d.Show()
}

// remove removes the edited account, keeping or deleting its local mail.
func (f *accountForm) remove(keepMail bool) {
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
			f.errLabel.SetText(err.Error())
			return
		}
		f.dialog.Hide()
		m.setStatus(lang.L("Removed account ") + name + ".")
		delete(m.pollState, name)
		m.poller.Reload()
		m.view = folder{}
		m.sidebar.Select(0)
		m.reload()
	})
}

func securityFromLabel(s string) mailstore.Security {
	switch s {
	case securityLabels()[1]:
		return mailstore.SecurityStartTLS
	case securityLabels()[2]:
		return mailstore.SecurityNone
	}
	return mailstore.SecurityTLS
}

func securityLabel(s mailstore.Security) string {
	switch s {
	case mailstore.SecurityStartTLS:
		return securityLabels()[1]
	case mailstore.SecurityNone:
		return securityLabels()[2]
	}
	return securityLabels()[0]
}
