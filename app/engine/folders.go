package engine

import (
	"context"
	"fmt"
	"strings"

	"github.com/pouchmail/pouch/mailstore"
)

// Folders: the tree with its counts, creating, renaming, moving and deleting user folders,
// and moving or marking many messages at once. All of it is metadata in the archive, one
// transaction per call: raw bytes are never rewritten and the ledger is never touched, so no
// folder operation can cause a deletion on a server (retention reads the ledger alone).
// Folders are named by path (mailstore.ParseFolder's rules); errors wrap
// mailstore.ErrFolderNotFound, ErrFolderExists, ErrFolderNotAllowed or are a
// *mailstore.FolderNameError.

// FolderTree returns every folder with its total and unread counts, in display order (see
// mailstore.Store.FolderTree): the one list the sidebar and `pouch folder list` show.
func (e *Engine) FolderTree(ctx context.Context) ([]mailstore.FolderInfo, error) {
	return e.store.FolderTree(ctx)
}

// CreateFolder creates a user folder (and any missing parents) and returns its path.
func (e *Engine) CreateFolder(ctx context.Context, path string) (mailstore.Folder, error) {
	return e.store.CreateFolder(ctx, path, e.opts.Now())
}

// RenameFolder gives a user folder a new path, subfolders and messages included; the new path
// may name another parent (a move). It returns the new path.
func (e *Engine) RenameFolder(ctx context.Context, from, to string) (mailstore.Folder, error) {
	return e.store.RenameFolder(ctx, from, to, e.opts.Now())
}

// MoveFolder puts a user folder under newParent ("" = the top level), keeping its name.
func (e *Engine) MoveFolder(ctx context.Context, path, newParent string) (mailstore.Folder, error) {
	f, err := mailstore.ParseFolder(path)
	if err != nil {
		return "", err
	}
	to := f.Name()
	if strings.TrimSpace(newParent) != "" {
		to = newParent + "/" + to
	}
	return e.store.RenameFolder(ctx, path, to, e.opts.Now())
}

// DeleteFolder deletes a user folder and its subfolders; their messages go to the Trash, never
// purged. The result is what UndoDeleteFolder needs.
func (e *Engine) DeleteFolder(ctx context.Context, path string) (*mailstore.FolderDeletion, error) {
	return e.store.DeleteFolder(ctx, path, e.opts.Now())
}

// UndoDeleteFolder recreates the folders of d and puts their messages back where they were
// (those purged from the Trash meanwhile are gone); it returns how many messages went back.
func (e *Engine) UndoDeleteFolder(ctx context.Context, d *mailstore.FolderDeletion) (int, error) {
	return e.store.RestoreFolder(ctx, d, e.opts.Now())
}

// MoveMessages moves messages into a folder (a user folder's path, inbox, sent, or trash for
// the Trash) in one transaction and returns how many changed folder. Nothing moves into or out
// of the Outbox or Drafts.
func (e *Engine) MoveMessages(ctx context.Context, ids []int64, to string) (int, error) {
	f, err := mailstore.ParseFolder(to)
	if err != nil {
		return 0, err
	}
	if f == mailstore.FolderTrash {
		if err := e.TrashMessages(ctx, ids); err != nil {
			return 0, err
		}
		return len(ids), nil
	}
	n, err := e.store.MoveMessages(ctx, ids, f)
	return n, idsErr(ids, err)
}

// MarkAllRead marks every message f selects (a folder, an account, the Trash; its limit
// aside) read in one transaction and returns how many changed.
func (e *Engine) MarkAllRead(ctx context.Context, f mailstore.Filter) (int, error) {
	if err := e.checkFolder(ctx, f.Folder); err != nil {
		return 0, err
	}
	return e.store.MarkAllRead(ctx, f)
}

// List returns one page of messages, newest first: f selects the folder (FolderInbox with an
// account: that account's inbox), account and Trash, and Limit/Offset the page. An unknown
// user folder is an error wrapping mailstore.ErrFolderNotFound, not an empty page.
func (e *Engine) List(ctx context.Context, f mailstore.Filter) ([]mailstore.Message, error) {
	if err := e.checkFolder(ctx, f.Folder); err != nil {
		return nil, err
	}
	return e.store.Messages(ctx, f)
}

// checkFolder says whether a folder named in a filter or query exists.
func (e *Engine) checkFolder(ctx context.Context, f mailstore.Folder) error {
	if f == "" || f.System() {
		return nil
	}
	ok, err := e.store.FolderExists(ctx, f)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("folder %q: %w", string(f), mailstore.ErrFolderNotFound)
	}
	return nil
}
