// Package ui is Pouch's Fyne window. It talks only to the engine; every engine call runs off the
// UI goroutine and its result comes back through bridge.go, the one way back onto the UI goroutine.
package ui

import (
	"context"
	"runtime/debug"
	"time"

	"fyne.io/fyne/v2/lang"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pouchmail/pouch/app/compose"
	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/mailstore"
	"github.com/pouchmail/pouch/resources"
)

// appID identifies Pouch to the OS (preferences, notifications); it matches FyneApp.toml.
const appID = "io.github.pouchmail.pouch"

// Run opens the main window with the background poller and blocks until Pouch quits; a draft
// (a mailto: link's) opens in the compose window.
func Run(ctx context.Context, e *engine.Engine, draft *compose.Message) error {
	a := app.NewWithID(appID)
	a.SetIcon(resources.Icon())
	m, p := newPolledWindow(ctx, a, e, fyne.Do)
	defer m.bridge.idle.stop()
	// One window per archive: a later launch brings this one forward, with its mailto: draft.
	release, err := e.ClaimWindow(ctx, draft, func(d *compose.Message) {
		fyne.Do(func() {
			m.showWindow()
			m.writeTo(d)
		})
	})
	if err != nil {
		return err // *engine.WindowOpenError: the other window has it
	}
	defer release()
	m.oauthSignIn = m.signInWithOAuth
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
	m.writeTo(draft) // a mailto: link: the compose window opens on it
	m.window.ShowAndRun()
	return nil
}

// newPolledWindow makes the main window with the engine's poller (not started) reporting to it,
// and the heap given back when its work is quiet (idle.go): the window as Run opens it, which
// bench/window also measures through the test driver (TestWindowMemoryProcess).
func newPolledWindow(ctx context.Context, a fyne.App, e *engine.Engine, queue func(func())) (*mainWindow, *engine.Poller) {
	var m *mainWindow
	p := e.NewPoller(engine.PollerOptions{OnEvent: func(ev engine.Event) { m.onPollEvent(ev) }})
	m = newMainWindow(ctx, a, e, queue, p)
	m.bridge.idle = newIdleRelease(idleReleaseAfter, debug.FreeOSMemory)
	return m, p
}

