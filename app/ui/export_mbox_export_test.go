package ui

import "github.com/pouchmail/pouch/app/engine"

// ExportMboxTo is what the export dialog does once the user chose a folder and a file name.
func ExportMboxTo(m *MainWindow, dir, name string) {
	m.exportMboxTo(engine.ExportOptions{Account: m.view.account, Query: m.query}, dir, name)
}
