package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/pouchmail/pouch/resources"
)

// setUpTray adds the system tray menu (Check now, Show Pouch; Fyne adds Quit) on desktops.
func (m *MainWindow) setUpTray() {
	desk, ok := m.App.(desktop.App)
	if !ok {
		return
	}
	desk.SetSystemTrayMenu(fyne.NewMenu("Pouch",
		fyne.NewMenuItem("Check now", m.CheckNow),
		fyne.NewMenuItem("Show Pouch", m.ShowWindow),
	))
	desk.SetSystemTrayIcon(resources.Icon())
}

// ShowWindow brings the main window back from the tray.
func (m *MainWindow) ShowWindow() {
	m.Window.Show()
	m.Window.RequestFocus()
}

// setUpCloseIntercept keeps Pouch polling in the tray when the preference says so; otherwise
// closing the window quits.
func (m *MainWindow) setUpCloseIntercept() {
	m.Window.SetCloseIntercept(func() {
		if _, ok := m.App.(desktop.App); ok && m.prefs.KeepInTray {
			m.Window.Hide()
			m.setStatus("Pouch keeps checking mail in the system tray.")
			return
		}
		m.App.Quit()
	})
}