// mainWindow is the window with its state.
type mainWindow struct {
	app    fyne.App
	window fyne.Window
	bridge bridge
	eng    *engine.Engine
	poller poller
	prefs  *preferences
	opened *engine.OpenedFiles // attachments handed to other applications, removed on quit
	// oauthSignIn signs in through the browser for a new account whose provider wants OAuth2
	// (the set-up dialog's "Sign in with …"), given the provider's name and the account found
	// for the address, not yet saved. nil: this build cannot, and the button stays hidden.
	oauthSignIn func(provider string, a mailstore.Account)
	// browser opens sign-in pages; nil = the desktop's (Fyne's OpenURL). Tests follow them.
	browser func(url string) error
	// desktop: the app has a system tray (Fyne's desktop.App); trayHost reports whether the
	// desktop shows its icon now; quit ends Pouch. Tests replace them.
	desktop  bool
	trayHost func(ctx context.Context) bool
	quit     func()
	splits   [2]*container.Split // sidebar | rest, list | reading pane: remembered (layout.go)

	// State, touched only on the UI goroutine.
	accounts    []mailstore.Account
	removed     []mailstore.RemovedAccount // removed accounts whose mail was kept
	trashCount  int                        // messages in the Trash
	progressOf  string                     // the account whose progress the status bar shows
	unread      map[int64]int
	pollState   map[string]engine.AccountStatus
	lastErr     map[string]error // each account's last check's error, for problemOf
	view        folder           // what the sidebar selected
	rows        listRows         // the folder's messages, or the search's, newest first
	stateWrites inOrder          // read and flag changes on their way to the store
	query       string
	open        *engine.MessageView    // the message in the viewer
	sel         selection              // the messages the list's actions apply to
	rowPitch    float32                // a list row's height with the gap below it
	folderRow   int                    // the sidebar row selected
	shortcuts   []shortcut             // the window's Ctrl shortcuts, wherever the focus is
	folders     []mailstore.FolderInfo // the user folders, depth first
	treeRows    []mailstore.FolderInfo // those the sidebar shows (none under a collapsed one)
	drag        *dragState             // a drag of the selection under way
	rules       *ruleEditor            // the rule editor, while it is open
	// conversations: the list shows one row per conversation; threadSize has their sizes.
	conversations bool
	threadSize    map[int64]int
	threadMsgs    []mailstore.Message // the open conversation's messages, oldest first
	threadPick    int64               // the message of the open conversation chosen in the viewer
	openGen       int                 // drops a message that loaded after another was asked for
	// previewDelay is the rule editor's pause before counting matches; 0 = previewDelay.
	previewDelay time.Duration
	loadGen      int                            // drops results of superseded loads
	outbox       map[int64]mailstore.Submission // the outbox's states, by message
	composers    []*composeWindow               // compose windows opened (the tests look at them)
	// draftDelay is the pause in typing after which a draft is saved; 0 = draftDelay.
	draftDelay time.Duration
	started    bool
	importing  dialog.Dialog   // the import's progress, while one runs
	setup      *accountSetup   // the set-up dialog the first run opened (the tests look at it)
	asked      map[string]bool // certificate and password prompts already shown this run

	sidebar     *sidebarList
	sidebarRows []*sidebarRow // every row the sidebar made, to find the one under a drop
	moveList    *widget.List  // the Move to… dialog's folders, while it is open
	list        *messageList
	search      *searchEntry
	banner      *widget.Label // the selected account's error, in words
	bannerBox   *fyne.Container
	// bannerDetails is the errors' own text behind the banner's Details… button.
	bannerDetails       string
	bannerDetailsButton *widget.Button
	// bannerCert opens the certificate of the first account in the banner that met an
	// untrusted one (Show certificate…); nil = none.
	bannerCert       func()
	bannerCertButton *widget.Button
	emptyNote        *widget.Label // why the list is empty
	viewer           *viewer
	status           *widget.Label
	lastCheck        *widget.Label
	// unsearchable says how many stored messages the search index has yet to catch up with;
	// hidden when none.
	unsearchable *widget.Label
	toolbar      *toolbar
	undo         *undoToast // Undo after Delete, Move and Mark
	// emptyTrashDialog is the last Empty Trash question (the tests answer it).
	emptyTrashDialog *dialog.ConfirmDialog
}

// newMainWindow builds the window and starts loading the accounts and messages; queue runs a
// function on the UI goroutine. p's events must reach onPollEvent.
func newMainWindow(ctx context.Context, a fyne.App, e *engine.Engine, queue func(func()), p poller) *mainWindow {
	m := &mainWindow{
		app: a, window: a.NewWindow(lang.L("Pouch")), eng: e, bridge: bridge{ctx: ctx, queue: queue}, poller: p,
		unread: map[int64]int{}, pollState: map[string]engine.AccountStatus{}, asked: map[string]bool{}, lastErr: map[string]error{},
		outbox: map[int64]mailstore.Submission{},
		prefs:  loadPreferences(a), opened: engine.NewOpenedFiles(""),
		trayHost: trayHostPresent, quit: a.Quit,
	}
	_, m.desktop = a.(desktop.App)
	m.prefs.applyTheme(a)
	m.conversations = a.Preferences().Bool(conversationsPref)
	m.build()
	m.reload()
	return m
}

