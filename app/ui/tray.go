package ui

import (
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
	desk.SetSystemTrayIcon(resources.Icon())
}

// showWindow brings the main window back from the tray.
func (m *mainWindow) showWindow() {
	m.window.Show()
	m.window.RequestFocus()
}

// setUpCloseIntercept keeps Pouch polling in the tray when the preference says so; otherwise
// closing the window quits.
func (m *mainWindow) setUpCloseIntercept() {
	m.window.SetCloseIntercept(func() {
		if _, ok := m.app.(desktop.App); ok && m.prefs.keepInTray {
			m.window.Hide()
			m.setStatus(lang.L("Pouch keeps checking mail in the system tray."))
			return
		}
		m.app.Quit()
	})
}
