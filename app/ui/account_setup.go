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
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pouchmail/pouch/app/account"
	"github.com/pouchmail/pouch/app/autoconfig"
	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/app/secrets"
	"github.com/pouchmail/pouch/mailstore"
	"github.com/pouchmail/pouch/pop3"
)

// accountSetup is the Add account dialog: the user's name, address and password. Continue finds
// the server settings (Engine.Discover), shows them and where they came from, and tests the
// login with the password; Add saves the account. Edit manually opens the full form
// (account_form.go) with whatever was found. Closing the dialog stops a running lookup or test.
type accountSetup struct {
	displayName, address, password *widget.Entry
	problem                        *widget.Label // what to fix before Continue

	busy       *fyne.Container // the spinner and busyText while looking up or testing
	spinner    *widget.Activity
	busyText   *widget.Label
	found      *fyne.Container // the settings found: server, user name, where they came from
	foundTitle *widget.Label
	server     *widget.Label
	user       *widget.Label
	source     *widget.Label
	notFound   *widget.Label // nothing found, no POP3, or the lookup failed: what to do
	oauth      *fyne.Container
	oauthNote  *widget.Label
	signIn     *widget.Button // "Sign in with …", shown only when the window can (oauthSignIn)

	testResult *widget.Label
	certButton *widget.Button // shown when the test met a certificate this computer does not trust
	addAnyway  *widget.Check  // shown when the test failed: enables Add all the same
	// detailsButton shows the failed test's own error text (failure).
	detailsButton *widget.Button
	failure       problem

	continueButton, addButton, manualButton *widget.Button
	dialog                                  *dialog.CustomDialog

	m        *mainWindow
	settings *autoconfig.Settings // what discovery found; nil before, or when nothing was
	pin      string               // the certificate trusted in this dialog
	lastCert *pop3.TLSError
	cert     *certDialog  // the certificate dialog last opened
	form     *accountForm // the full form Edit manually opened
	tested   bool         // the login worked with the current settings and password
	cancel   func()       // stops the running lookup or test
	gen      int          // drops the results of superseded work
	closed   bool
}

