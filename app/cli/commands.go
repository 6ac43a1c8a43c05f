package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/pouchmail/pouch/app/datadir"
)

// command is one sub-command. Each is registered beside its run function and flag set, with
// its synopsis and help; the overview (pouch --help), `pouch help COMMAND` and
// `pouch COMMAND --help` are built from them, the flags' descriptions from the flag set itself.
type command struct {
	// name is the command as typed: "fetch", "account add".
	name string
	// usage is the synopsis after "pouch [--data-dir DIR] ": one line per form, each starting
	// with the name; a line starting with a space continues the one before.
	usage []string
	// help is a paragraph for `pouch help NAME`.
	help string
	run  func(ctx context.Context, env *Env, g *globals, args []string) error
}

var commands = map[string]*command{}

// register adds c; each command file does it in an init function.
func register(c *command) {
	if _, dup := commands[c.name]; dup {
		panic("cli: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

// sortedCommands lists the commands by name, those under prefix ("" = all).
func sortedCommands(prefix string) []*command {
	var out []*command
	for name, c := range commands {
		if prefix == "" || strings.HasPrefix(name, prefix+" ") {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b *command) int { return strings.Compare(a.name, b.name) })
	return out
}

// lookup finds the command that args start with: two words ("account add") before one. group
// is set when args name a group ("account") without one of its commands.
func lookup(args []string) (c *command, rest []string, group string) {
	if len(args) >= 2 {
		if c := commands[args[0]+" "+args[1]]; c != nil {
			return c, args[2:], ""
		}
	}
	if c := commands[args[0]]; c != nil {
		return c, args[1:], ""
	}
	if len(sortedCommands(args[0])) > 0 {
		return nil, args[1:], args[0]
	}
	return nil, args[1:], ""
}

// subNames lists the commands of a group, for messages: "add, discover, … or remove".
func subNames(group string) string {
	var names []string
	for _, c := range sortedCommands(group) {
		names = append(names, strings.TrimPrefix(c.name, group+" "))
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// helpRequest is -h or --help given to a command (or `pouch help COMMAND`): its help goes to
// standard output and the exit status is 0.
type helpRequest struct {
	fs    *flag.FlagSet // the command's flags; nil for the overview or a group
	group string        // a group's overview ("account")
}

func (h *helpRequest) Error() string { return "help requested" }

// runHelp is `pouch help [COMMAND...]`.
func runHelp(ctx context.Context, env *Env, g *globals, args []string) error {
	if len(args) == 0 {
		return &helpRequest{}
	}
	c, _, group := lookup(args)
	switch {
	case c != nil:
		// A command parses its flags before doing anything, so --help returns at once.
		err := c.run(ctx, env, g, []string{"--help"})
		var h *helpRequest
		if errors.As(err, &h) {
			return h
		}
		return fmt.Errorf("help %s: %v", c.name, err)
	case group != "":
		return &helpRequest{group: group}
	}
	return usagef("help: unknown command %q", strings.Join(args, " "))
}

// printHelp writes what h asks for.
func printHelp(w io.Writer, h *helpRequest) {
	switch {
	case h.fs != nil:
		printCommandHelp(w, commands[h.fs.Name()], h.fs)
	case h.group != "":
		fmt.Fprintf(w, "Usage:\n")
		for _, c := range sortedCommands(h.group) {
			printUsageLines(w, "  pouch [--data-dir DIR] ", c.usage)
		}
		fmt.Fprintf(w, "\nRun 'pouch help %s COMMAND' for a command's flags.\n", h.group)
	default:
		printOverview(w)
	}
}

func printUsageLines(w io.Writer, prefix string, lines []string) {
	for _, l := range lines {
		if strings.HasPrefix(l, " ") {
			fmt.Fprintf(w, "%s%s\n", strings.Repeat(" ", len(prefix)), strings.TrimLeft(l, " "))
		} else {
			fmt.Fprintf(w, "%s%s\n", prefix, l)
		}
	}
}

func printCommandHelp(w io.Writer, c *command, fs *flag.FlagSet) {
	if c == nil {
		fmt.Fprintf(w, "Usage: pouch %s\n", fs.Name())
	} else {
		fmt.Fprintln(w, "Usage:")
		printUsageLines(w, "  pouch [--data-dir DIR] ", c.usage)
		if c.help != "" {
			fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(c.help))
		}
	}
	fmt.Fprintln(w, "\nFlags:")
	printFlags(w, fs)
}

// printFlags lists every flag with its value's name, description and default.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		value, usage := flag.UnquoteUsage(f)
		switch {
		case f.Name == "oauth":
			value = "[=PROVIDER]"
		case isBool(f):
			value = ""
		case valueNames[f.Name] != "":
			value = valueNames[f.Name]
		case value == "string" || value == "value":
			value = strings.ToUpper(f.Name)
		case value == "int":
			value = "N"
		case value == "duration":
			value = "DURATION"
		}
		line := "  --" + f.Name
		if strings.HasPrefix(value, "[") {
			line += value
		} else if value != "" {
			line += " " + value
		}
		fmt.Fprintln(w, line)
		if d := f.DefValue; d != "" && d != "0" && d != "false" && d != "0s" && !strings.Contains(usage, "default") {
			usage += " (default " + d + ")"
		}
		fmt.Fprintf(w, "        %s\n", usage)
	})
}

// valueNames name the values of flags in help texts, as the synopses do.
var valueNames = map[string]string{
	"data-dir": "DIR", "ca-file": "PEM", "tls-fingerprint": "SHA256", "size-limit": "BYTES",
	"oauth-auth-url": "URL", "oauth-token-url": "URL", "oauth-client-id": "ID", "oauth-scope": "SCOPE",
	"security": "tls|starttls|none", "auth": "MECHANISM", "account": "NAME", "out": "PATH", "format": "FORMAT",
	"query": "Q", "full": "ID", "email": "ADDR", "user": "USER", "name": "NAME", "host": "HOST",
}

func isBool(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// printOverview is `pouch --help`: every command's synopsis, the global flags, where the data
// lives, the exit statuses.
func printOverview(w io.Writer) {
	fmt.Fprint(w, `Pouch - a POP3 mail client that keeps your mail.

Usage:
  pouch [--data-dir DIR]                      open the window
  pouch [--data-dir DIR] mailto:URL           open the window and write to URL's addresses
  pouch [--data-dir DIR] COMMAND [flags]      run a command (flags may follow arguments)
  pouch help COMMAND | pouch COMMAND --help   a command's flags, each described
  pouch --version

Commands:
`)
	for _, c := range sortedCommands("") {
		printUsageLines(w, "  pouch [--data-dir DIR] ", c.usage)
	}
	fmt.Fprint(w, `
Global flags:
  --data-dir DIR
        the data directory: the archive, its spool and locks (default $POUCH_DATA_DIR, else
        `+datadir.Description+`)
  --version
        print the version and exit
  -h, --help
        print this help and exit

Passwords and OAuth2 sign-ins live in the OS keyring, never in the data directory.

Exit status: 0 success; 1 failure; 64 usage mistake; 75 temporary failure (network, server
busy or [SYS/TEMP], [IN-USE], another Pouch holds the account or archive): try again later;
77 authentication refused or OAuth2 sign-in needed; 78 configuration problem (no password
stored, no accounts, the server cannot do what the account asks); 130/143 stopped by
SIGINT/SIGTERM. With several failures, the one needing attention most: 78, 77, 1, then 75.
`)
}
