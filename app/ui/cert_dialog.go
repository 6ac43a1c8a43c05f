package ui

import (
	"context"
	"crypto/x509"
	"fyne.io/fyne/v2/lang"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pouchmail/pouch/mailstore"
	"github.com/pouchmail/pouch/pop3"
)

// certDialog shows a server certificate the system does not trust, or one that differs from
// the certificate pinned for the account.
type certDialog struct {
	warning                                        *widget.Label
	subject, issuer, validFrom, validUntil, sha256 *widget.Label
	changed                                        bool
	dialog                                         *dialog.CustomDialog
	trust                                          func()
}

// showCertificate opens the certificate dialog for account a. onTrust receives the pin; nil
// means: save it on the account and check again.
func (m *mainWindow) showCertificate(a mailstore.Account, chain []*x509.Certificate, onTrust func(pin string)) *certDialog {
	d := m.newCertDialog(a, chain, onTrust)
	d.dialog.Show()
	return d
}

// newCertDialog builds the certificate dialog without showing it.
func (m *mainWindow) newCertDialog(a mailstore.Account, chain []*x509.Certificate, onTrust func(pin string)) *certDialog {
	leaf := chain[0]
	pin := pop3.CertificateSHA256(leaf)
	d := &certDialog{changed: a.PinnedCertSHA256 != "" && !strings.EqualFold(a.PinnedCertSHA256, pin)}
	value := func(s string) *widget.Label {
		l := widget.NewLabel(s)
		l.Wrapping = fyne.TextWrapWord
		l.Selectable = true
		return l
	}
	d.subject = value(leaf.Subject.String())
	d.issuer = value(leaf.Issuer.String())
	d.validFrom = value(dayDate(leaf.NotBefore.Local()))
	d.validUntil = value(dayDate(leaf.NotAfter.Local()))
	d.sha256 = value(colonHex(pin))
	d.sha256.TextStyle = fyne.TextStyle{Monospace: true}
	if names := leaf.DNSNames; len(names) > 0 {
		d.subject.SetText(d.subject.Text + lang.L("\n(names: ") + strings.Join(names, ", ") + ")")
	}

	d.warning = widget.NewLabel("")
	d.warning.Wrapping = fyne.TextWrapWord
	icon := widget.NewIcon(theme.WarningIcon())
	title := lang.L("Untrusted certificate")
	if d.changed {
		title = lang.L("WARNING: the server's certificate has changed")
		icon.SetResource(theme.ErrorIcon())
		d.warning.Importance = widget.DangerImportance
		d.warning.TextStyle = fyne.TextStyle{Bold: true}
		d.warning.SetText(lang.L("The certificate of {{.Host}} is not the one you trusted for {{.Account}}.\n"+
			"Someone may be intercepting your connection and your password. Trust the new certificate "+
			"only if your provider told you it changed.\nPreviously trusted: {{.Fingerprint}}",
			map[string]any{"Host": a.Host, "Account": strconv.Quote(a.Name), "Fingerprint": colonHex(a.PinnedCertSHA256)}))
	} else {
		d.warning.Importance = widget.WarningImportance
		d.warning.SetText(lang.L("The certificate of {{.Host}} (account {{.Account}}) is not signed by an authority "+
			"this computer trusts. If it is your own or your provider's server, compare the fingerprint "+
			"below with the one they publish before trusting it.", map[string]any{"Host": a.Host, "Account": strconv.Quote(a.Name)}))
	}
	key := func(s string) *widget.Label {
		l := widget.NewLabel(s)
		l.TextStyle = fyne.TextStyle{Bold: true}
		return l
	}
	grid := container.New(layout.NewFormLayout(),
		key(lang.L("Subject")), d.subject, key(lang.L("Issuer")), d.issuer,
		key(lang.L("Valid from")), d.validFrom, key(lang.L("Valid until")), d.validUntil, key("SHA-256"), d.sha256)

	d.trust = func() {
		d.dialog.Hide()
		if onTrust != nil {
			onTrust(pin)
			return
		}
		m.pinCertificate(a, pin)
	}
	trustBtn := widget.NewButtonWithIcon(lang.L("Trust this certificate"), theme.ConfirmIcon(), d.trust)
	if d.changed {
		trustBtn.Importance = widget.DangerImportance
	} else {
		trustBtn.Importance = widget.HighImportance
	}
	cancel := widget.NewButton(lang.L("Do not trust"), func() { d.dialog.Hide() })
	body := container.NewVBox(container.NewBorder(nil, nil, icon, nil, d.warning), widget.NewSeparator(), grid)
	d.dialog = dialog.NewCustomWithoutButtons(title, body, m.window)
	d.dialog.SetButtons([]fyne.CanvasObject{cancel, trustBtn})
	d.dialog.Resize(fyne.NewSize(760, 480))
	return d
}

// pinCertificate saves the pin on the account and checks it again.
func (m *mainWindow) pinCertificate(a mailstore.Account, pin string) {
	eng := m.eng
	m.bridge.run(func(ctx context.Context) error {
		cur, err := eng.Account(ctx, a.Name)
		if err != nil {
			return err
		}
		cur.PinnedCertSHA256 = pin
		return eng.UpdateAccount(ctx, cur, nil)
	}, func(err error) {
		if err != nil {
			m.showError(lang.L("Could not save the trusted certificate"), err)
			return
		}
		m.accountSaved(a.Name, lang.L("Trusted the certificate of ")+a.Host+lang.L(" for ")+a.Name+".")
	})
}

// colonHex writes a hex fingerprint in colon-separated pairs, in two lines, as browsers show it.
func colonHex(h string) string {
	h = strings.ToUpper(h)
	var b strings.Builder
	for i := 0; i+1 < len(h); i += 2 {
		if i > 0 {
			if i == len(h)/2 {
				b.WriteByte('\n')
			} else {
				b.WriteByte(':')
			}
		}
		b.WriteString(h[i : i+2])
	}
	return b.String()
}
