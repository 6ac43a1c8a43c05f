package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
)

// Preference keys of the window's layout, remembered between runs. The position is the window
// manager's: Fyne has no way to place a window.
const (
	prefWidth       = "window_width"
	prefHeight      = "window_height"
	prefSplitFolder = "split_sidebar" // sidebar | list and reading pane
	prefSplitList   = "split_list"    // list | reading pane
)

// Window sizes: the first run's, and the smallest remembered (half a 1366×768 screen).
var (
	defaultWindowSize = fyne.NewSize(1280, 800)
	minWindowSize     = fyne.NewSize(683, 400)
)

// restoreLayout gives the window the size and the pane splits it had when last closed.
func (m *mainWindow) restoreLayout(sidebar, list *container.Split) {
	p := m.app.Preferences()
	size := fyne.NewSize(float32(p.FloatWithFallback(prefWidth, float64(defaultWindowSize.Width))),
		float32(p.FloatWithFallback(prefHeight, float64(defaultWindowSize.Height))))
	m.window.Resize(fyne.NewSize(max(size.Width, minWindowSize.Width), max(size.Height, minWindowSize.Height)))
	split := func(s *container.Split, key string, def float64) {
		if o := p.FloatWithFallback(key, def); o > 0.05 && o < 0.95 {
			s.Offset = o
		} else {
			s.Offset = def
		}
	}
	split(sidebar, prefSplitFolder, 0.17)
	split(list, prefSplitList, 0.42)
	m.splits = [2]*container.Split{sidebar, list}
}

// saveLayout remembers the window's size and pane splits (on close; Fyne writes its
// preferences before Pouch exits).
func (m *mainWindow) saveLayout() {
	p := m.app.Preferences()
	if s := m.window.Canvas().Size(); s.Width > 0 && s.Height > 0 {
		p.SetFloat(prefWidth, float64(s.Width))
		p.SetFloat(prefHeight, float64(s.Height))
	}
	if m.splits[0] != nil {
		p.SetFloat(prefSplitFolder, m.splits[0].Offset)
		p.SetFloat(prefSplitList, m.splits[1].Offset)
	}
}
