package ui

import "fyne.io/fyne/v2"

// OpenAttachment is the viewer's Open button.
func OpenAttachment(m *MainWindow, id int64, i int) { m.openAttachment(id, i) }

// SaveAttachmentTo is what Save… does with the file the save dialog chose.
func SaveAttachmentTo(m *MainWindow, id int64, i int, w fyne.URIWriteCloser, done func(error)) {
	m.saveAttachmentTo(id, i, w, done)
}

// RemoveOpenedFiles is what Run does when the window goes.
func RemoveOpenedFiles(m *MainWindow) { _ = m.opened.Close() }
