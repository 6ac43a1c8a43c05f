package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/mailstore"
)

func init() {
	register(&command{name: "export", run: runExport, usage: []string{"export --format mbox|eml|maildir --out PATH [--account NAME] [--folder PATH] [--query Q]"}, help: `
Writes messages out, never overwriting: mbox (mboxrd) into a new file, EML one file per
message, Maildir with read messages in cur. Progress shows on a terminal.`})
	register(&command{name: "import", run: runImport, usage: []string{"import --format mbox|maildir|eml PATH [--account NAME] [--folder PATH] [--json]"}, help: `
Imports messages (Thunderbird's mbox files included), skipping those already stored; imported
mail never causes a deletion on a server. --account names the account to file them under; one
the archive lacks is created as a local account (no server), as is "Local" when none is named.
--folder files them into a folder (created if missing) instead of the inbox. Progress shows
on a terminal, not with --json.`})
	register(&command{name: "check", run: runCheck, usage: []string{"check [--repair] [--json]"}, help: `
Re-hashes every message and checks the search index and the UIDL ledger; exits 1 while
problems remain. --repair rebuilds what can be rebuilt and never changes raw messages.`})
	register(&command{name: "delete", run: runDelete, usage: []string{"delete ID...                 (moves to the Trash)"},
		help: "Moves messages to the Trash; pouch trash restore ID undoes it."})
	register(&command{name: "trash list", run: runTrashList, usage: []string{"trash list [--json]"},
		help: "Lists the messages in the Trash."})
	register(&command{name: "trash restore", run: runTrashRestore, usage: []string{"trash restore ID..."},
		help: "Moves messages back out of the Trash."})
	register(&command{name: "trash empty", run: runTrashEmpty, usage: []string{"trash empty"}, help: `
Purges the Trash; for accounts that delete on the server when deleted here, the server
deletion is queued for the next session.`})
}

// runExport: pouch export --format mbox|eml|maildir --out PATH [--account NAME] [--folder PATH] [--query Q]
func runExport(ctx context.Context, env *Env, g *globals, args []string) error {
	fs := newFlagSet("export", g)
	format := fs.String("format", "", "mbox, eml or maildir")
	out := fs.String("out", "", "output file (mbox) or directory (eml, maildir)")
	name := fs.String("account", "", "export only this account")
	folder := fs.String("folder", "", "export only this folder (inbox, sent, trash, a folder's path, ...)")
	query := fs.String("query", "", "export only the messages matching this search")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("export", pos); err != nil {
		return err
	}
	if *format == "" || *out == "" {
		return usagef("export: --format and --out are required")
	}
	if _, err := mailstore.ParseFormat(*format); err != nil {
		return usagef("export: %v", err)
	}
	return withEngine(ctx, env, g, func(e *engine.Engine) error {
		p := newProgress(env, "exporting", false)
		n, err := e.Export(ctx, engine.ExportOptions{Format: *format, Out: *out, Account: *name, Folder: *folder, Query: *query}, p.update)
		p.done()
		var qe *mailstore.QueryError
		if errors.As(err, &qe) {
			return usagef("export: %v", err)
		}
		if err != nil {
			return folderUsage("export", err)
		}
		fmt.Fprintf(env.Stdout, "exported %d message(s) to %s\n", n, *out)
		return nil
	})
}

