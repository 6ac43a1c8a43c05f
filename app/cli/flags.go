package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/pouchmail/pouch/app/datadir"
)

// UsageError is a mistake on the command line; it exits with status 64 (EX_USAGE).
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

func usagef(format string, args ...any) error { return &UsageError{Msg: fmt.Sprintf(format, args...)} }

// newFlagSet returns a flag set that reports errors instead of exiting, and that also accepts
// the global --data-dir after the sub-command.
func newFlagSet(name string, g *globals) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&g.dataDir, "data-dir", g.dataDir, "the data directory (default $POUCH_DATA_DIR, else "+datadir.Description+")")
	return fs
}

// parseArgs parses flags wherever they stand among the positional arguments, as people type
// them (`show 12 --raw`); the standard flag package alone stops at the first positional one.
// Everything after "--" is positional.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, &helpRequest{fs: fs}
			}
			return nil, usagef("%s: %v", fs.Name(), err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		consumed := args[:len(args)-len(rest)]
		if len(consumed) > 0 && consumed[len(consumed)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// wantArgs checks the number of positional arguments.
func wantArgs(cmd string, pos []string, names ...string) error {
	if len(pos) != len(names) {
		want := "no arguments"
		if len(names) > 0 {
			want = strings.Join(names, " ")
		}
		return usagef("%s: expected %s, got %q", cmd, want, pos)
	}
	return nil
}
