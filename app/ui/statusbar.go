package ui

import (
	"context"
	"errors"
	"fyne.io/fyne/v2/lang"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/app/secrets"
	"github.com/pouchmail/pouch/mailstore"
	"github.com/pouchmail/pouch/pop3"
)

func (m *mainWindow) buildStatusBar() {
	m.status = widget.NewLabel("")
	m.status.Truncation = fyne.TextTruncateEllipsis
	m.lastCheck = widget.NewLabel(lang.L("Not checked yet"))
	m.lastCheck.Importance = widget.LowImportance
	m.unsearchable = widget.NewLabel("")
	m.unsearchable.Importance = widget.LowImportance
	m.unsearchable.Hide()
}

func (m *mainWindow) statusBar() fyne.CanvasObject {
	return container.NewBorder(widget.NewSeparator(), nil, nil, container.NewHBox(m.unsearchable, m.lastCheck), m.status)
}

// indexProgress shows how much mail the search index has yet to catch up with (the poller's
// EventIndex), and nothing once it has.
func (m *mainWindow) indexProgress(n int) {
	if n <= 0 {
		m.unsearchable.Hide()
		return
	}
	m.unsearchable.SetText(lang.N("{{.Count}} messages not yet searchable", n, map[string]any{"Count": n}))
	m.unsearchable.Show()
}

// onPollEvent is the poller's OnEvent: it hands each report to the UI goroutine.
func (m *mainWindow) onPollEvent(ev engine.Event) { m.bridge.do(func() { m.pollEvent(ev) }) }

// pollEvent runs on the UI goroutine for every report of the poller.
func (m *mainWindow) pollEvent(ev engine.Event) {
	switch ev.Kind {
	case engine.EventProgress:
		m.progressOf = ev.Account
		m.setStatus(progressText(ev.Progress))
	case engine.EventStatus:
		if ev.Status.LastError != "" && m.progressOf == ev.Account {
			// The session ended in an error: the status must not stay on "logging in…".
			m.progressOf = ""
			m.setStatus(ev.Account + ": " + m.errorText(ev.Status))
		}
		m.pollState[ev.Account] = ev.Status
		m.refreshSidebar()
		m.updateBanner()
	case engine.EventFinished:
		m.finished(ev.Result)
	case engine.EventNewMail:
		m.notifyNewMail(ev.Result)
	case engine.EventSend:
		m.sendEvent(ev.Send)
	case engine.EventIndex:
		m.indexProgress(ev.Unsearchable)
	}
}

func (m *mainWindow) finished(r *engine.Result) {
	if r == nil {
		return
	}
	m.lastCheck.SetText(lang.L("Last check ") + time.Now().Format("15:04"))
	if m.progressOf == r.Account {
		m.progressOf = ""
	}
	if r.Err != nil {
		m.lastErr[r.Account] = r.Err
		m.setStatus(r.Account + ": " + explain(r.Err, accountByName(m.accounts, r.Account)).Summary)
		m.refreshSidebar()
		m.updateBanner()
		m.handleSessionError(r.Account, r.Err)
		return
	}
	delete(m.lastErr, r.Account)
	switch r.New {
	case 0:
		m.setStatus(r.Account + lang.L(": no new mail."))
	default:
		m.setStatus(lang.N("{{.Account}}: {{.Count}} new messages ({{.Size}}).", r.New,
			map[string]any{"Account": r.Account, "Count": r.New, "Size": sizeText(r.Bytes)}))
	}
	if r.New > 0 {
		m.refreshCounts()
		m.loadMessages()
	}
}

// handleSessionError offers the fix for failures the user can act on right away: an untrusted or
// changed certificate, and a missing password when there is no keyring. Each is offered once
// per account and run.
func (m *mainWindow) handleSessionError(account string, err error) {
	a := accountByName(m.accounts, account)
	if a == nil {
		return
	}
	var tlsErr *pop3.TLSError
	var noPw *engine.NoPasswordError
	var signIn *engine.SignInRequiredError
	switch {
	case errors.As(err, &signIn) && a.OAuthProvider != "":
		if key := "signin:" + account; !m.asked[key] {
			m.asked[key] = true
			m.askSignInAgain(*a)
		}
	case errors.As(err, &tlsErr) && len(tlsErr.Certificates) > 0:
		key := "cert:" + account + ":" + pop3.CertificateSHA256(tlsErr.Certificates[0])
		if !m.asked[key] {
			m.asked[key] = true
			m.showCertificate(*a, tlsErr.Certificates, nil)
		}
	case errors.As(err, &noPw) || secrets.IsUnavailable(err):
		if key := "pw:" + account; !m.asked[key] {
			m.asked[key] = true
			m.askSessionPassword(*a, err)
		}
	}
}

func progressText(p engine.Progress) string {
	if p.Phase == engine.PhaseDownload && p.Total > 0 {
		return lang.L("{{.Account}}: downloading {{.N}} of {{.Total}} ({{.Size}})",
			map[string]any{"Account": p.Account, "N": min(p.N+1, p.Total), "Total": p.Total, "Size": sizeText(p.Bytes)})
	}
	return p.Account + ": " + phaseText(p.Phase)
}

// phaseText is a session's step in words.
func phaseText(p engine.Phase) string {
	switch p {
	case engine.PhaseConnect:
		return lang.L("connecting…")
	case engine.PhaseLogin:
		return lang.L("logging in…")
	case engine.PhaseList:
		return lang.L("listing the messages on the server…")
	case engine.PhaseDownload:
		return lang.L("downloading…")
	case engine.PhaseDelete:
		return lang.L("deleting on the server what is due…")
	case engine.PhaseDone:
		return lang.L("finishing…")
	}
	return string(p) + "…"
}

// notifyNewMail sends a desktop notification with the count and the newest message.
func (m *mainWindow) notifyNewMail(r *engine.Result) {
	if r == nil || r.New == 0 || !m.prefs.notifications {
		return
	}
	eng := m.eng
	var newest []mailstore.Message
	m.bridge.run(func(ctx context.Context) error {
		a, err := eng.Account(ctx, r.Account)
		if err != nil {
			return err
		}
		newest, err = eng.Store().Messages(ctx, mailstore.Filter{AccountID: a.ID, Limit: 1})
		return err
	}, func(err error) {
		m.app.SendNotification(newMailNotification(r.Account, r.New, newest))
	})
}

func newMailNotification(account string, n int, newest []mailstore.Message) *fyne.Notification {
	title := lang.N("{{.Count}} new messages in {{.Account}}", n, map[string]any{"Count": n, "Account": account})
	body := ""
	if len(newest) > 0 {
		from, subject := newest[0].From, newest[0].Subject
		if from == "" {
			from = lang.L("(no sender)")
		}
		if subject == "" {
			subject = lang.L("(no subject)")
		}
		body = from + ": " + subject
	}
	return fyne.NewNotification(title, body)
}
