//go:build (linux || freebsd || openbsd || netbsd) && !android

package ui

import (
	"context"
	"testing"
)

// TestNoSessionBusNoTrayHost: without a session bus there is no tray to hide into.
func TestNoSessionBusNoTrayHost(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+t.TempDir()+"/no-bus")
	if trayHostPresent(context.Background()) {
		t.Error("trayHostPresent() = true with no session bus")
	}
}