// runImport: pouch import --format mbox|maildir|eml PATH [--account NAME] [--folder PATH] [--json]
func runImport(ctx context.Context, env *Env, g *globals, args []string) error {
	fs := newFlagSet("import", g)
	format := fs.String("format", "", "mbox, maildir or eml")
	name := fs.String("account", "", "account to file the messages under (created as a local account if missing; default "+engine.LocalAccountName+")")
	folder := fs.String("folder", "", "folder to file the messages into (created if missing; default the inbox)")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("import", pos, "PATH"); err != nil {
		return err
	}
	if *format == "" {
		return usagef("import: --format is required")
	}
	if _, err := mailstore.ParseFormat(*format); err != nil {
		return usagef("import: %v", err)
	}
	return withEngine(ctx, env, g, func(e *engine.Engine) error {
		p := newProgress(env, "importing", *asJSON)
		res, err := e.Import(ctx, engine.ImportOptions{Format: *format, Path: pos[0], Account: *name, Folder: *folder}, p.update)
		p.done()
		if err != nil {
			return folderUsage("import", err)
		}
		if *asJSON {
			return writeJSON(env.Stdout, struct {
				Imported       int  `json:"imported"`
				Skipped        int  `json:"skipped"`
				CreatedAccount bool `json:"created_account"`
			}{res.Imported, res.Skipped, res.CreatedAccount})
		}
		if res.CreatedAccount {
			fmt.Fprintf(env.Stdout, "created local account %q (no server)\n", cmp.Or(*name, engine.LocalAccountName))
		}
		fmt.Fprintf(env.Stdout, "imported %d message(s), skipped %d already present\n", res.Imported, res.Skipped)
		return nil
	})
}

// runCheck: pouch check [--repair] [--json]. Exits 1 when the archive still has problems.
func runCheck(ctx context.Context, env *Env, g *globals, args []string) error {
	fs := newFlagSet("check", g)
	repair := fs.Bool("repair", false, "repair what can be repaired (never raw messages)")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("check", pos); err != nil {
		return err
	}
	return withEngine(ctx, env, g, func(e *engine.Engine) error {
		r, err := e.Check(ctx, *repair)
		if err != nil {
			return err
		}
		if *asJSON {
			if err := writeJSON(env.Stdout, r); err != nil {
				return err
			}
		} else {
			printCheck(env.Stdout, r)
		}
		if !r.Repaired && r.Problems() > 0 {
			return fmt.Errorf("%d problem(s) found; 'pouch check --repair' fixes all but damaged raw bytes", r.Problems())
		}
		if n := len(r.HashMismatch); n > 0 {
			return fmt.Errorf("%d message(s) no longer match their hash; restore them from a backup", n)
		}
		return nil
	})
}

func printCheck(w io.Writer, r *mailstore.CheckReport) {
	fmt.Fprintf(w, "checked %d message(s)\n", r.Messages)
	lines := []struct {
		label string
		ids   []int64
	}{
		{"raw bytes do not match their hash (not repairable here)", r.HashMismatch},
		{"parsed headers out of date", r.HeaderDrift},
		{"missing from the search index", r.IndexMissing},
		{"search index out of date", r.IndexStale},
		{"search index entries of deleted messages", r.IndexOrphans},
		{"ledger entries pointing at the wrong message", r.LedgerMismatch},
	}
	for _, l := range lines {
		if len(l.ids) > 0 {
			fmt.Fprintf(w, "%s: %d %s\n", l.label, len(l.ids), idList(l.ids))
		}
	}
	if r.IndexCorrupt != "" {
		fmt.Fprintf(w, "search index damaged: %s\n", oneLine(r.IndexCorrupt))
	}
	if r.IndexBacklog > 0 {
		fmt.Fprintf(w, "%d message(s) waiting to be indexed\n", r.IndexBacklog)
	}
	switch {
	case r.Problems() == 0:
		fmt.Fprintln(w, "no problems found")
	case r.Repaired:
		fmt.Fprintf(w, "repaired %d problem(s)\n", r.Fixed)
	}
}

// idList shows up to 10 IDs.
func idList(ids []int64) string {
	s := "(ID"
	for i, id := range ids {
		if i == 10 {
			s += " …"
			break
		}
		s += " " + strconv.FormatInt(id, 10)
	}
	return s + ")"
}

