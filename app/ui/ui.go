// Package ui is Pouch's Fyne window. It talks only to the engine; every engine call runs off the
// UI goroutine and its result comes back through bridge.go, the one way back onto the UI goroutine.
package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/mailstore"
	"github.com/pouchmail/pouch/resources"
)

// AppID identifies Pouch to the OS (preferences, notifications); it matches FyneApp.toml.
const AppID = "io.github.pouchmail.pouch"

// Run opens the main window with the background poller and blocks until Pouch quits.
func Run(ctx context.Context, e *engine.Engine) error {
	a := app.NewWithID(AppID)
	a.SetIcon(resources.Icon())
	var m *MainWindow
	p := e.NewPoller(engine.PollerOptions{OnEvent: func(ev engine.Event) { m.onPollEvent(ev) }})
	m = newMainWindow(ctx, a, e, fyne.Do, p)
	m.setUpTray()
	p.Start(ctx)
	defer p.Stop()
	// Opened attachments go with the window; what a killed run left goes now.
	defer m.opened.Close()
	go engine.RemoveStaleOpened("", time.Now())
	// A signal (ctx) quits the window like its Quit item, so the deferred clean-up runs.
	ran := make(chan struct{})
	defer close(ran)
	go func() {
		select {
		case <-ctx.Done():
			fyne.Do(a.Quit)
		case <-ran:
		}
	}()
	m.Window.ShowAndRun()
	return nil
}

// MainWindow is the window with its state; exported fields are for tests.
type MainWindow struct {
	App    fyne.App
	Window fyne.Window
	bridge bridge
	eng    *engine.Engine
	poller poller
	prefs  *Preferences
	opened *engine.OpenedFiles // attachments handed to other applications, removed on quit

	// State, touched only on the UI goroutine.
	accounts  []mailstore.Account
	unread    map[int64]int
	pollState map[string]engine.AccountStatus
	view      folder              // what the sidebar selected
	all       []mailstore.Message // the folder's messages, newest first
	shown     []mailstore.Message // all, or the search results
	query     string
	open      *engine.MessageView // the message in the viewer
	loadGen   int                 // drops results of superseded loads
	searchGen int
	started   bool
	asked     map[string]bool // certificate and password prompts already shown this run

	Sidebar   *widget.List
	List      *messageList
	Search    *widget.Entry
	Banner    *widget.Label // the selected account's error, in words
	Viewer    *Viewer
	Status    *widget.Label
	LastCheck *widget.Label
	Toolbar   *Toolbar
}

// newMainWindow builds the window and starts loading the accounts and messages; queue runs a
// function on the UI goroutine. p's events must reach onPollEvent.
func newMainWindow(ctx context.Context, a fyne.App, e *engine.Engine, queue func(func()), p poller) *MainWindow {
	m := &MainWindow{
		App: a, Window: a.NewWindow("Pouch"), eng: e, bridge: bridge{ctx: ctx, queue: queue}, poller: p,
		unread: map[int64]int{}, pollState: map[string]engine.AccountStatus{}, asked: map[string]bool{},
		prefs: loadPreferences(a), opened: engine.NewOpenedFiles(""),
	}
	m.prefs.applyTheme(a)
	m.build()
	m.Window.Resize(fyne.NewSize(1280, 800))
	m.Reload()
	return m
}

func (m *MainWindow) build() {
	m.buildSidebar()
	m.buildList()
	m.Viewer = newViewer(m)
	m.buildStatusBar()
	m.Toolbar = m.buildToolbar()

	m.Banner = widget.NewLabel("")
	m.Banner.Wrapping = fyne.TextWrapWord
	m.Banner.Importance = widget.DangerImportance
	m.Banner.Hide()
	listPane := container.NewBorder(container.NewVBox(m.Search, m.Banner), nil, nil, nil, m.List)
	right := container.NewHSplit(listPane, m.Viewer.content)
	right.Offset = 0.42
	main := container.NewHSplit(m.Sidebar, right)
	main.Offset = 0.17
	m.Window.SetContent(container.NewBorder(m.Toolbar.bar, m.statusBar(), nil, nil, main))
	m.setUpShortcuts()
	m.setUpCloseIntercept()
}

// Reload re-reads accounts, unread counts and the message list.
func (m *MainWindow) Reload() {
	eng := m.eng
	var accts []mailstore.Account
	var counts map[int64]int
	m.bridge.run(func(ctx context.Context) error {
		var err error
		if accts, err = eng.Accounts(ctx); err != nil {
			return err
		}
		counts, err = eng.UnreadCounts(ctx)
		return err
	}, func(err error) {
		if err != nil {
			m.setStatus("Could not read accounts: " + err.Error())
			return
		}
		m.accounts, m.unread = accts, counts
		m.refreshSidebar()
		if !m.started {
			m.started = true
			m.Sidebar.Select(0) // "All mail"; selecting loads the messages
			if len(accts) == 0 {
				m.setStatus("No accounts yet: add one to start.")
			}
			return
		}
		m.loadMessages()
	})
}

// refreshCounts re-reads the unread counts only.
func (m *MainWindow) refreshCounts() {
	eng := m.eng
	var counts map[int64]int
	m.bridge.run(func(ctx context.Context) (err error) {
		counts, err = eng.UnreadCounts(ctx)
		return err
	}, func(err error) {
		if err == nil {
			m.unread = counts
			m.refreshSidebar()
		}
	})
}

func (m *MainWindow) setStatus(s string) { m.Status.SetText(s) }

// showError reports a failure in a dialog, with the exact reason.
func (m *MainWindow) showError(what string, err error) {
	m.setStatus(what + ": " + err.Error())
	d := widget.NewLabel(what + ":\n" + err.Error())
	d.Wrapping = fyne.TextWrapWord
	dialog.NewCustom("Pouch", "Close", d, m.Window).Show()
}