// newAccountSetup builds the Add account dialog without showing it.
func (m *mainWindow) newAccountSetup() *accountSetup {
	s := &accountSetup{m: m}
	s.displayName = widget.NewEntry()
	s.displayName.SetPlaceHolder(lang.L("Ann Example"))
	s.address = widget.NewEntry()
	s.address.SetPlaceHolder(lang.L("ann@example.com"))
	s.address.OnChanged = func(string) { s.reset() }
	s.address.OnSubmitted = func(string) {
		if s.password.Text == "" {
			m.window.Canvas().Focus(s.password) // Enter after the address goes on to the password
			return
		}
		s.next()
	}
	s.password = widget.NewPasswordEntry()
	s.password.OnChanged = func(string) { s.passwordChanged() }
	s.password.OnSubmitted = func(string) { s.next() }

	label := func(importance widget.Importance) *widget.Label {
		l := widget.NewLabel("")
		l.Wrapping = fyne.TextWrapWord
		l.Importance = importance
		l.Hide()
		return l
	}
	s.problem = label(widget.DangerImportance)
	s.notFound = label(widget.WarningImportance)
	s.testResult = label(widget.MediumImportance)
	s.testResult.Selectable = true

	s.spinner = widget.NewActivity()
	s.busyText = widget.NewLabel("")
	s.busy = container.NewBorder(nil, nil, s.spinner, nil, s.busyText)
	s.busy.Hide()

	s.server, s.user, s.source = valueLabel(), valueLabel(), valueLabel()
	s.foundTitle = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.found = container.NewVBox(s.foundTitle, container.New(layout.NewFormLayout(),
		keyLabel(lang.L("POP3 server")), s.server, keyLabel(lang.L("User name")), s.user, keyLabel(lang.L("Found in")), s.source))
	s.found.Hide()

	s.oauthNote = widget.NewLabel("")
	s.oauthNote.Wrapping = fyne.TextWrapWord
	s.signIn = widget.NewButtonWithIcon("", theme.LoginIcon(), s.startSignIn)
	s.signIn.Importance = widget.HighImportance
	s.oauth = container.NewVBox(container.NewBorder(nil, nil, widget.NewIcon(theme.InfoIcon()), nil, s.oauthNote),
		container.NewHBox(s.signIn))
	s.oauth.Hide()

	s.certButton = widget.NewButtonWithIcon(lang.L("Show certificate…"), theme.WarningIcon(), s.showCert)
	s.certButton.Hide()
	s.detailsButton = widget.NewButton(lang.L("Details…"), func() { s.m.showDetails(s.failure) })
	s.detailsButton.Hide()
	s.addAnyway = widget.NewCheck(lang.L("Add the account anyway; I will fix the settings later"), func(bool) { s.update() })
	s.addAnyway.Hide()

	form := widget.NewForm(
		widget.NewFormItem(lang.L("Your name"), s.displayName),
		widget.NewFormItem(lang.L("Email address"), s.address),
		widget.NewFormItem(lang.L("Password"), s.password),
	)
	form.Items[2].HintText = lang.L("Stored in the system keyring, never in Pouch's files.")
	intro := widget.NewLabel(lang.L("Pouch finds your provider's POP3 settings from your address and tests ") +
		lang.L("the login before adding the account.") + "\n" + leaveMeaning(leaveForever()) + " " +
		lang.L("Edit manually to delete it from the server after download instead."))
	intro.Wrapping = fyne.TextWrapWord
	results := container.NewVBox(s.problem, s.busy, s.found, s.notFound, s.oauth,
		container.NewHBox(s.certButton, s.detailsButton), s.testResult, s.addAnyway)
	body := container.NewVBox(intro, form, widget.NewSeparator(), results)

	cancel := widget.NewButton(lang.L("Cancel"), func() { s.dialog.Hide() })
	s.manualButton = widget.NewButtonWithIcon(lang.L("Edit manually"), theme.DocumentCreateIcon(), s.editManually)
	s.continueButton = widget.NewButtonWithIcon(lang.L("Continue"), theme.NavigateNextIcon(), s.next)
	s.continueButton.Importance = widget.HighImportance
	s.addButton = widget.NewButtonWithIcon(lang.L("Add"), theme.ConfirmIcon(), s.add)
	s.addButton.Importance = widget.HighImportance
	s.addButton.Hide()
	s.dialog = dialog.NewCustomWithoutButtons(lang.L("Add account"), body, m.window)
	s.dialog.SetButtons([]fyne.CanvasObject{cancel, s.manualButton, s.continueButton, s.addButton})
	s.dialog.SetOnClosed(func() {
		s.closed = true
		s.stop()
	})
	s.dialog.Resize(fyne.NewSize(680, 620))
	return s
}

// stop cancels the running lookup or test and drops its result.
func (s *accountSetup) stop() {
	s.gen++
	if s.cancel != nil {
		s.cancel()
		s.cancel = nil
	}
	s.setBusy("")
}

// setBusy shows what is running ("" = nothing).
func (s *accountSetup) setBusy(what string) {
	s.busyText.SetText(what)
	if what == "" {
		s.spinner.Stop()
		s.busy.Hide()
		return
	}
	s.busy.Show()
	s.spinner.Start()
}

// reset forgets what was found: the address changed.
func (s *accountSetup) reset() {
	s.stop()
	s.settings = nil
	s.pin = ""
	s.problem.Hide()
	s.found.Hide()
	s.notFound.Hide()
	s.oauth.Hide()
	s.clearTest()
}

// passwordChanged forgets the login test: it was made with another password.
func (s *accountSetup) passwordChanged() {
	s.stop()
	s.problem.Hide()
	s.clearTest()
}

