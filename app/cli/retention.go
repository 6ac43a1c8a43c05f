package cli

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/app/format"
)

// retentionJSON is one element of `retention --json`.
type retentionJSON struct {
	Account     string     `json:"account"`
	UIDL        string     `json:"uidl"`
	FirstSeen   time.Time  `json:"first_seen"`
	DeleteAfter *time.Time `json:"delete_after"` // null when it will not be deleted
	Local       bool       `json:"local"`
	ID          *int64     `json:"id"` // the stored message; null if not stored here
	Partial     bool       `json:"partial"`
	Kept        string     `json:"kept,omitempty"`    // why it will not be deleted
	Failure     string     `json:"failure,omitempty"` // why downloading it failed
}

func init() {
	register(&command{name: "retention", run: runRetention, usage: []string{"retention [--account NAME] [--json]"}, help: `
Lists every message the ledger knows on the server: when it was first seen, when it will be
deleted there (or why not), and whether a complete copy is stored here.`})
}

func runRetention(ctx context.Context, env *Env, g *globals, args []string) error {
	fs := newFlagSet("retention", g)
	name := fs.String("account", "", "only this account")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("retention", pos); err != nil {
		return err
	}
	return withEngine(ctx, env, g, func(e *engine.Engine) error {
		entries, err := e.Retention(ctx, *name)
		if err != nil {
			return err
		}
		if w := engine.StrandedWarning(entries); w != "" {
			fmt.Fprintln(env.Stderr, "warning: "+w)
		}
		if *asJSON {
			out := make([]retentionJSON, 0, len(entries))
			for _, r := range entries {
				j := retentionJSON{Account: r.Account, UIDL: r.UIDL, FirstSeen: r.FirstSeen.UTC(), Local: r.Local, Partial: r.Partial,
					Kept: r.Kept, Failure: r.Failure}
				if r.DeleteAfter != nil {
					t := r.DeleteAfter.UTC()
					j.DeleteAfter = &t
				}
				if r.Local {
					id := r.MessageID
					j.ID = &id
				}
				out = append(out, j)
			}
			return writeJSON(env.Stdout, out)
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ACCOUNT\tUIDL\tFIRST SEEN\tDELETE AFTER\tLOCAL")
		for _, r := range entries {
			after := "never (" + r.Kept + ")"
			if r.DeleteAfter != nil {
				after = r.DeleteAfter.Local().Format("2006-01-02 15:04")
			} else if r.Failure != "" {
				after += ": " + clip(r.Failure, 60)
			}
			local := "no"
			if r.Local {
				local = "yes (" + strconv.FormatInt(r.MessageID, 10) + ")"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Account, clip(r.UIDL, 40), r.FirstSeen.Local().Format("2006-01-02 15:04"), after, local)
		}
		return tw.Flush()
	})
}

// runFetchFull is `fetch --full ID`: the whole of a message stored as headers only.
func runFetchFull(ctx context.Context, env *Env, g *globals, arg string, asJSON bool) error {
	id, err := strconv.ParseInt(arg, 10, 64)
	if err != nil || id <= 0 {
		return usagef("fetch: --full %q is not a message ID (see pouch list)", arg)
	}
	return withEngine(ctx, env, g, func(e *engine.Engine) error {
		m, err := e.FetchFull(ctx, id, progressPrinter(env, asJSON))
		if err != nil {
			return err
		}
		if asJSON {
			return writeJSON(env.Stdout, toMessageJSON(m))
		}
		fmt.Fprintf(env.Stdout, "message %d: complete, %s\n", m.ID, format.Bytes(m.Size))
		return nil
	})
}

// progressPrinter reports session progress on one status line on standard error, only when it
// is a terminal and the output is not JSON: scripts, pipes and cron get clean output.
func progressPrinter(env *Env, asJSON bool) func(engine.Progress) {
	f := terminal(env.Stderr)
	if f == nil || asJSON {
		return nil
	}
	return func(p engine.Progress) { printProgress(f, p) }
}

func printProgress(w io.Writer, p engine.Progress) {
	switch p.Phase {
	case engine.PhaseDownload:
		fmt.Fprintf(w, "\r%s: %s %d of %d, %s\033[K", p.Account, p.Phase, p.N, p.Total, format.Bytes(p.Bytes))
	case engine.PhaseDone:
		fmt.Fprintf(w, "\r\033[K")
	default:
		fmt.Fprintf(w, "\r%s: %s\033[K", p.Account, p.Phase)
	}
}
