package ui

import (
	"context"

	"fyne.io/fyne/v2"

	"github.com/pouchmail/pouch/app/engine"
)

// NewWithQueue builds the window with a custom UI queue, for tests.
func NewWithQueue(ctx context.Context, a fyne.App, e *engine.Engine, queue func(func())) *MainWindow {
	return newMainWindow(ctx, a, e, queue)
}
