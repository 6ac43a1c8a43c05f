package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"

	"github.com/pouchmail/pouch/resources"
)

// setUpTray adds the system tray menu (Check now, Show Pouch; Fyne adds Quit) on desktops.
func (m *mainWindow) setUpTray() {
	desk, ok := m.app.(desktop.App)
	if !ok {
		return
	}
	desk.SetSystemTrayMenu(fyne.NewMenu(lang.L("Pouch"),
		fyne.NewMenuItem(lang.L("Check now"), m.checkNow),
		fyne.NewMenuItem(lang.L("Show Pouch"), m.showWindow),
	))
	desk.SetSystemTrayIcon(resources.TrayIcon())
}

// showWindow brings the main window back from the tray.
func (m *mainWindow) showWindow() {
	m.window.Show()
	m.window.RequestFocus()
}

// setUpCloseIntercept keeps Pouch polling in the tray when the preference says so and the
// desktop shows tray icons; otherwise closing the window quits.
func (m *mainWindow) setUpCloseIntercept() {
	m.window.SetCloseIntercept(m.closeRequested)
}

// closeRequested is the window's close button. Hidden without a tray icon to bring it back,
// Pouch would run on unseen, so without a tray host it quits, whatever the preference.
func (m *mainWindow) closeRequested() {
	m.saveLayout()
	if !m.desktop || !m.prefs.keepInTray {
		m.quit()
		return
	}
	m.askTrayHost(func(present bool) {
		if !present {
			m.quit()
			return
		}
		m.window.Hide()
		m.setStatus(lang.L("Pouch keeps checking mail in the system tray."))
	})
}

// trayHostWait bounds the question whether the desktop shows tray icons (a D-Bus call).
const trayHostWait = 2 * time.Second

// askTrayHost asks off the UI goroutine, for at most trayHostWait, whether the desktop shows
// tray icons now, and passes the answer to done on the UI goroutine.
func (m *mainWindow) askTrayHost(done func(present bool)) {
	present := false
	m.bridge.run(func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, trayHostWait)
		defer cancel()
		present = m.trayHost(ctx)
		return nil
	}, func(error) { done(present) })
}
