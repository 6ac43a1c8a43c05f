package ui

import (
	"image/color"
	"math"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

// luminance is WCAG 2's relative luminance of an opaque colour.
func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		s := float64(v) / 0xffff
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

// contrast is WCAG 2's contrast ratio of two opaque colours.
func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// over composites a (possibly translucent, as Fyne's selection and hover are) onto an opaque
// background, as the list draws a selected or hovered row.
func over(fg, bg color.Color) color.Color {
	f, b := color.NRGBAModel.Convert(fg).(color.NRGBA), color.NRGBAModel.Convert(bg).(color.NRGBA)
	a := float64(f.A) / 255
	mix := func(x, y uint8) uint8 { return uint8(math.Round(float64(x)*a + float64(y)*(1-a))) }
	return color.NRGBA{R: mix(f.R, b.R), G: mix(f.G, b.G), B: mix(f.B, b.B), A: 0xff}
}

// themeContrasts lists, for one theme and variant, each text or outline colour against each
// surface it is drawn on, with the ratio it must reach.
func themeContrasts(th fyne.Theme, v fyne.ThemeVariant) []struct {
	name  string
	ratio float64
	want  float64
} {
	c := func(n fyne.ThemeColorName) color.Color { return th.Color(n, v) }
	bg := c(theme.ColorNameBackground)
	surfaces := map[string]color.Color{
		"background":        bg,
		"selected row":      over(c(theme.ColorNameSelection), bg),
		"hovered row":       over(c(theme.ColorNameHover), bg),
		"input background":  c(theme.ColorNameInputBackground),
		"dialog background": c(theme.ColorNameOverlayBackground),
		"menu background":   c(theme.ColorNameMenuBackground),
	}
	type pair = struct {
		name  string
		ratio float64
		want  float64
	}
	var out []pair
	for sname, s := range surfaces {
		for _, n := range []fyne.ThemeColorName{theme.ColorNameForeground, theme.ColorNameDisabled, theme.ColorNamePlaceHolder} {
			out = append(out, pair{string(n) + " on " + sname, contrast(c(n), s), 4.5})
		}
	}
	// An unselected radio button or checkbox is its outline alone.
	for _, sname := range []string{"background", "dialog background"} {
		out = append(out, pair{"inputBorder (radio, checkbox) on " + sname, contrast(c(theme.ColorNameInputBorder), surfaces[sname]), 4.5})
	}
	return out
}

func TestThemeContrast(t *testing.T) {
	test.NewTempApp(t)
	variants := map[string]fyne.ThemeVariant{"dark": theme.VariantDark, "light": theme.VariantLight}
	for vname, v := range variants {
		for _, choice := range []string{themeSystem, vname} {
			th := newPouchTheme(choice)
			for _, p := range themeContrasts(th, v) {
				if p.ratio < p.want {
					t.Errorf("%s theme (%s): %s = %.2f:1, want at least %.1f:1", vname, choice, p.name, p.ratio, p.want)
				}
			}
		}
		// A fixed variant holds whatever the desktop prefers.
		other := theme.VariantLight
		if v == theme.VariantLight {
			other = theme.VariantDark
		}
		fixed := newPouchTheme(vname)
		if got, want := fixed.Color(theme.ColorNameBackground, other), fixed.Color(theme.ColorNameBackground, v); got != want {
			t.Errorf("%s theme: background with the desktop in the other variant = %v, want %v", vname, got, want)
		}
	}
}

// TestDefaultThemeContrastFails holds the check above to the problem it guards against: Fyne's
// own theme fails it, in both variants.
func TestDefaultThemeContrastFails(t *testing.T) {
	test.NewTempApp(t)
	for vname, v := range map[string]fyne.ThemeVariant{"dark": theme.VariantDark, "light": theme.VariantLight} {
		failed := false
		for _, p := range themeContrasts(theme.DefaultTheme(), v) {
			if p.ratio < p.want {
				failed = true
				t.Logf("%s: Fyne's default %s = %.2f:1", vname, p.name, p.ratio)
			}
		}
		if !failed {
			t.Errorf("%s: Fyne's default theme passes the contrast check; the check tests nothing", vname)
		}
	}
}
