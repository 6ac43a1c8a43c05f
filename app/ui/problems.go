package ui

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"strconv"
	"strings"
	"syscall"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/app/oauth"
	"github.com/pouchmail/pouch/app/secrets"
	"github.com/pouchmail/pouch/mailstore"
	"github.com/pouchmail/pouch/pop3"
)

// problem is an error in words people act on: what happened and what to do, the account form
// field it concerns, and the error's own text for Details…. explain is the one place that
// turns the engine's errors into these sentences; the sidebar, the banner, the status bar and
// the account dialogs all show its answer.
type problem struct {
	Summary string // what happened, one sentence
	Action  string // what to do about it; "" when Pouch handles it alone
	Field   string // the form field to point at: "password", "host", "port", "security", "auth"; or ""
	Details string // the error's own text, one click away
	// Cert: an untrusted or changed certificate (Show certificate…).
	Cert *pop3.TLSError
	// Switch is a security setting that looks right for this server and port; "" = none.
	Switch mailstore.Security
}

// text is the summary and the action in one string.
func (p problem) text() string {
	if p.Action == "" {
		return p.Summary
	}
	return p.Summary + " " + p.Action
}

// explain words err, a check or a login test of account a (nil when unknown).
func explain(err error, a *mailstore.Account) problem {
	p := problem{Details: err.Error()}
	var host, server string
	var port int
	var sec mailstore.Security
	if a != nil {
		host, port, sec = a.Host, a.Port, a.Security
		server = net.JoinHostPort(host, strconv.Itoa(port))
	}
	if host == "" {
		host, server = lang.L("the server"), lang.L("the server")
	}
	vars := map[string]any{"Host": host, "Server": server, "Port": port}
	var (
		dns    *net.DNSError
		rec    tls.RecordHeaderError
		terr   *pop3.TLSError
		perr   *pop3.Error
		slow   *pop3.SlowReplyError
		nopw   *engine.NoPasswordError
		nouidl *engine.NoUIDLError
		locked *engine.LockedError
		signIn *engine.SignInRequiredError
		ocfg   *oauth.ConfigError
		nerr   net.Error
	)
	switch {
	case errors.As(err, &signIn):
		p.Summary = lang.L("The provider no longer accepts Pouch's sign-in (the password was changed, or access was withdrawn).")
		p.Action = lang.L("Sign in again.")
	case errors.As(err, &ocfg):
		p.Summary = lang.L("The sign-in settings of this account are incomplete.")
		p.Action = lang.L("Add the account again with its provider's sign-in.")
	case errors.As(err, &nopw):
		p.Summary = lang.L("No password is stored for this account.")
		p.Action = lang.L("Enter it in Edit account.")
		p.Field = "password"
	case secrets.IsUnavailable(err):
		p.Summary = lang.L("The keyring that keeps passwords does not answer.")
		p.Action = lang.L("Unlock or start the keyring, or let Pouch ask for the password each session.")
	case errors.As(err, &locked), errors.Is(err, mailstore.ErrInUse):
		p.Summary = lang.L("Another Pouch is checking this account right now.")
		p.Action = lang.L("Nothing to do: Pouch tries again shortly.")
	case errors.As(err, &nouidl):
		p.Summary = lang.L("{{.Host}} cannot tell messages apart between visits (no UIDL), so mail cannot be left on it.", vars)
		p.Action = lang.L("Choose “Delete after download” in Edit account.")
	case errors.Is(err, pop3.ErrInsecureAuth):
		p.Summary = lang.L("The password would travel unencrypted to {{.Host}}, so Pouch did not send it.", vars)
		p.Action = lang.L("Choose SSL/TLS or STARTTLS as the security.")
		p.Field = "security"
	case errors.Is(err, pop3.ErrMechanismUnsupported):
		p.Summary = lang.L("{{.Host}} does not offer the login method this account is set to.", vars)
		p.Action = lang.L("Set Authentication to Automatic.")
		p.Field = "auth"
	case errors.Is(err, pop3.ErrSTLSUnsupported):
		p.Summary = lang.L("{{.Host}} does not offer STARTTLS on port {{.Port}}.", vars)
		p.Action = lang.L("It may use SSL/TLS on port 995 instead: switch?")
		p.Field, p.Switch = "security", mailstore.SecurityTLS
	case errors.As(err, &rec) && sec == mailstore.SecurityTLS:
		// A plain POP3 greeting where the TLS handshake was expected.
		p.Summary = lang.L("{{.Server}} answers without encryption: it looks like this server uses STARTTLS on this port.", vars)
		p.Action = lang.L("Switch the security to STARTTLS?")
		p.Field, p.Switch = "security", mailstore.SecurityStartTLS
	case errors.As(err, &terr):
		p.Field = "security"
		switch terr.Kind {
		case pop3.TLSPinMismatch:
			p.Summary = lang.L("The certificate of {{.Host}} is not the one you trusted: it was renewed, or someone is intercepting the connection.", vars)
			p.Action = lang.L("Look at the certificate before you trust it.")
		case pop3.TLSNameMismatch:
			p.Summary = lang.L("The certificate of {{.Host}} is made out to another name.", vars)
			p.Action = lang.L("Check the server name, or look at the certificate.")
		case pop3.TLSExpired:
			p.Summary = lang.L("The certificate of {{.Host}} has expired or is not valid yet.", vars)
			p.Action = lang.L("Check this computer's date, or look at the certificate.")
		case pop3.TLSUnknownAuthority:
			p.Summary = lang.L("This computer does not trust the certificate of {{.Host}}.", vars)
			p.Action = lang.L("If it is your provider's or your own server, look at the certificate and trust it.")
		default:
			p.Summary = lang.L("The encrypted connection to {{.Server}} could not be set up.", vars)
			p.Action = lang.L("Check the security setting and the port.")
		}
		if len(terr.Certificates) > 0 {
			p.Cert = terr
		}
	case errors.As(err, &slow) && (slow.Command == "RETR" || slow.Command == "TOP"):
		// Before the timeouts: the server did answer, too slowly. The engine tries the message
		// after the others next time, then only once a day.
		p.Summary = lang.L("{{.Server}} sent a message so slowly that Pouch gave up on it.", vars)
		p.Action = lang.L("Nothing to do: the message stays on the server, and Pouch fetches the others first next time.")
	case errors.As(err, &slow):
		p.Summary = lang.L("{{.Server}} answered so slowly that Pouch gave up.", vars)
		p.Action = lang.L("Check the network connection; Pouch tries again later.")
	case errors.As(err, &perr):
		p.Summary, p.Action, p.Field = refusal(perr, vars)
	case errors.As(err, &dns):
		p.Summary = lang.L("The server name {{.Host}} was not found.", vars)
		p.Action = lang.L("Check its spelling, and that this computer is online.")
		p.Field = "host"
	case errors.Is(err, syscall.ECONNREFUSED):
		p.Summary = lang.L("{{.Server}} refused the connection: nothing answers on port {{.Port}}.", vars)
		p.Action = lang.L("Check the port: 995 for SSL/TLS, 110 for STARTTLS.")
		p.Field = "port"
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &nerr) && nerr.Timeout():
		p.Summary = lang.L("{{.Server}} did not answer in time.", vars)
		p.Action = lang.L("Check the network connection; Pouch tries again later.")
		if port == 995 && sec != mailstore.SecurityTLS {
			p.Action = lang.L("Port 995 usually wants SSL/TLS: switch?")
			p.Field, p.Switch = "security", mailstore.SecurityTLS
		}
	case errors.As(err, &nerr):
		p.Summary = lang.L("The connection to {{.Server}} failed.", vars)
		p.Action = lang.L("Check the network connection; Pouch tries again later.")
	default:
		p.Summary = lang.L("Something went wrong: {{.Error}}", map[string]any{"Error": withoutPrefixes(err.Error(), a)})
	}
	return p
}

