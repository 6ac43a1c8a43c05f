// Package resources embeds Pouch's icon and other assets into the binary.
package resources

import (
	_ "embed"

	"fyne.io/fyne/v2"
)

//go:embed icon.png
var iconPNG []byte

// Icon is the application icon.
func Icon() fyne.Resource { return fyne.NewStaticResource("icon.png", iconPNG) }

//go:embed tray.png
var trayPNG []byte

// TrayIcon is the application icon at 64×64 (icon.png scaled down) for the system tray, which
// shows it at 16 to 48 pixels: the tray keeps its icon decoded, 16 KiB at this size rather than
// 1 MiB at icon.png's 512×512.
func TrayIcon() fyne.Resource { return fyne.NewStaticResource("tray.png", trayPNG) }

//go:embed star.svg
var starSVG []byte

// StarIcon is a filled five-pointed star, the mark of a flagged message; the window colours it
// from its theme (theme.NewColoredResource).
func StarIcon() fyne.Resource { return fyne.NewStaticResource("star.svg", starSVG) }
