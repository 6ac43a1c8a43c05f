package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
)

// flowLayout places objects in a row and wraps them onto further rows when the row is too
// narrow, so a row of buttons never sets a minimum width wider than its widest button (the
// window fits half a 1366-pixel screen). Its minimum height is that of the rows at the width
// it was last laid out at. Spacers are left out.
type flowLayout struct {
	width float32 // the width of the last layout, 0 before the first
}

func newFlow(objects ...fyne.CanvasObject) *fyne.Container {
	return container.New(&flowLayout{}, objects...)
}

// rows splits the visible objects into rows no wider than width.
func (f *flowLayout) rows(objects []fyne.CanvasObject, width float32) [][]fyne.CanvasObject {
	pad := theme.Padding()
	var rows [][]fyne.CanvasObject
	var row []fyne.CanvasObject
	x := float32(0)
	for _, o := range objects {
		if !o.Visible() {
			continue
		}
		if _, spacer := o.(layout.SpacerObject); spacer {
			continue
		}
		w := o.MinSize().Width
		if len(row) > 0 && x+pad+w > width {
			rows, row, x = append(rows, row), nil, 0
		}
		if len(row) > 0 {
			x += pad
		}
		row, x = append(row, o), x+w
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	return rows
}

func rowHeight(row []fyne.CanvasObject) float32 {
	h := float32(0)
	for _, o := range row {
		h = max(h, o.MinSize().Height)
	}
	return h
}

func (f *flowLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	f.width = size.Width
	pad := theme.Padding()
	y := float32(0)
	for _, row := range f.rows(objects, size.Width) {
		h, x := rowHeight(row), float32(0)
		for _, o := range row {
			s := o.MinSize()
			o.Resize(fyne.NewSize(s.Width, h))
			o.Move(fyne.NewPos(x, y))
			x += s.Width + pad
		}
		y += h + pad
	}
}

func (f *flowLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var widest float32
	for _, o := range objects {
		if o.Visible() {
			widest = max(widest, o.MinSize().Width)
		}
	}
	width := f.width
	if width <= 0 {
		width = 1 << 20 // not laid out yet: one row
	}
	rows := f.rows(objects, max(width, widest))
	h := float32(0)
	for i, row := range rows {
		if i > 0 {
			h += theme.Padding()
		}
		h += rowHeight(row)
	}
	return fyne.NewSize(widest, h)
}

// fixedWidth keeps an object at the widest of the sizes it can take (a button whose label
// changes: "Mark read", "Mark unread"), so that nothing beside it moves when it changes.
type fixedWidth struct{ width float32 }

func (f *fixedWidth) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objects {
		o.Resize(size)
		o.Move(fyne.NewPos(0, 0))
	}
}

func (f *fixedWidth) MinSize(objects []fyne.CanvasObject) fyne.Size {
	s := fyne.NewSize(f.width, 0)
	for _, o := range objects {
		m := o.MinSize()
		s = fyne.NewSize(max(s.Width, m.Width), max(s.Height, m.Height))
	}
	return s
}

// steadyButton wraps b at the width of its widest label among texts.
func steadyButton(b interface {
	fyne.CanvasObject
	SetText(string)
}, texts ...string) *fyne.Container {
	f := &fixedWidth{}
	for _, t := range texts {
		b.SetText(t)
		f.width = max(f.width, b.MinSize().Width)
	}
	return container.New(f, b)
}
