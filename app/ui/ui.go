// Package ui is Pouch's Fyne window. It talks only to the engine; every engine call runs off the
// UI goroutine and its result comes back through bridge.go, the one way back onto the UI goroutine.
package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/app/format"
	"github.com/pouchmail/pouch/mailstore"
	"github.com/pouchmail/pouch/resources"
)

// AppID identifies Pouch to the OS (preferences, notifications); it matches FyneApp.toml.
const AppID = "io.github.pouchmail.pouch"

// Run opens the main window and blocks until it is closed.
func Run(ctx context.Context, e *engine.Engine) error {
	a := app.NewWithID(AppID)
	a.SetIcon(resources.Icon())
	w := New(ctx, a, e)
	w.CheckNow() // as other mail clients do, check once at start-up
	w.Window.ShowAndRun()
	return nil
}

// MainWindow is the window with its state; exported fields are for tests.
type MainWindow struct {
	Window fyne.Window
	bridge bridge
	eng    *engine.Engine

	// State, touched only on the UI goroutine.
	accounts []mailstore.Account
	messages []mailstore.Message
	selected string // account name, "" = all mail
	checking bool
	started  bool // the first load has selected "All mail"

	Sidebar  *widget.List
	List     *widget.List
	Header   *widget.Label
	Body     *widget.Label
	Status   *widget.Label
	CheckBtn *widget.Button
	AddBtn   *widget.Button
}

// New builds the main window and starts loading the accounts and messages.
func New(ctx context.Context, a fyne.App, e *engine.Engine) *MainWindow {
	return newMainWindow(ctx, a, e, fyne.Do)
}

func newMainWindow(ctx context.Context, a fyne.App, e *engine.Engine, queue func(func())) *MainWindow {
	m := &MainWindow{Window: a.NewWindow("Pouch"), eng: e, bridge: bridge{ctx: ctx, queue: queue}}
	m.build()
	m.Window.Resize(fyne.NewSize(1200, 760))
	m.Reload()
	return m
}

func (m *MainWindow) build() {
	m.Sidebar = widget.NewList(
		func() int { return len(m.accounts) + 1 },
		func() fyne.CanvasObject { return widget.NewLabel("account name") },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			o.(*widget.Label).SetText(m.sidebarName(i))
		})
	m.Sidebar.OnSelected = func(i widget.ListItemID) {
		m.selected = ""
		if i > 0 && i <= len(m.accounts) {
			m.selected = m.accounts[i-1].Name
		}
		m.loadMessages()
	}

	m.List = widget.NewList(
		func() int { return len(m.messages) },
		func() fyne.CanvasObject { return newMessageRow() },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i < len(m.messages) {
				o.(*messageRow).set(&m.messages[i])
			}
		})
	m.List.OnSelected = func(i widget.ListItemID) {
		if i < len(m.messages) {
			m.showMessage(m.messages[i].ID)
		}
	}

	m.Header = widget.NewLabel("")
	m.Header.TextStyle = fyne.TextStyle{Bold: true}
	m.Header.Wrapping = fyne.TextWrapWord
	m.Body = widget.NewLabel("Select a message to read it.")
	m.Body.Wrapping = fyne.TextWrapWord
	m.Status = widget.NewLabel("")
	m.Status.Truncation = fyne.TextTruncateEllipsis

	m.CheckBtn = widget.NewButtonWithIcon("Check now", theme.ViewRefreshIcon(), m.CheckNow)
	m.AddBtn = widget.NewButtonWithIcon("Add account", theme.ContentAddIcon(), m.ShowAddAccount)
	toolbar := container.NewHBox(m.CheckBtn, m.AddBtn)

	view := container.NewBorder(m.Header, nil, nil, nil, container.NewVScroll(m.Body))
	right := container.NewHSplit(m.List, view)
	right.Offset = 0.45
	main := container.NewHSplit(m.Sidebar, right)
	main.Offset = 0.18
	m.Window.SetContent(container.NewBorder(toolbar, m.Status, nil, nil, main))
	m.Window.Canvas().SetOnTypedKey(func(ev *fyne.KeyEvent) {
		if ev.Name == fyne.KeyF5 {
			m.CheckNow()
		}
	})
}