// refusal words a server's -ERR by its response code (RFC 2449, RFC 3206).
func refusal(perr *pop3.Error, vars map[string]any) (summary, action, field string) {
	vars["Text"] = perr.Text
	switch c := perr.Code; {
	case c.Is(pop3.CodeInUse):
		return lang.L("Another program is reading this mailbox right now (the server said [IN-USE]), a phone or another mail client perhaps.", vars),
			lang.L("Nothing to do: Pouch tries again in a few minutes."), ""
	case c.Is(pop3.CodeLoginDelay):
		return lang.L("{{.Host}} allows a login only every so often (it said [LOGIN-DELAY]).", vars),
			lang.L("Nothing to do: Pouch waits, then tries again."), ""
	case c.Is(pop3.CodeSysTemp):
		return lang.L("{{.Host}} has a passing problem (it said [SYS/TEMP]: “{{.Text}}”).", vars),
			lang.L("Nothing to do: Pouch tries again later, waiting longer each time."), ""
	case c.Is(pop3.CodeSysPerm):
		return lang.L("{{.Host}} refuses this mailbox for now (it said [SYS/PERM]: “{{.Text}}”). The password is not the problem.", vars),
			lang.L("Ask your provider; checking is paused until you press Check now."), ""
	case perr.AuthFailed():
		return lang.L("{{.Host}} refused the user name or the password.", vars),
			lang.L("Check the password (and the user name) in Edit account."), "password"
	}
	return lang.L("{{.Host}} refused a command: “{{.Text}}”.", vars), lang.L("Pouch tries again at the next check."), ""
}

// withoutPrefixes drops the account name and package names the engine's text starts with, so
// a sentence never reads "Home: Home: pop3: …".
func withoutPrefixes(s string, a *mailstore.Account) string {
	for {
		t := s
		if a != nil {
			t = strings.TrimPrefix(t, a.Name+": ")
		}
		for _, p := range []string{"pop3: ", "engine: ", "mailstore: "} {
			t = strings.TrimPrefix(t, p)
		}
		if t == s {
			return s
		}
		s = t
	}
}

// showDetails shows an error's own text, for Details….
func (m *mainWindow) showDetails(p problem) {
	l := widget.NewLabel(p.Details)
	l.Wrapping = fyne.TextWrapWord
	l.Selectable = true
	d := dialog.NewCustom(lang.L("Details"), lang.L("Close"), l, m.window)
	d.Resize(fyne.NewSize(560, 220))
	d.Show()
}
