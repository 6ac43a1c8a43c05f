package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/app/format"
	"github.com/pouchmail/pouch/mailstore"
)

// fetchJSON is one element of `fetch --json`.
type fetchJSON struct {
	Account    string        `json:"account"`
	OK         bool          `json:"ok"`
	New        int           `json:"new"`
	Bytes      int64         `json:"bytes"`
	OnServer   int           `json:"on_server"`
	DurationMS int64         `json:"duration_ms"`
	Error      *string       `json:"error"`
	Deleted    int           `json:"deleted"` // deleted from the server, QUIT confirmed
	Partial    int           `json:"partial"` // of new, stored as headers only (size limit)
	Warning    *string       `json:"warning"` // e.g. leave-days exceeds the server's EXPIRE
	Changed    int           `json:"changed"` // UIDLs naming other bytes than before: stored as new messages
	Skipped    []skippedJSON `json:"skipped"` // could not be downloaded; left on the server
	// Unsearchable: stored messages not yet in the search index when the session ended (search
	// indexes them first).
	Unsearchable int `json:"unsearchable"`
}

type skippedJSON struct {
	UIDL   string `json:"uidl"`
	Reason string `json:"reason"`
}

func init() {
	register(&command{name: "fetch", run: runFetch, usage: []string{"fetch [--account NAME] [--json]", "fetch --full ID [--json]"}, help: `
Checks every account (or one) for new mail, stores it, and deletes from the server what is
due. Progress shows on a terminal, never with --json or when standard error is not one.
--full fetches the whole of a message stored as headers only (the account's size limit).`})
	register(&command{name: "list", run: runList, usage: []string{"list [--account NAME] [--folder PATH] [--json]", "list --thread ID [--json]"},
		help: "Lists the stored messages, newest first: all but the Trash, or one folder's (inbox, sent,\noutbox, drafts, trash, or a folder of yours such as Work/Invoices). With --thread, a\nconversation's messages, oldest first (its id is list --json's thread)."})
	register(&command{name: "show", run: runShow, usage: []string{"show ID [--raw]"},
		help: "Shows a message as text, or with --raw exactly the bytes received."})
}

