package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// pouchTheme is Fyne's default theme with readable secondary text. Fyne draws dates, sizes,
// notes, form hints and low-importance labels in its "disabled" colour, about 1.5:1 against
// the dark background and 1.3:1 against the light one, and the outline of an unselected radio
// or checkbox in a border colour as faint. Here those colours reach WCAG AA's 4.5:1 against the
// background, the hovered row and the selected row, in both variants; the light variant's
// foreground is darkened so that secondary text stays distinct from it and still reads on the
// selection. TestThemeContrast computes the ratios from this theme.
type pouchTheme struct {
	fyne.Theme
	fixed   bool              // false: follow the desktop's variant
	variant fyne.ThemeVariant // when fixed
}

// newPouchTheme returns the theme for a preference: themeLight, themeDark or the system's.
func newPouchTheme(choice string) fyne.Theme {
	t := &pouchTheme{Theme: theme.DefaultTheme()}
	switch choice {
	case themeLight:
		t.fixed, t.variant = true, theme.VariantLight
	case themeDark:
		t.fixed, t.variant = true, theme.VariantDark
	}
	return t
}

// The colours replaced, per variant.
var (
	darkSecondary   = color.NRGBA{R: 0xa8, G: 0xa8, B: 0xa8, A: 0xff}
	darkBorder      = color.NRGBA{R: 0x8e, G: 0x8e, B: 0x8e, A: 0xff}
	lightForeground = color.NRGBA{R: 0x1d, G: 0x1d, B: 0x1d, A: 0xff}
	lightSecondary  = color.NRGBA{R: 0x55, G: 0x55, B: 0x55, A: 0xff}
	lightBorder     = color.NRGBA{R: 0x75, G: 0x75, B: 0x75, A: 0xff}
)

func (t *pouchTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if t.fixed {
		v = t.variant
	}
	light := v == theme.VariantLight
	switch n {
	case theme.ColorNameDisabled, theme.ColorNamePlaceHolder:
		if light {
			return lightSecondary
		}
		return darkSecondary
	case theme.ColorNameInputBorder:
		if light {
			return lightBorder
		}
		return darkBorder
	case theme.ColorNameForeground:
		if light {
			return lightForeground
		}
	}
	return t.Theme.Color(n, v)
}