func (s *accountSetup) clearTest() {
	s.tested = false
	s.lastCert = nil
	s.testResult.Hide()
	s.certButton.Hide()
	s.addAnyway.SetChecked(false)
	s.addAnyway.Hide()
	s.detailsButton.Hide()
	s.update()
}

// update sets the buttons to the dialog's state: Continue looks the settings up (or tests
// again once they are known), Add is there once settings are, and works after a good test or
// when the user chose to add anyway.
func (s *accountSetup) update() {
	switch {
	case s.settings == nil:
		s.continueButton.SetText(lang.L("Continue"))
		s.continueButton.Show()
		s.addButton.Hide()
	case s.tested:
		s.continueButton.Hide()
		s.addButton.Show()
	default:
		s.continueButton.SetText(lang.L("Test again"))
		s.continueButton.Show()
		s.addButton.Show()
	}
	if s.tested || s.addAnyway.Checked {
		s.addButton.Enable()
	} else {
		s.addButton.Disable()
	}
	// With nothing found, Edit manually is the way on.
	if s.settings == nil && !s.notFound.Hidden {
		s.manualButton.Importance, s.continueButton.Importance = widget.HighImportance, widget.MediumImportance
	} else {
		s.manualButton.Importance, s.continueButton.Importance = widget.MediumImportance, widget.HighImportance
	}
	s.manualButton.Refresh()
	s.continueButton.Refresh()
}

// email is the address as typed, or a problem to fix first.
func (s *accountSetup) email() (string, string) {
	email := strings.TrimSpace(s.address.Text)
	if email == "" {
		return "", lang.L("Enter your email address, like ann@example.com.")
	}
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
		return "", lang.L("{{.Address}} is not an email address: it looks like ann@example.com.", map[string]any{"Address": strconv.Quote(email)})
	}
	return email, ""
}

// next is Continue: look the settings up, or test the login again once they are known.
func (s *accountSetup) next() {
	if s.settings != nil {
		s.test()
		return
	}
	email, problem := s.email()
	if problem == "" && s.password.Text == "" {
		problem = lang.L("Enter the password of {{.Address}}: Pouch tests the login before adding the account.", map[string]any{"Address": email})
	}
	if problem == "" && s.m.nameTaken(email, nil) {
		problem = lang.L("There is already an account named {{.Name}}. To add another one for the same address, "+
			"choose another account name with Edit manually.", map[string]any{"Name": email})
	}
	if problem != "" {
		s.problem.SetText(problem)
		s.problem.Show()
		return
	}
	s.reset()
	s.setBusy(lang.L("Looking up settings for ") + email + "…")
	s.continueButton.Disable()
	gen, eng := s.gen, s.m.eng
	var found *autoconfig.Settings
	s.cancel = s.m.bridge.start(func(ctx context.Context) (err error) {
		found, err = eng.Discover(ctx, email)
		return err
	}, func(err error) {
		if gen != s.gen || s.closed {
			return // the address changed or the dialog closed meanwhile
		}
		s.cancel = nil
		s.setBusy("")
		s.continueButton.Enable()
		if err != nil {
			s.notFound.SetText(discoveryProblem(email, err))
			s.notFound.Show()
			s.update()
			return
		}
		s.showFound(found)
		s.test()
	})
}

// discoveryProblem says why no settings were proposed, and what to do.
func discoveryProblem(email string, err error) string {
	domain := email[strings.LastIndexByte(email, '@')+1:]
	var (
		np *autoconfig.NoPOP3Error
		ge *autoconfig.GuessError
	)
	switch {
	case errors.As(err, &np):
		return lang.L("{{.Provider}} does not offer POP3, so Pouch cannot fetch mail from {{.Address}}. "+
			"If your provider gave you a POP3 server anyway, enter it with Edit manually.", map[string]any{"Provider": np.Provider, "Address": email})
	case errors.Is(err, autoconfig.ErrNotFound):
		msg := lang.L("Pouch found no POP3 settings for {{.Domain}}. Your provider's help pages name its POP3 "+
			"server, port and security: enter them with Edit manually.", map[string]any{"Domain": domain})
		if errors.As(err, &ge) && len(ge.Certificates) > 0 {
			msg += lang.L(" ({{.Host}} answers, but with a certificate that is not valid for that name, "+
				"so Pouch did not propose it.)", map[string]any{"Host": ge.Certificates[0].Host})
		}
		return msg
	}
	return lang.L("Looking up the settings for {{.Domain}} failed: {{.Error}}. Check the network connection and press "+
		"Continue again, or enter the settings with Edit manually.", map[string]any{"Domain": domain, "Error": fmt.Sprint(err)})
}