func (m *mainWindow) build() {
	m.buildSidebar()
	m.buildList()
	m.viewer = newViewer(m)
	m.buildStatusBar()
	m.toolbar = m.buildToolbar()

	m.banner = widget.NewLabel("")
	m.banner.Wrapping = fyne.TextWrapWord
	m.banner.Importance = widget.DangerImportance
	m.bannerDetailsButton = widget.NewButton(lang.L("Details…"), func() { m.showDetails(problem{Details: m.bannerDetails}) })
	m.bannerCertButton = widget.NewButtonWithIcon(lang.L("Show certificate…"), theme.WarningIcon(), func() {
		if m.bannerCert != nil {
			m.bannerCert()
		}
	})
	m.bannerBox = container.NewBorder(nil, nil, nil, container.NewVBox(m.bannerCertButton, m.bannerDetailsButton), m.banner)
	m.bannerBox.Hide()
	m.emptyNote = widget.NewLabel("")
	m.emptyNote.Alignment = fyne.TextAlignCenter
	m.emptyNote.Wrapping = fyne.TextWrapWord
	m.emptyNote.Hide()
	right := container.NewHSplit(listPane(container.NewVBox(m.search, m.bannerBox), container.NewStack(m.list, container.NewVBox(m.emptyNote))),
		m.viewer.content)
	main := container.NewHSplit(m.sidebar, right)
	m.restoreLayout(main, right)
	m.undo = newUndoToast(m.bridge.do)
	m.window.SetContent(container.NewBorder(m.toolbar.bar, m.statusBar(), nil, nil, container.NewStack(main, m.undo.overlay)))
	m.setUpShortcuts()
	m.setUpCloseIntercept()
}

// reload re-reads accounts, the counts (with the folder tree) and the message list.
func (m *mainWindow) reload() {
	eng := m.eng
	var accts []mailstore.Account
	var removed []mailstore.RemovedAccount
	m.bridge.run(func(ctx context.Context) error {
		var err error
		if accts, err = eng.Accounts(ctx); err != nil {
			return err
		}
		removed, err = eng.RemovedAccounts(ctx)
		return err
	}, func(err error) {
		if err != nil {
			m.setStatus(lang.L("Could not read accounts: ") + err.Error())
			return
		}
		m.accounts, m.removed = accts, removed
		m.refreshSidebar()
		m.refreshFolders()
		m.toolbar.highlight(len(accts) > 0)
		if !m.started {
			m.started = true
			m.sidebar.Select(0) // "All mail"; selecting loads the messages
			if len(accts) == 0 && len(removed) == 0 {
				// First run: the account set-up, not an empty window.
				m.setStatus(lang.L("No accounts yet: add one to start."))
				m.setup = m.newAccountSetup()
				m.setup.dialog.Show()
			}
			return
		}
		m.keepSidebarSelection()
		m.loadMessages()
	})
}

// keepSidebarSelection keeps the sidebar's highlight on the folder shown after rows came or went (an
// account added, removed, or kept as "NAME (removed)"); a folder that is gone gives All mail.
func (m *mainWindow) keepSidebarSelection() {
	row := 0
	for i := 0; i < m.sidebar.Length(); i++ {
		if m.folderAt(i) == m.view {
			row = i
			break
		}
	}
	if row == 0 {
		m.view = folder{}
	}
	m.selectRowQuietly(row)
	m.toolbar.update()
	m.updateBanner()
}

// selectRowQuietly moves the sidebar's highlight to row i, which shows the folder already shown:
// the list is not loaded again, and folderRow (the row Up and Down move from) follows.
func (m *mainWindow) selectRowQuietly(i int) {
	on := m.sidebar.OnSelected
	m.sidebar.OnSelected = nil
	m.sidebar.Select(i)
	m.sidebar.OnSelected = on
	m.folderRow = i
}

// refreshCounts re-reads the unread counts only (the accounts' and the Trash's come with the
// folder tree).
func (m *mainWindow) refreshCounts() {
	eng := m.eng
	var removed []mailstore.RemovedAccount
	m.bridge.run(func(ctx context.Context) (err error) {
		removed, err = eng.RemovedAccounts(ctx)
		return err
	}, func(err error) {
		if err == nil && len(removed) == len(m.removed) { // a change of rows waits for reload
			m.removed = removed
			m.refreshSidebar()
			m.refreshFolders()
		}
	})
}

func (m *mainWindow) setStatus(s string) { m.status.SetText(s) }

// showError reports a failure in a dialog, with the exact reason.
func (m *mainWindow) showError(what string, err error) {
	m.setStatus(what + ": " + err.Error())
	d := widget.NewLabel(what + ":\n" + err.Error())
	d.Wrapping = fyne.TextWrapWord
	dialog.NewCustom(lang.L("Pouch"), lang.L("Close"), d, m.window).Show()
}
