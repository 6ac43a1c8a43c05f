// Package envfix normalises the environment before any other package reads it at start-up.
//
// Fyne reads the locale during package initialisation and logs an error to standard error for
// the common container/cron locale "C.UTF-8" (it parses the "C" part as a language tag). The
// CLI promises a single line on standard error, so main imports this package first: it only
// depends on os and strings, so Go's initialisation order runs it before Fyne's packages, which
// depend on log.
package envfix

import (
	"os"
	"strings"
)

func init() { Normalize(os.Getenv, os.Setenv) }

// Normalize rewrites a "C.<codeset>" or "POSIX.<codeset>" locale variable to plain "C", which
// means the same to a Go program (Go does not use the C locale) and which Fyne understands.
// Only the variable that decides the locale (LC_ALL, then LC_MESSAGES, then LANG) is changed.
func Normalize(getenv func(string) string, setenv func(string, string) error) {
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := getenv(name)
		if v == "" {
			continue
		}
		base, _, _ := strings.Cut(v, ".")
		base, _, _ = strings.Cut(base, "@")
		if (base == "C" || base == "POSIX") && v != base {
			_ = setenv(name, "C")
		}
		return
	}
}
