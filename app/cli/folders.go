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
	register(&command{name: "folder list", run: runFolderList, usage: []string{"folder list [--json]"}, help: `
Lists every folder with its unread and total counts: each account's inbox, Drafts, Outbox,
Sent, your folders (nested by path, such as Work/Invoices) and the Trash.`})
	register(&command{name: "folder create", run: runFolderCreate, usage: []string{"folder create PATH"}, help: `
Creates a folder, and its parents if missing. Paths are names separated by "/"; case is kept
but ignored when looking folders up, and inbox, sent, outbox, drafts and trash are taken.`})
	register(&command{name: "folder rename", run: runFolderRename, usage: []string{"folder rename PATH NEW"}, help: `
Renames a folder, or moves it under another parent (NEW is the whole new path), with its
subfolders and messages. Renaming onto an existing folder is refused.`})
	register(&command{name: "folder delete", run: runFolderDelete, usage: []string{"folder delete PATH"}, help: `
Deletes a folder and its subfolders; their messages go to the Trash (pouch trash restore
brings them back to their account's inbox). Nothing is deleted on any server.`})
	register(&command{name: "move", run: runMove, usage: []string{"move ID... --to PATH"}, help: `
Moves messages to a folder (a path, inbox, sent, or trash), in one step. Nothing moves into
or out of the Outbox or Drafts. Moving never changes a message or anything on a server.`})
	register(&command{name: "mark", run: runMark, usage: []string{"mark ID... [--read|--unread] [--flag|--unflag]"},
		help: "Marks messages read or unread, flags or unflags them (is:flagged finds them)."})
}

// folderUsage turns the folder errors a user's words cause into usage errors (exit 2).
func folderUsage(cmd string, err error) error {
	var ne *mailstore.FolderNameError
	if errors.Is(err, mailstore.ErrFolderNotFound) || errors.Is(err, mailstore.ErrFolderExists) ||
		errors.Is(err, mailstore.ErrFolderNotAllowed) || errors.As(err, &ne) {
		return usagef("%s: %v", cmd, err)
	}
	return err
}

// folderJSON is one element of `folder list --json`.
type folderJSON struct {
	Path    string `json:"path"`              // inbox, drafts, outbox, sent, trash, or a folder's path
	Name    string `json:"name"`              // the last segment of the path
	Depth   int    `json:"depth"`             // 0 at the top level
	System  bool   `json:"system"`            // inbox, drafts, outbox, sent or trash
	Account string `json:"account,omitempty"` // whose inbox
	Removed bool   `json:"removed,omitempty"` // the inbox of a removed account whose mail was kept
	Total   int    `json:"total"`
	Unread  int    `json:"unread"`
}

// folderLabel is how a folder shows in the text listing.
func folderLabel(f *mailstore.FolderInfo) string {
	switch {
	case f.Path == mailstore.FolderInbox && f.Removed:
		return "Inbox (" + f.Account + ", removed)"
	case f.Path == mailstore.FolderInbox:
		return "Inbox (" + f.Account + ")"
	case f.System():
		return strings.ToUpper(string(f.Path[:1])) + string(f.Path[1:])
	}
	return strings.Repeat("  ", f.Depth) + f.Path.Name()
}

func runFolderList(ctx context.Context, env *Env, g *globals, args []string) error {
	fs := newFlagSet("folder list", g)
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("folder list", pos); err != nil {
		return err
	}
	return withEngine(ctx, env, g, func(e *engine.Engine) error {
		tree, err := e.FolderTree(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			out := make([]folderJSON, 0, len(tree))
			for _, f := range tree {
				out = append(out, folderJSON{Path: string(f.Path), Name: f.Path.Name(), Depth: f.Depth, System: f.System(),
					Account: f.Account, Removed: f.Removed, Total: f.Total, Unread: f.Unread})
			}
			return writeJSON(env.Stdout, out)
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "FOLDER\tUNREAD\tTOTAL")
		for i := range tree {
			fmt.Fprintf(tw, "%s\t%d\t%d\n", folderLabel(&tree[i]), tree[i].Unread, tree[i].Total)
		}
		return tw.Flush()
	})
}