func (m *MainWindow) sidebarName(i int) string {
	if i == 0 || i > len(m.accounts) {
		return "All mail"
	}
	return m.accounts[i-1].Name
}

// Reload re-reads accounts and the message list.
func (m *MainWindow) Reload() {
	eng := m.eng
	var accts []mailstore.Account
	m.bridge.run(func(ctx context.Context) error {
		var err error
		accts, err = eng.Accounts(ctx)
		return err
	}, func(err error) {
		if err != nil {
			m.setStatus("Could not read accounts: " + err.Error())
			return
		}
		m.accounts = accts
		m.Sidebar.Refresh()
		if !m.started {
			m.started = true
			m.Sidebar.Select(0) // "All mail"; selecting loads the messages
			return
		}
		m.loadMessages()
	})
}

func (m *MainWindow) loadMessages() {
	eng, name := m.eng, m.selected
	var msgs []mailstore.Message
	m.bridge.run(func(ctx context.Context) error {
		var err error
		msgs, err = eng.Messages(ctx, name)
		return err
	}, func(err error) {
		if err != nil {
			m.setStatus("Could not read messages: " + err.Error())
			return
		}
		if name != m.selected {
			return // the user moved on meanwhile
		}
		m.messages = msgs
		m.List.UnselectAll()
		m.List.Refresh()
	})
}

func (m *MainWindow) showMessage(id int64) {
	eng := m.eng
	var v *engine.MessageView
	m.bridge.run(func(ctx context.Context) error {
		var err error
		v, err = eng.Message(ctx, id)
		return err
	}, func(err error) {
		if err != nil {
			m.Header.SetText("")
			m.Body.SetText("Could not open the message: " + err.Error())
			return
		}
		var h strings.Builder
		fmt.Fprintf(&h, "From: %s\nTo: %s\n", v.From, v.To)
		if v.Cc != "" {
			fmt.Fprintf(&h, "Cc: %s\n", v.Cc)
		}
		fmt.Fprintf(&h, "Date: %s\nSubject: %s", formatDate(&v.Message, time.RFC1123), v.Subject)
		for _, a := range v.Body.Attachments {
			fmt.Fprintf(&h, "\nAttachment: %s (%s)", a.Filename, a.ContentType)
		}
		m.Header.SetText(h.String())
		m.Body.SetText(v.Body.Text)
	})
}

// CheckNow fetches new mail for every account in the background.
func (m *MainWindow) CheckNow() {
	if m.checking {
		return
	}
	m.checking = true
	m.CheckBtn.Disable()
	m.setStatus("Checking for new mail…")
	eng := m.eng
	var results []engine.Result
	m.bridge.run(func(ctx context.Context) error {
		var err error
		results, err = eng.FetchAll(ctx, "", func(p engine.Progress) {
			m.bridge.do(func() { m.setStatus(progressText(p)) })
		})
		return err
	}, func(err error) {
		m.checking = false
		m.CheckBtn.Enable()
		m.setStatus(summary(results, err, time.Now()))
		m.loadMessages()
	})
}

func (m *MainWindow) setStatus(s string) { m.Status.SetText(s) }

func progressText(p engine.Progress) string {
	if p.Phase == engine.PhaseDownload && p.Total > 0 {
		return fmt.Sprintf("%s: downloading %d of %d (%s)", p.Account, min(p.N+1, p.Total), p.Total, format.Bytes(p.Bytes))
	}
	return fmt.Sprintf("%s: %s…", p.Account, p.Phase)
}

func summary(results []engine.Result, err error, now time.Time) string {
	if err != nil {
		return "Check failed: " + err.Error()
	}
	if len(results) == 0 {
		return "No accounts yet: add one to start."
	}
	var parts []string
	total := 0
	for _, r := range results {
		if r.Err != nil {
			parts = append(parts, r.Err.Error())
			continue
		}
		total += r.New
	}
	s := fmt.Sprintf("Last check %s: %d new message(s).", now.Format("15:04"), total)
	if len(parts) > 0 {
		s += " Failed: " + strings.Join(parts, "; ")
	}
	return s
}

func formatDate(msg *mailstore.Message, layout string) string {
	return format.MessageDate(msg.Date, msg.Received).Local().Format(layout)
}
