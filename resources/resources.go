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
