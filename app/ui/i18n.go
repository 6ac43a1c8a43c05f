package ui

import (
	"embed"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"github.com/pouchmail/pouch/app/format"
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

// sizeText is a size for people (app/format, as the command line prints it) with the decimal
// separator of the window's language: "1.5 MB", "1,5 MB".
func sizeText(n int64) string {
	s := format.Bytes(n)
	if sep := lang.X("decimal.separator", "."); sep != "." {
		s = strings.Replace(s, ".", sep, 1)
	}
	return s
}

// longDate is a date with the weekday and month in words, in the window's language
// ("Monday 2 January 2006, 15:04"); the message list keeps 2006-01-02 15:04, the same everywhere.
func longDate(t time.Time) string {
	return lang.L("{{.Weekday}} {{.Day}} {{.Month}} {{.Year}}, {{.Time}}", map[string]any{
		"Weekday": weekdayName(t.Weekday()), "Day": t.Day(), "Month": monthName(t.Month()),
		"Year": t.Year(), "Time": t.Format("15:04")})
}

// dayDate is a date with the month in words, without the weekday ("2 January 2006 15:04").
func dayDate(t time.Time) string {
	return lang.L("{{.Day}} {{.Month}} {{.Year}} {{.Time}}", map[string]any{
		"Day": t.Day(), "Month": monthName(t.Month()), "Year": t.Year(), "Time": t.Format("15:04")})
}

func weekdayName(d time.Weekday) string {
	return []string{lang.L("Sunday"), lang.L("Monday"), lang.L("Tuesday"), lang.L("Wednesday"),
		lang.L("Thursday"), lang.L("Friday"), lang.L("Saturday")}[d]
}

func monthName(m time.Month) string {
	return []string{lang.L("January"), lang.L("February"), lang.L("March"), lang.L("April"),
		lang.L("May"), lang.L("June"), lang.L("July"), lang.L("August"), lang.L("September"),
		lang.L("October"), lang.L("November"), lang.L("December")}[m-1]
}
