package ui

import (
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// undoShown is how long an action's Undo stays offered.
const undoShown = 8 * time.Second

// undoToast is the note at the foot of the message panes after an action that can be taken back
// (Delete, Move, Mark): what was done and an Undo button, for undoShown. It floats over the
// panes, so nothing under it moves when it comes and goes. One action's offer at a time: the
// next replaces it.
type undoToast struct {
	text    *widget.Label
	button  *widget.Button
	box     *fyne.Container // the toast itself, hidden when nothing is offered
	bg      *canvas.Rectangle
	overlay fyne.CanvasObject
	undo    func()
	gen     int // drops the timer of an offer already replaced
	queue   func(func())
	// after runs fn after d off the UI goroutine; time.AfterFunc, or a test's clock.
	after func(d time.Duration, fn func())
}

func newUndoToast(queue func(func())) *undoToast {
	u := &undoToast{text: widget.NewLabel(""), queue: queue,
		after: func(d time.Duration, fn func()) { time.AfterFunc(d, fn) }}
	u.button = widget.NewButtonWithIcon(lang.L("Undo"), theme.ContentUndoIcon(), u.take)
	u.button.Importance = widget.HighImportance
	u.bg = canvas.NewRectangle(theme.Color(theme.ColorNameOverlayBackground))
	u.bg.StrokeWidth = 1
	u.bg.CornerRadius = theme.InputRadiusSize()
	u.box = container.NewStack(u.bg, container.NewPadded(container.NewHBox(u.text, u.button)))
	u.box.Hide()
	// Nothing of the overlay but the toast takes taps: the panes under it stay usable.
	gap := canvas.NewRectangle(color.Transparent)
	gap.SetMinSize(fyne.NewSquareSize(theme.Padding() * 4))
	u.overlay = container.NewVBox(layout.NewSpacer(), container.NewHBox(layout.NewSpacer(), u.box, layout.NewSpacer()), gap)
	return u
}

// offer shows text with Undo for a few seconds; undo runs on the UI goroutine, at most once,
// if the button is pressed before the offer ends or is replaced.
func (u *undoToast) offer(text string, undo func()) {
	u.gen++
	gen := u.gen
	u.undo = undo
	u.text.SetText(text)
	u.bg.FillColor = theme.Color(theme.ColorNameOverlayBackground) // the theme may have changed
	u.bg.StrokeColor = theme.Color(theme.ColorNameShadow)
	u.bg.Refresh()
	u.box.Show()
	u.after(undoShown, func() {
		u.queue(func() {
			if gen == u.gen {
				u.dismiss()
			}
		})
	})
}

// dismiss withdraws the offer.
func (u *undoToast) dismiss() {
	u.gen++
	u.undo = nil
	u.box.Hide()
}

// take runs the offered undo (the button).
func (u *undoToast) take() {
	undo := u.undo
	u.dismiss()
	if undo != nil {
		undo()
	}
}

// offered reports whether an Undo is on screen.
func (u *undoToast) offered() bool { return u.box.Visible() }
