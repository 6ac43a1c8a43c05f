package ui

import (
	"context"
	"crypto/x509"
	"fmt"
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

// CertDialog shows a server certificate the system does not trust, or one that differs from
// the certificate pinned for the account; exported for tests.
type CertDialog struct {
	Warning                                        *widget.Label
	Subject, Issuer, ValidFrom, ValidUntil, SHA256 *widget.Label
	Changed                                        bool
	Dialog                                         *dialog.CustomDialog
	trust                                          func()
}

// Trust pins the certificate, as the "Trust this certificate" button does.
func (d *CertDialog) Trust() { d.trust() }

// ShowCertificate opens the certificate dialog for account a. onTrust receives the pin; nil
// means: save it on the account and check again.
func (m *MainWindow) ShowCertificate(a mailstore.Account, chain []*x509.Certificate, onTrust func(pin string)) *CertDialog {
	d := m.NewCertDialog(a, chain, onTrust)
	d.Dialog.Show()
	return d
}

// NewCertDialog builds the certificate dialog without showing it.
func (m *MainWindow) NewCertDialog(a mailstore.Account, chain []*x509.Certificate, onTrust func(pin string)) *CertDialog {
	leaf := chain[0]
	pin := pop3.CertificateSHA256(leaf)
	d := &CertDialog{Changed: a.PinnedCertSHA256 != "" && !strings.EqualFold(a.PinnedCertSHA256, pin)}
	value := func(s string) *widget.Label {
		l := widget.NewLabel(s)
		l.Wrapping = fyne.TextWrapWord
		l.Selectable = true
		return l
	}
	d.Subject = value(leaf.Subject.String())
	d.Issuer = value(leaf.Issuer.String())
	d.ValidFrom = value(leaf.NotBefore.Local().Format("2 January 2006 15:04"))
	d.ValidUntil = value(leaf.NotAfter.Local().Format("2 January 2006 15:04"))
	d.SHA256 = value(colonHex(pin))
	d.SHA256.TextStyle = fyne.TextStyle{Monospace: true}
	if names := leaf.DNSNames; len(names) > 0 {
		d.Subject.SetText(d.Subject.Text + "\n(names: " + strings.Join(names, ", ") + ")")
	}

	d.Warning = widget.NewLabel("")
	d.Warning.Wrapping = fyne.TextWrapWord
	icon := widget.NewIcon(theme.WarningIcon())
	title := "Untrusted certificate"
	if d.Changed {
		title = "WARNING: the server's certificate has changed"
		icon.SetResource(theme.ErrorIcon())
		d.Warning.Importance = widget.DangerImportance
		d.Warning.TextStyle = fyne.TextStyle{Bold: true}
		d.Warning.SetText(fmt.Sprintf("The certificate of %s is not the one you trusted for %q.\n"+
			"Someone may be intercepting your connection and your password. Trust the new certificate "+
			"only if your provider told you it changed.\nPreviously trusted: %s",
			a.Host, a.Name, colonHex(a.PinnedCertSHA256)))
	} else {
		d.Warning.Importance = widget.WarningImportance
		d.Warning.SetText(fmt.Sprintf("The certificate of %s (account %q) is not signed by an authority "+
			"this computer trusts. If it is your own or your provider's server, compare the fingerprint "+
			"below with the one they publish before trusting it.", a.Host, a.Name))
	}
	key := func(s string) *widget.Label {
		l := widget.NewLabel(s)
		l.TextStyle = fyne.TextStyle{Bold: true}
		return l
	}
	grid := container.New(layout.NewFormLayout(),
		key("Subject"), d.Subject, key("Issuer"), d.Issuer,
		key("Valid from"), d.ValidFrom, key("Valid until"), d.ValidUntil, key("SHA-256"), d.SHA256)

	d.trust = func() {
		d.Dialog.Hide()
		if onTrust != nil {
			onTrust(pin)
			return
		}
		m.pinCertificate(a, pin)
	}
	trustBtn := widget.NewButtonWithIcon("Trust this certificate", theme.ConfirmIcon(), d.Trust)
	if d.Changed {
		trustBtn.Importance = widget.DangerImportance
	} else {
		trustBtn.Importance = widget.HighImportance
	}
	cancel := widget.NewButton("Do not trust", func() { d.Dialog.Hide() })
	body := container.NewVBox(container.NewBorder(nil, nil, icon, nil, d.Warning), widget.NewSeparator(), grid)
	d.Dialog = dialog.NewCustomWithoutButtons(title, body, m.Window)
	d.Dialog.SetButtons([]fyne.CanvasObject{cancel, trustBtn})
	d.Dialog.Resize(fyne.NewSize(760, 480))
	return d
}

// pinCertificate saves the pin on the account and checks it again.
func (m *MainWindow) pinCertificate(a mailstore.Account, pin string) {
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
			m.showError("Could not save the trusted certificate", err)
			return
		}
		m.setStatus("Trusted the certificate of " + a.Host + " for " + a.Name + ".")
		m.poller.Reload()
		m.poller.CheckNow(a.Name)
		m.Reload()
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