// showFound shows the settings discovery proposes and where they came from.
func (s *accountSetup) showFound(found *autoconfig.Settings) {
	s.settings = found
	p := found.POP3
	s.foundTitle.SetText(lang.L("Settings found for ") + strings.TrimSpace(s.address.Text))
	s.server.SetText(lang.L("{{.Host}}, port {{.Port}}, {{.Security}}", map[string]any{"Host": p.Host, "Port": p.Port, "Security": securityLabel(mailstore.Security(p.Security))}))
	s.user.SetText(p.User)
	s.source.SetText(sourceText(found))
	s.found.Show()
	if found.OAuth != "" {
		name := oauthProviderName(found.OAuth)
		s.oauthNote.SetText(name + lang.L(" requires signing in through the browser: Pouch cannot use your password ") +
			lang.L("alone, unless it is an app password made for mail programs."))
		s.signIn.SetText(lang.L("Sign in with ") + name)
		if s.m.oauthSignIn != nil {
			s.signIn.Show()
		} else {
			s.signIn.Hide()
		}
		s.oauth.Show()
	}
	s.update()
}

// sourceText says where discovery found the settings, in words, with the detail.
func sourceText(st *autoconfig.Settings) string {
	switch st.Source {
	case autoconfig.SourceProviders:
		return lang.L("Pouch's list of providers: ") + st.From
	case autoconfig.SourceAutoconfig:
		return lang.L("the provider's configuration file: ") + st.From
	case autoconfig.SourceISPDB:
		return lang.L("Thunderbird's provider database (ISPDB): ") + st.From
	case autoconfig.SourceSRV:
		return lang.L("the domain's DNS service records (SRV): ") + st.From
	case autoconfig.SourceGuess:
		return lang.L("a usual server name that answered over TLS: ") + st.From
	}
	return string(st.Source) + ": " + st.From
}

// oauthProviderName is an OAuth2 provider's name as people know it.
func oauthProviderName(p string) string {
	switch p {
	case "google":
		return "Google"
	case "microsoft":
		return "Microsoft"
	}
	if p == "" {
		return p
	}
	return strings.ToUpper(p[:1]) + p[1:]
}

// account is the account the dialog would add: the settings found, named after the address.
func (s *accountSetup) account() *mailstore.Account {
	email := strings.TrimSpace(s.address.Text)
	a := account.New(email, "", "")
	a.Address = email
	a.DisplayName = strings.TrimSpace(s.displayName.Text)
	a.Interval = s.m.prefs.defaultInterval()
	a.PinnedCertSHA256 = s.pin
	if st := s.settings; st != nil {
		a.Host, a.Port, a.Username = st.POP3.Host, st.POP3.Port, st.POP3.User
		a.Security = mailstore.Security(st.POP3.Security)
		if sm := st.SMTP; sm != nil {
			// Discovery proposes TLS and STARTTLS only; the SMTP password is the POP3 one.
			a.SMTPHost, a.SMTPPort, a.SMTPSecurity = sm.Host, sm.Port, mailstore.Security(sm.Security)
			if sm.User != a.Username {
				a.SMTPUser = sm.User
			}
		}
	}
	return a
}

