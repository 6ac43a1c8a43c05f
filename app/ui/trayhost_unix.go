//go:build (linux || freebsd || openbsd || netbsd) && !android

package ui

import (
	"context"

	"github.com/godbus/dbus/v5"
)

// trayHostPresent reports whether the desktop shows tray icons: on these systems Fyne's tray is
// a StatusNotifierItem, which appears only if a StatusNotifierWatcher owns its name on the
// session bus (without one, Fyne only logs "systray error: failed to register").
func trayHostPresent(ctx context.Context) bool {
	conn, err := dbus.ConnectSessionBus(dbus.WithContext(ctx))
	if err != nil {
		return false
	}
	defer conn.Close()
	var has bool
	err = conn.BusObject().CallWithContext(ctx, "org.freedesktop.DBus.NameHasOwner", 0, "org.kde.StatusNotifierWatcher").Store(&has)
	return err == nil && has
}
