package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/mailstore"
)

// runExport: pouch export --format mbox|eml|maildir --out PATH [--account NAME] [--query Q]
func runExport(ctx context.Context, env *Env, g *globals, args []string) error {
	fs := newFlagSet("export", g)
	format := fs.String("format", "", "mbox, eml or maildir")
	out := fs.String("out", "", "output file (mbox) or directory (eml, maildir)")
	name := fs.String("account", "", "export only this account")
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
		p := newProgress(env, "exporting")
		n, err := e.Export(ctx, engine.ExportOptions{Format: *format, Out: *out, Account: *name, Query: *query}, p.update)
		p.done()
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "exported %d message(s) to %s\n", n, *out)
		return nil
	})
}

// runImport: pouch import --format mbox|maildir|eml PATH --account NAME [--json]
func runImport(ctx context.Context, env *Env, g *globals, args []string) error {
	fs := newFlagSet("import", g)
	format := fs.String("format", "", "mbox, maildir or eml")
	name := fs.String("account", "", "account to file the messages under")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("import", pos, "PATH"); err != nil {
		return err
	}
	if *format == "" || *name == "" {
		return usagef("import: --format and --account are required")
	}
	if _, err := mailstore.ParseFormat(*format); err != nil {
		return usagef("import: %v", err)
	}
	return withEngine(ctx, env, g, func(e *engine.Engine) error {
		p := newProgress(env, "importing")
		res, err := e.Import(ctx, engine.ImportOptions{Format: *format, Path: pos[0], Account: *name}, p.update)
		p.done()
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(env.Stdout, struct {
				Imported int `json:"imported"`
				Skipped  int `json:"skipped"`
			}{res.Imported, res.Skipped})
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

// runTrash: pouch trash list [--json] | restore ID... | empty
func runTrash(ctx context.Context, env *Env, g *globals, args []string) error {
	if len(args) == 0 {
		return usagef("trash: expected list, restore or empty")
	}
	sub, args := args[0], args[1:]
	fs := newFlagSet("trash "+sub, g)
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	switch sub {
	case "list":
		if err := wantArgs("trash list", pos); err != nil {
			return err
		}
		return withEngine(ctx, env, g, func(e *engine.Engine) error {
			msgs, err := e.TrashedMessages(ctx)
			if err != nil {
				return err
			}
			if *asJSON {
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
	case "restore":
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
	case "empty":
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
	return usagef("trash: unknown sub-command %q (want list, restore or empty)", sub)
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
// when standard error is a terminal (scripts and logs get no control characters).
type progress struct {
	w     io.Writer
	label string
	mu    sync.Mutex
	last  time.Time
	shown bool
}

func newProgress(env *Env, label string) *progress {
	p := &progress{label: label}
	if f, ok := env.Stderr.(*os.File); ok && archiveTerminal(f) {
		p.w = f
	}
	return p
}

func archiveTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
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
		fmt.Fprintf(p.w, "\r%s %d/%d", p.label, done, total)
	}
}

func (p *progress) done() {
	if p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprintln(p.w)
	}
}
