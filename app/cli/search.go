package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/mailstore"
)

func init() {
	register(&command{name: "search", run: runSearch, usage: []string{"search QUERY [--json] [--limit N]"}, help: `
Searches the archive: words, "phrases", prefix*, from: to: cc: subject: body:, has:attachment,
is:unread, is:read, is:flagged, is:unflagged, after:YYYY-MM-DD, before:YYYY-MM-DD,
account:NAME, in:trash, in:inbox (sent, outbox, drafts), in:Work/Invoices (a folder of yours;
in:"My folder" with spaces). Newest first.`})
}

// runSearch: pouch search QUERY... [--json] [--limit N]. The words of the query may be given
// as one argument or several; they are joined with spaces.
func runSearch(ctx context.Context, env *Env, g *globals, args []string) error {
	fs := newFlagSet("search", g)
	asJSON := fs.Bool("json", false, "print JSON")
	limit := fs.Int("limit", 0, "show at most N messages (0 = all)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("search: expected QUERY")
	}
	if *limit < 0 {
		return usagef("search: --limit must not be negative")
	}
	query := strings.Join(pos, " ")
	return withEngine(ctx, env, g, func(e *engine.Engine) error {
		// Search indexes the backlog first; on a large one, say what is happening.
		p := newProgress(env, "indexing", *asJSON)
		if _, err := e.IndexBacklog(ctx, p.update); err != nil {
			p.done()
			return fmt.Errorf("search index incomplete: %w", err)
		}
		p.done()
		msgs, err := e.Search(ctx, query, *limit)
		var qe *mailstore.QueryError
		if errors.As(err, &qe) {
			return usagef("search: %v", err)
		}
		if err != nil {
			return folderUsage("search", err)
		}
		if *asJSON {
			return writeMessagesJSON(env.Stdout, msgs)
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tDATE\tACCOUNT\tFROM\tSUBJECT")
		for i := range msgs {
			m := &msgs[i]
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", m.ID, displayDate(m).Local().Format("2006-01-02 15:04"),
				clip(m.Account, 16), clip(m.From, 40), clip(m.Subject, 60))
		}
		return tw.Flush()
	})
}