// folderArgs parses a folder command that takes only positional arguments.
func folderArgs(cmd string, g *globals, args []string, names ...string) ([]string, error) {
	fs := newFlagSet(cmd, g)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return nil, err
	}
	return pos, wantArgs(cmd, pos, names...)
}

func runFolderCreate(ctx context.Context, env *Env, g *globals, args []string) error {
	pos, err := folderArgs("folder create", g, args, "PATH")
	if err != nil {
		return err
	}
	return withEngine(ctx, env, g, func(e *engine.Engine) error {
		f, err := e.CreateFolder(ctx, pos[0])
		if err != nil {
			return folderUsage("folder create", err)
		}
		fmt.Fprintf(env.Stdout, "created %s\n", f)
		return nil
	})
}

func runFolderRename(ctx context.Context, env *Env, g *globals, args []string) error {
	pos, err := folderArgs("folder rename", g, args, "PATH", "NEW")
	if err != nil {
		return err
	}
	return withEngine(ctx, env, g, func(e *engine.Engine) error {
		f, err := e.RenameFolder(ctx, pos[0], pos[1])
		if err != nil {
			return folderUsage("folder rename", err)
		}
		fmt.Fprintf(env.Stdout, "renamed %s to %s\n", pos[0], f)
		return nil
	})
}

func runFolderDelete(ctx context.Context, env *Env, g *globals, args []string) error {
	pos, err := folderArgs("folder delete", g, args, "PATH")
	if err != nil {
		return err
	}
	return withEngine(ctx, env, g, func(e *engine.Engine) error {
		d, err := e.DeleteFolder(ctx, pos[0])
		if err != nil {
			return folderUsage("folder delete", err)
		}
		fmt.Fprintf(env.Stdout, "deleted %s (%d folder(s)); %d message(s) moved to the Trash\n", d.Path, len(d.Folders), len(d.Messages))
		return nil
	})
}

func runMove(ctx context.Context, env *Env, g *globals, args []string) error {
	fs := newFlagSet("move", g)
	to := fs.String("to", "", "the folder: a path, inbox, sent or trash")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	ids, err := parseIDs("move", pos)
	if err != nil {
		return err
	}
	if strings.TrimSpace(*to) == "" {
		return usagef("move: --to PATH is required")
	}
	return withEngine(ctx, env, g, func(e *engine.Engine) error {
		n, err := e.MoveMessages(ctx, ids, *to)
		if err != nil {
			return folderUsage("move", err)
		}
		fmt.Fprintf(env.Stdout, "moved %d message(s) to %s\n", n, *to)
		return nil
	})
}

func runMark(ctx context.Context, env *Env, g *globals, args []string) error {
	fs := newFlagSet("mark", g)
	read := fs.Bool("read", false, "mark read")
	unread := fs.Bool("unread", false, "mark unread")
	flag := fs.Bool("flag", false, "flag (is:flagged finds them)")
	unflag := fs.Bool("unflag", false, "take the flag off")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	ids, err := parseIDs("mark", pos)
	if err != nil {
		return err
	}
	switch {
	case *read && *unread:
		return usagef("mark: give one of --read or --unread")
	case *flag && *unflag:
		return usagef("mark: give one of --flag or --unflag")
	case !*read && !*unread && !*flag && !*unflag:
		return usagef("mark: give --read or --unread, --flag or --unflag")
	}
	return withEngine(ctx, env, g, func(e *engine.Engine) error {
		var done []string
		if *read || *unread {
			if _, err := e.SetRead(ctx, ids, *read); err != nil {
				return err
			}
			done = append(done, "read")
			if *unread {
				done[len(done)-1] = "unread"
			}
		}
		if *flag || *unflag {
			if _, err := e.SetFlagged(ctx, ids, *flag); err != nil {
				return err
			}
			done = append(done, "flagged")
			if *unflag {
				done[len(done)-1] = "unflagged"
			}
		}
		fmt.Fprintf(env.Stdout, "marked %d message(s) %s\n", len(ids), strings.Join(done, " and "))
		return nil
	})
}