func runFetch(ctx context.Context, env *Env, g *globals, args []string) error {
	fs := newFlagSet("fetch", g)
	name := fs.String("account", "", "fetch only this account")
	asJSON := fs.Bool("json", false, "print JSON")
	full := fs.String("full", "", "fetch the whole of a message stored as headers only")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("fetch", pos); err != nil {
		return err
	}
	if *full != "" {
		if *name != "" {
			return usagef("fetch: --full and --account do not go together")
		}
		return runFetchFull(ctx, env, g, *full, *asJSON)
	}
	return withEngine(ctx, env, g, func(e *engine.Engine) error {
		failuresBefore := ruleFailures(ctx, e)
		results, err := e.FetchAll(ctx, *name, progressPrinter(env, *asJSON))
		if err != nil {
			return err
		}
		if len(results) == 0 {
			accts, err := e.Accounts(ctx)
			if err != nil || len(accts) == 0 {
				return &configError{"no accounts configured (add one with: pouch account add)"}
			}
			// Only local accounts (imported mail): nothing has a server, which is no failure.
			if *asJSON {
				return writeJSON(env.Stdout, []fetchJSON{})
			}
			fmt.Fprintln(env.Stdout, "nothing to fetch: every account is local (no server)")
			return nil
		}
		if caught, err := fileNewMail(ctx, env, e, *asJSON, failuresBefore); err != nil {
			fmt.Fprintf(env.Stderr, "pouch: warning: the rules did not run on all new mail: %s\n", oneLine(err.Error()))
		} else if caught {
			if n, err := e.Unsearchable(ctx); err == nil {
				for i := range results {
					results[i].Unsearchable = n
				}
			}
		}
		var failed []string
		var errs []error
		out := make([]fetchJSON, 0, len(results))
		for i, r := range results {
			last := i == len(results)-1 // the backlog is the archive's, said once
			j := fetchJSON{Account: r.Account, OK: r.Err == nil, New: r.New, Bytes: r.Bytes,
				OnServer: r.OnServer, DurationMS: r.Duration.Milliseconds(), Deleted: r.Deleted, Partial: r.Partial,
				Changed: r.Changed, Skipped: []skippedJSON{}, Unsearchable: r.Unsearchable}
			for _, sk := range r.Skipped {
				j.Skipped = append(j.Skipped, skippedJSON{UIDL: sk.UIDL, Reason: sk.Reason})
			}
			if r.Warning != "" {
				w := r.Warning
				j.Warning = &w
				fmt.Fprintf(env.Stderr, "pouch: warning: %s: %s\n", r.Account, oneLine(w))
			}
			if r.Err != nil {
				msg := oneLine(r.Err.Error())
				j.Error = &msg
				failed = append(failed, msg)
				errs = append(errs, r.Err)
			}
			out = append(out, j)
			if !*asJSON {
				if r.Err != nil {
					fmt.Fprintf(env.Stdout, "%s: failed after %d new message(s)\n", r.Account, r.New)
				} else {
					fmt.Fprintf(env.Stdout, "%s: %d new message(s), %s, %d on server\n", r.Account, r.New, format.Bytes(r.Bytes), r.OnServer)
				}
				if r.Unsearchable > 0 && last {
					fmt.Fprintf(env.Stdout, "%d message(s) not yet searchable (pouch search indexes them first)\n", r.Unsearchable)
				}
			}
		}
		if *asJSON {
			if err := writeJSON(env.Stdout, out); err != nil {
				return err
			}
		}
		if len(failed) > 0 {
			return &fetchFailed{msg: "fetch failed: " + strings.Join(failed, "; "), errs: errs}
		}
		return nil
	})
}

// fetchFailed is a fetch in which accounts failed; it exits with the status of the failure that
// needs attention most (exitStatus).
type fetchFailed struct {
	msg  string
	errs []error
}

func (e *fetchFailed) Error() string   { return e.msg }
func (e *fetchFailed) Unwrap() []error { return e.errs }

// messageJSON is one element of `list --json` (and later `search --json`).
type messageJSON struct {
	ID        int64     `json:"id"`
	Account   string    `json:"account"`
	UIDL      string    `json:"uidl"`
	Date      time.Time `json:"date"`
	From      string    `json:"from"`
	To        string    `json:"to"`
	Cc        string    `json:"cc"`
	Subject   string    `json:"subject"`
	MessageID string    `json:"message_id"`
	Size      int64     `json:"size"`
	SHA256    string    `json:"sha256"`
	Received  time.Time `json:"received"`
	Folder    string    `json:"folder"` // inbox, sent, outbox, drafts, trash, or a folder's path (Work/Invoices)
	Thread    int64     `json:"thread"` // the conversation (list --thread ID); 0 if not threaded yet
	Read      bool      `json:"read"`
	Flagged   bool      `json:"flagged"`
}

// writeMessagesJSON prints messages the way `list --json` does; search and trash list share it.
func writeMessagesJSON(w io.Writer, msgs []mailstore.Message) error {
	out := make([]messageJSON, 0, len(msgs))
	for i := range msgs {
		out = append(out, toMessageJSON(&msgs[i]))
	}
	return writeJSON(w, out)
}

func toMessageJSON(m *mailstore.Message) messageJSON {
	return messageJSON{ID: m.ID, Account: m.Account, UIDL: m.UIDL, Date: displayDate(m).UTC(),
		From: m.From, To: m.To, Cc: m.Cc, Subject: m.Subject, MessageID: m.MessageID,
		Size: m.Size, SHA256: m.SHA256, Received: m.Received.UTC(), Folder: folderName(m), Thread: m.Thread, Read: m.Read, Flagged: m.Flagged}
}

