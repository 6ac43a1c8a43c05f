//go:build !((linux || freebsd || openbsd || netbsd) && !android)

package ui

import "context"

// trayHostPresent: Windows and macOS always have a notification area or menu bar for the icon.
func trayHostPresent(context.Context) bool { return true }
