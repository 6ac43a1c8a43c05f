package ui

import (
	"image/color"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
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
	ThemeSystem = "system"
	ThemeLight  = "light"
	ThemeDark   = "dark"
)

var intervalChoices = []int{1, 5, 10, 15, 30, 60, 120}

// Preferences are the window's settings, kept with fyne's Preferences (per user, per app ID).
type Preferences struct {
	IntervalMinutes int // check interval for new accounts
	Notifications   bool
	KeepInTray      bool // closing the window keeps Pouch polling in the system tray
	Theme           string
}

func loadPreferences(a fyne.App) *Preferences {
	p := a.Preferences()
	return &Preferences{
		IntervalMinutes: p.IntWithFallback(prefInterval, int(account.DefaultInterval/time.Minute)),
		Notifications:   p.BoolWithFallback(prefNotifications, true),
		KeepInTray:      p.BoolWithFallback(prefKeepInTray, false),
		Theme:           p.StringWithFallback(prefTheme, ThemeSystem),
	}
}

func (p *Preferences) save(a fyne.App) {
	s := a.Preferences()
	s.SetInt(prefInterval, p.IntervalMinutes)
	s.SetBool(prefNotifications, p.Notifications)
	s.SetBool(prefKeepInTray, p.KeepInTray)
	s.SetString(prefTheme, p.Theme)
}

// DefaultInterval is the check interval a new account starts with.
func (p *Preferences) DefaultInterval() time.Duration {
	d := time.Duration(p.IntervalMinutes) * time.Minute
	if d < account.MinInterval || d > account.MaxInterval {
		return account.DefaultInterval
	}
	return d
}

func (p *Preferences) applyTheme(a fyne.App) {
	switch p.Theme {
	case ThemeLight:
		a.Settings().SetTheme(&fixedVariant{Theme: theme.DefaultTheme(), variant: theme.VariantLight})
	case ThemeDark:
		a.Settings().SetTheme(&fixedVariant{Theme: theme.DefaultTheme(), variant: theme.VariantDark})
	default:
		a.Settings().SetTheme(theme.DefaultTheme())
	}
}

// fixedVariant is the default theme in one variant, whatever the desktop prefers.
type fixedVariant struct {
	fyne.Theme
	variant fyne.ThemeVariant
}

func (t *fixedVariant) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, t.variant)
}

// PreferencesDialog holds the preference widgets; exported for tests.
type PreferencesDialog struct {
	Interval      *widget.Select
	Notifications *widget.Check
	KeepInTray    *widget.Check
	Theme         *widget.RadioGroup
	Dialog        *dialog.ConfirmDialog
	apply         func()
}

// Apply saves the choices, as the Save button does.
func (d *PreferencesDialog) Apply() { d.apply() }

// ShowPreferences opens the preferences dialog.
func (m *MainWindow) ShowPreferences() { m.NewPreferencesDialog().Dialog.Show() }

// NewPreferencesDialog builds the preferences dialog without showing it.
func (m *MainWindow) NewPreferencesDialog() *PreferencesDialog {
	p := m.prefs
	d := &PreferencesDialog{}
	var labels []string
	for _, n := range intervalChoices {
		labels = append(labels, intervalLabel(n))
	}
	d.Interval = widget.NewSelect(labels, nil)
	d.Interval.SetSelected(intervalLabel(p.IntervalMinutes))
	d.Notifications = widget.NewCheck("Show a notification when new mail arrives", nil)
	d.Notifications.SetChecked(p.Notifications)
	d.KeepInTray = widget.NewCheck("Keep checking mail in the system tray when the window is closed", nil)
	d.KeepInTray.SetChecked(p.KeepInTray)
	d.Theme = widget.NewRadioGroup([]string{"System", "Light", "Dark"}, nil)
	d.Theme.Horizontal = true
	d.Theme.SetSelected(map[string]string{ThemeLight: "Light", ThemeDark: "Dark"}[p.Theme])
	if d.Theme.Selected == "" {
		d.Theme.SetSelected("System")
	}
	d.apply = func() {
		for _, n := range intervalChoices {
			if intervalLabel(n) == d.Interval.Selected {
				p.IntervalMinutes = n
			}
		}
		p.Notifications = d.Notifications.Checked
		p.KeepInTray = d.KeepInTray.Checked
		p.Theme = map[string]string{"Light": ThemeLight, "Dark": ThemeDark}[d.Theme.Selected]
		if p.Theme == "" {
			p.Theme = ThemeSystem
		}
		p.save(m.App)
		p.applyTheme(m.App)
		m.setStatus("Preferences saved.")
	}
	form := widget.NewForm(
		widget.NewFormItem("Check new accounts every", d.Interval),
		widget.NewFormItem("Notifications", d.Notifications),
		widget.NewFormItem("When closing the window", d.KeepInTray),
		widget.NewFormItem("Theme", d.Theme),
	)
	d.Dialog = dialog.NewCustomConfirm("Preferences", "Save", "Cancel", form, func(ok bool) {
		if ok {
			d.Apply()
		}
	}, m.Window)
	d.Dialog.Resize(fyne.NewSize(620, 320))
	return d
}

func intervalLabel(minutes int) string {
	switch {
	case minutes == 1:
		return "1 minute"
	case minutes%60 == 0:
		h := minutes / 60
		if h == 1 {
			return "1 hour"
		}
		return strconv.Itoa(h) + " hours"
	}
	return strconv.Itoa(minutes) + " minutes"
}