// runDelete: pouch delete ID... moves messages to the Trash.
func runDelete(ctx context.Context, env *Env, g *globals, args []string) error {
	fs := newFlagSet("delete", g)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	ids, err := parseIDs("delete", pos)
	if err != nil {
		return err
	}
	return withEngine(ctx, env, g, func(e *engine.Engine) error {
		if err := e.TrashMessages(ctx, ids); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "moved %d message(s) to the Trash (pouch trash restore ID undoes it)\n", len(ids))
		return nil
	})
}

// trashFlags parses the flags of a trash command.
func trashFlags(g *globals, sub string, args []string) (pos []string, asJSON bool, err error) {
	fs := newFlagSet("trash "+sub, g)
	var j *bool
	if sub == "list" {
		j = fs.Bool("json", false, "print JSON")
	}
	if pos, err = parseArgs(fs, args); err != nil {
		return nil, false, err
	}
	return pos, j != nil && *j, nil
}

func runTrashList(ctx context.Context, env *Env, g *globals, args []string) error {
	pos, asJSON, err := trashFlags(g, "list", args)
	if err != nil {
		return err
	}
	if err := wantArgs("trash list", pos); err != nil {
		return err
	}
	return withEngine(ctx, env, g, func(e *engine.Engine) error {
		msgs, err := e.TrashedMessages(ctx)
		if err != nil {
			return err
		}
		if asJSON {
			return writeMessagesJSON(env.Stdout, msgs)
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tDELETED\tFROM\tSUBJECT")
		for i := range msgs {
			m := &msgs[i]
			var when string
			if m.Trashed != nil {
				when = m.Trashed.Local().Format("2006-01-02 15:04")
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", m.ID, when, clip(m.From, 40), clip(m.Subject, 60))
		}
		return tw.Flush()
	})
}

func runTrashRestore(ctx context.Context, env *Env, g *globals, args []string) error {
	pos, _, err := trashFlags(g, "restore", args)
	if err != nil {
		return err
	}
	ids, err := parseIDs("trash restore", pos)
	if err != nil {
		return err
	}
	return withEngine(ctx, env, g, func(e *engine.Engine) error {
		if err := e.RestoreMessages(ctx, ids); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "restored %d message(s)\n", len(ids))
		return nil
	})
}

func runTrashEmpty(ctx context.Context, env *Env, g *globals, args []string) error {
	pos, _, err := trashFlags(g, "empty", args)
	if err != nil {
		return err
	}
	if err := wantArgs("trash empty", pos); err != nil {
		return err
	}
	return withEngine(ctx, env, g, func(e *engine.Engine) error {
		n, err := e.EmptyTrash(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "purged %d message(s)\n", n)
		return nil
	})
}

func parseIDs(cmd string, pos []string) ([]int64, error) {
	if len(pos) == 0 {
		return nil, usagef("%s: expected one or more message IDs", cmd)
	}
	ids := make([]int64, 0, len(pos))
	for _, p := range pos {
		id, err := strconv.ParseInt(p, 10, 64)
		if err != nil || id <= 0 {
			return nil, usagef("%s: %q is not a message ID (see pouch list)", cmd, p)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// progress shows "label done/total" on standard error, at most a few times a second, and only
// when standard error is a terminal and the output is not JSON (scripts, logs and pipes get no
// control characters).
type progress struct {
	w     io.Writer
	label string
	mu    sync.Mutex
	last  time.Time
	shown bool
}

func newProgress(env *Env, label string, asJSON bool) *progress {
	p := &progress{label: label}
	if f := terminal(env.Stderr); f != nil && !asJSON {
		p.w = f
	}
	return p
}

// terminal returns w as a file when it is a terminal, else nil.
func terminal(w io.Writer) *os.File {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return f
	}
	return nil
}

func (p *progress) update(done, total int) {
	if p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if now := time.Now(); now.Sub(p.last) >= 200*time.Millisecond || done == total {
		p.last = now
		p.shown = true
		fmt.Fprintf(p.w, "\r%s %d/%d\033[K", p.label, done, total)
	}
}

// done ends the status line: it is cleared, so the command's own output starts on a clean line.
func (p *progress) done() {
	if p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
