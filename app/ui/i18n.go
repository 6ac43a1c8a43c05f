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

// listDate is a message's date as the list shows it, by how long ago it was: "Today 09:25",
// "Yesterday 18:10", the weekday and time within the week, the day and month within the year,
// the day, month and year before.
func listDate(t, now time.Time) string {
	hm := t.Format("15:04")
	day := func(t time.Time) time.Time { y, m, d := t.Date(); return time.Date(y, m, d, 0, 0, 0, 0, t.Location()) }
	days := int(day(now).Sub(day(t)).Round(24*time.Hour) / (24 * time.Hour))
	switch {
	case days == 0:
		return lang.L("Today {{.Time}}", map[string]any{"Time": hm})
	case days == 1:
		return lang.L("Yesterday {{.Time}}", map[string]any{"Time": hm})
	case days > 1 && days < 7:
		return lang.L("{{.Weekday}} {{.Time}}", map[string]any{"Weekday": weekdayName(t.Weekday()), "Time": hm})
	case t.Year() == now.Year() && days > 0:
		return lang.L("{{.Day}} {{.Month}}", map[string]any{"Day": t.Day(), "Month": monthName(t.Month())})
	}
	return lang.L("{{.Day}} {{.Month}} {{.Year}}", map[string]any{"Day": t.Day(), "Month": monthName(t.Month()), "Year": t.Year()})
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
