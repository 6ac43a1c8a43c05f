package ui

import (
	"embed"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
)

// The window's words, one JSON file per language (en, de, fr, es, pt), keyed by the English
// text: code reads lang.L("Check now"), and a missing translation still shows English.
// Plurals use lang.N with {"one": …, "other": …} and {{.Count}} in the text.
//
//go:embed translations/*.json
var translations embed.FS

func init() {
	if err := lang.AddTranslationsFS(translations, "translations"); err != nil {
		fyne.LogError("Loading the window's translations", err)
	}
}
