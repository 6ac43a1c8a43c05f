package ui

import (
	"fyne.io/fyne/v2/lang"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/pouchmail/pouch/app/account"
)

// Preference keys in Fyne's per-app preferences store.
const (
	prefInterval      = "default_check_interval_minutes"
	prefNotifications = "notifications"
	prefKeepInTray    = "keep_running_in_tray"
	prefTheme         = "theme"
)

// Theme choices.
const (
	themeSystem = "system"
	themeLight  = "light"
	themeDark   = "dark"
)

var intervalChoices = []int{1, 5, 10, 15, 30, 60, 120}

// preferences are the window's settings, kept with fyne's Preferences (per user, per app ID).
type preferences struct {
	intervalMinutes int // check interval for new accounts
	notifications   bool
	keepInTray      bool // closing the window keeps Pouch polling in the system tray
	theme           string
}

func loadPreferences(a fyne.App) *preferences {
	p := a.Preferences()
	return &preferences{
		intervalMinutes: p.IntWithFallback(prefInterval, int(account.DefaultInterval/time.Minute)),
		notifications:   p.BoolWithFallback(prefNotifications, true),
		keepInTray:      p.BoolWithFallback(prefKeepInTray, false),
		theme:           p.StringWithFallback(prefTheme, themeSystem),
	}
}

func (p *preferences) save(a fyne.App) {
	s := a.Preferences()
	s.SetInt(prefInterval, p.intervalMinutes)
	s.SetBool(prefNotifications, p.notifications)
	s.SetBool(prefKeepInTray, p.keepInTray)
	s.SetString(prefTheme, p.theme)
}

// defaultInterval is the check interval a new account starts with.
func (p *preferences) defaultInterval() time.Duration {
	d := time.Duration(p.intervalMinutes) * time.Minute
	if d < account.MinInterval || d > account.MaxInterval {
		return account.DefaultInterval
	}
	return d
}

func (p *preferences) applyTheme(a fyne.App) { a.Settings().SetTheme(newPouchTheme(p.theme)) }

// preferencesDialog holds the preference widgets.
type preferencesDialog struct {
	interval      *widget.Select
	notifications *widget.Check
	keepInTray    *widget.Check
	trayNote      *widget.Label // shown when no tray host shows Pouch's icon
	theme         *widget.RadioGroup
	dialog        *dialog.ConfirmDialog
	apply         func()
}

// showPreferences opens the preferences dialog.
func (m *mainWindow) showPreferences() { m.newPreferencesDialog().dialog.Show() }

// newPreferencesDialog builds the preferences dialog without showing it.
func (m *mainWindow) newPreferencesDialog() *preferencesDialog {
	p := m.prefs
	d := &preferencesDialog{}
	var labels []string
	for _, n := range intervalChoices {
		labels = append(labels, intervalLabel(n))
	}
	d.interval = widget.NewSelect(labels, nil)
	d.interval.SetSelected(intervalLabel(p.intervalMinutes))
	d.notifications = widget.NewCheck(lang.L("Show a notification when new mail arrives"), nil)
	d.notifications.SetChecked(p.notifications)
	d.keepInTray = widget.NewCheck(lang.L("Keep checking mail in the system tray when the window is closed"), nil)
	d.keepInTray.SetChecked(p.keepInTray)
	d.trayNote = widget.NewLabel(lang.L("This desktop shows no tray icons, so closing the window quits Pouch."))
	d.trayNote.Wrapping = fyne.TextWrapWord
	d.trayNote.Hide()
	if m.desktop {
		m.askTrayHost(func(present bool) {
			if !present {
				d.trayNote.Show()
			}
		})
	}
	system, light, dark := lang.L("System"), lang.L("Light"), lang.L("Dark")
	d.theme = widget.NewRadioGroup([]string{system, light, dark}, nil)
	d.theme.Horizontal = true
	d.theme.SetSelected(map[string]string{themeLight: light, themeDark: dark}[p.theme])
	if d.theme.Selected == "" {
		d.theme.SetSelected(system)
	}
	d.apply = func() {
		for _, n := range intervalChoices {
			if intervalLabel(n) == d.interval.Selected {
				p.intervalMinutes = n
			}
		}
		p.notifications = d.notifications.Checked
		p.keepInTray = d.keepInTray.Checked
		p.theme = map[string]string{light: themeLight, dark: themeDark}[d.theme.Selected]
		if p.theme == "" {
			p.theme = themeSystem
		}
		p.save(m.app)
		p.applyTheme(m.app)
		m.setStatus(lang.L("Preferences saved."))
	}
	form := widget.NewForm(
		&widget.FormItem{Text: lang.L("Check new accounts every"), Widget: d.interval,
			HintText: lang.L("A default for accounts added from now on; each account keeps its own, in Edit account.")},
		widget.NewFormItem(lang.L("Notifications"), d.notifications),
		widget.NewFormItem(lang.L("When closing the window"), container.NewVBox(d.keepInTray, d.trayNote)),
		widget.NewFormItem(lang.L("Theme"), d.theme),
	)
	d.dialog = dialog.NewCustomConfirm(lang.L("Preferences"), lang.L("Save"), lang.L("Cancel"), form, func(ok bool) {
		if ok {
			d.apply()
		}
	}, m.window)
	d.dialog.Resize(fyne.NewSize(620, 320))
	return d
}

func intervalLabel(minutes int) string {
	switch {
	case minutes%60 == 0:
		h := minutes / 60
		return lang.N("{{.Count}} hours", h, map[string]any{"Count": h})
	}
	return lang.N("{{.Count}} minutes", minutes, map[string]any{"Count": minutes})
}
