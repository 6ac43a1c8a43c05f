package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/pouchmail/pouch/app/datadir"
	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/mailstore"
)

func init() {
	register(&command{name: "backup", run: runBackup, usage: []string{"backup --out FILE [--json]"}, help: `
Writes a consistent copy of the archive to FILE (which must not exist), also while the window
or a fetch is running, then opens the copy and checks it. Passwords and OAuth2 sign-ins are
in the OS keyring, not in the copy.`})
	register(&command{name: "restore", run: runRestore, usage: []string{"restore FILE [--force] [--json]"}, help: `
Replaces the archive with a backup. FILE is copied into the data directory and checked first;
a file that is not an archive, or does not check out, changes nothing. An archive that holds
accounts or messages is replaced only with --force, and is kept aside as
pouch.db.before-restore-DATE-TIME, never deleted. Close the window and any running pouch
first: an archive in use is not replaced (exit status 75).`})
}

// backupJSON is the output of `backup --json` and `restore --json`.
type backupJSON struct {
	File     string `json:"file"`
	Archive  string `json:"archive,omitempty"` // restore: the archive now in use
	Aside    string `json:"aside,omitempty"`   // restore: where the replaced archive was kept
	Messages int    `json:"messages"`
	Backlog  int    `json:"index_backlog"`
}

func runBackup(ctx context.Context, env *Env, g *globals, args []string) error {
	fs := newFlagSet("backup", g)
	out := fs.String("out", "", "the backup file to write (must not exist)")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("backup", pos); err != nil {
		return err
	}
	if *out == "" {
		return usagef("backup: --out is required")
	}
	return withEngine(ctx, env, g, func(e *engine.Engine) error {
		r, err := e.Backup(ctx, *out)
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(env.Stdout, backupJSON{File: *out, Messages: r.Messages, Backlog: r.IndexBacklog})
		}
		fmt.Fprintf(env.Stdout, "backed up %d message(s) to %s; the copy checks clean\n", r.Messages, *out)
		return nil
	})
}

func runRestore(ctx context.Context, env *Env, g *globals, args []string) error {
	fs := newFlagSet("restore", g)
	force := fs.Bool("force", false, "replace an archive that holds accounts or messages (it is kept aside)")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("restore", pos, "FILE"); err != nil {
		return err
	}
	dir, err := g.resolveDataDir(ctx, env)
	if err != nil {
		return err
	}
	r, err := datadir.Restore(ctx, dir, pos[0], *force)
	var ne *datadir.NotEmptyError
	switch {
	case errors.As(err, &ne):
		return fmt.Errorf("restore: the archive %s holds accounts or messages; pouch restore --force replaces it and keeps it aside", ne.Path)
	case errors.Is(err, mailstore.ErrInUse):
		return fmt.Errorf("restore: %w: close the window and any running pouch, then restore again", err)
	case err != nil:
		return fmt.Errorf("restore: %w", err)
	}
	if *asJSON {
		return writeJSON(env.Stdout, backupJSON{File: pos[0], Archive: r.Path, Aside: r.Aside, Messages: r.Report.Messages, Backlog: r.Report.IndexBacklog})
	}
	fmt.Fprintf(env.Stdout, "restored %d message(s) from %s into %s\n", r.Report.Messages, pos[0], r.Path)
	if r.Aside != "" {
		fmt.Fprintf(env.Stdout, "the archive it replaced is kept as %s\n", r.Aside)
	}
	fmt.Fprintln(env.Stdout, "Passwords are in the OS keyring, not in backups: set any that are missing with pouch account password NAME --password-stdin")
	return nil
}