// folderName is the folder a message shows in: the Trash, across folders, wins.
func folderName(m *mailstore.Message) string {
	if m.Trashed != nil {
		return "trash"
	}
	return string(m.Folder)
}

func displayDate(m *mailstore.Message) time.Time { return format.MessageDate(m.Date, m.Received) }

func runList(ctx context.Context, env *Env, g *globals, args []string) error {
	fs := newFlagSet("list", g)
	name := fs.String("account", "", "list only this account")
	folder := fs.String("folder", "", "list only this folder: inbox, sent, outbox, drafts, trash or a folder's path")
	thread := fs.Int64("thread", 0, "list the messages of this conversation, oldest first")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("list", pos); err != nil {
		return err
	}
	if *thread != 0 && (*name != "" || *folder != "") {
		return usagef("list: --thread goes with neither --account nor --folder")
	}
	return withEngine(ctx, env, g, func(e *engine.Engine) error {
		var msgs []mailstore.Message
		if *thread != 0 {
			if msgs, err = e.Thread(ctx, *thread); err == nil && len(msgs) == 0 {
				return usagef("list: no conversation %d", *thread)
			}
		} else {
			if *asJSON {
				// Every object carries its thread: messages from before conversations get theirs.
				if _, err := e.ThreadBackfill(ctx); err != nil {
					return err
				}
			}
			msgs, err = listFolder(ctx, e, *name, *folder)
		}
		if err != nil {
			return err
		}
		if *asJSON {
			return writeMessagesJSON(env.Stdout, msgs)
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tDATE\tFROM\tSUBJECT")
		for i := range msgs {
			m := &msgs[i]
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", m.ID, displayDate(m).Local().Format("2006-01-02 15:04"), clip(m.From, 40), clip(m.Subject, 60))
		}
		return tw.Flush()
	})
}

func runShow(ctx context.Context, env *Env, g *globals, args []string) error {
	fs := newFlagSet("show", g)
	raw := fs.Bool("raw", false, "write the message exactly as received")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("show", pos, "ID"); err != nil {
		return err
	}
	id, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil || id <= 0 {
		return usagef("show: %q is not a message ID (see pouch list)", pos[0])
	}
	return withEngine(ctx, env, g, func(e *engine.Engine) error {
		if *raw {
			b, err := e.Raw(ctx, id)
			if err != nil {
				return err
			}
			_, err = env.Stdout.Write(b)
			return err
		}
		v, err := e.Message(ctx, id)
		if err != nil {
			return err
		}
		w := env.Stdout
		fmt.Fprintf(w, "From:    %s\n", v.From)
		fmt.Fprintf(w, "To:      %s\n", v.To)
		if v.Cc != "" {
			fmt.Fprintf(w, "Cc:      %s\n", v.Cc)
		}
		fmt.Fprintf(w, "Date:    %s\n", displayDate(&v.Message).Local().Format(time.RFC1123Z))
		fmt.Fprintf(w, "Subject: %s\n", v.Subject)
		for _, a := range v.Body.Attachments {
			fmt.Fprintf(w, "Attachment: %s (%s, %s)\n", a.Filename, a.ContentType, format.Bytes(a.Size))
		}
		fmt.Fprintln(w)
		fmt.Fprintln(w, strings.TrimRight(v.Body.Text, "\n"))
		return nil
	})
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // addresses keep their <> readable
	return enc.Encode(v)
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// listFolder lists the messages of a folder ("" = every folder but the Trash).
func listFolder(ctx context.Context, e *engine.Engine, account, folder string) ([]mailstore.Message, error) {
	var f mailstore.Folder
	if folder != "" {
		var err error
		if f, err = mailstore.ParseFolder(folder); err != nil {
			return nil, usagef("list: --folder: %v", err)
		}
	}
	msgs, err := e.Folder(ctx, account, f)
	return msgs, folderUsage("list", err)
}