// test logs in with the settings found and the typed password, and says how it went.
func (s *accountSetup) test() {
	if s.settings == nil {
		return
	}
	s.stop()
	s.clearTest()
	a := s.account()
	s.setBusy(lang.L("Testing the login at ") + a.Host + "…")
	s.continueButton.Disable()
	gen, eng, password := s.gen, s.m.eng, s.password.Text
	var r *engine.ConnectionReport
	s.cancel = s.m.bridge.start(func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, 45*time.Second)
		defer cancel()
		var err error
		r, err = eng.TestConnection(ctx, a, password)
		return err
	}, func(err error) {
		if gen != s.gen || s.closed {
			return
		}
		s.cancel = nil
		s.setBusy("")
		s.continueButton.Enable()
		if err != nil {
			s.testFailed(a, err)
			return
		}
		s.tested = true
		s.testResult.Importance = widget.SuccessImportance
		s.testResult.SetText(reportText(r))
		s.testResult.Show()
		s.update()
	})
}

// testFailed says why the login did not work and what to do about it (problems.go), with the
// error's own text behind Details….
func (s *accountSetup) testFailed(a *mailstore.Account, err error) {
	p := explain(err, a)
	msg := p.text()
	var perr *pop3.Error
	switch {
	case p.Cert != nil:
		s.lastCert = p.Cert
		s.certButton.Show()
	case errors.As(err, &perr) && perr.AuthFailed():
		msg = lang.L("{{.Host}} refused the login of {{.User}}: {{.Error}}. Check the password and press Test again; if the "+
			"user name is different, change it with Edit manually.", map[string]any{"Host": a.Host, "User": a.Username, "Error": perr.Text})
	}
	s.failure = p
	s.detailsButton.Show()
	s.testResult.Importance = widget.DangerImportance
	s.testResult.SetText(msg)
	s.testResult.Show()
	s.addAnyway.Show()
	s.update()
}

// showCert opens the certificate the test met; trusting it pins it and tests again.
func (s *accountSetup) showCert() {
	if s.lastCert == nil {
		return
	}
	s.cert = s.m.showCertificate(*s.account(), s.lastCert.Certificates, func(pin string) {
		s.pin = pin
		s.test()
	})
}

// add saves the account with the settings found and the password.
func (s *accountSetup) add() {
	if s.settings == nil || !(s.tested || s.addAnyway.Checked) {
		return
	}
	m, eng := s.m, s.m.eng
	a, password := s.account(), s.password.Text
	s.stop()
	s.setBusy(lang.L("Saving…"))
	s.addButton.Disable()
	gen := s.gen
	m.bridge.run(func(ctx context.Context) error {
		return eng.AddAccount(ctx, a, password)
	}, func(err error) {
		if gen != s.gen || s.closed {
			return
		}
		s.setBusy("")
		s.update()
		if secrets.IsUnavailable(err) {
			s.problem.SetText(lang.L("No keyring service: the password could not be stored."))
			s.problem.Show()
			m.offerSessionPasswords(err, s.add)
			return
		}
		if err != nil {
			s.problem.SetText(lang.L("The account was not added: ") + fieldMessage(err))
			s.problem.Show()
			return
		}
		s.dialog.Hide()
		m.accountSaved(a.Name, lang.L("Added account ")+a.Name+".")
	})
}

// editManually swaps this dialog for the full account form, filled in with what is known.
func (s *accountSetup) editManually() {
	a := s.account()
	if s.m.nameTaken(a.Name, nil) {
		a.Name = ""
	}
	if s.settings == nil {
		a.Username = a.Address
	}
	password := s.password.Text
	s.dialog.Hide()
	s.form = s.m.newAccountForm(nil)
	s.form.preset(a, password)
	s.form.dialog.Show()
}

// startSignIn hands the account found to the window's OAuth2 sign-in.
func (s *accountSetup) startSignIn() {
	if s.settings == nil || s.m.oauthSignIn == nil {
		return
	}
	a := s.account()
	s.dialog.Hide()
	s.m.oauthSignIn(s.settings.OAuth, *a)
}
