package mailstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Where rules move mail: the Inbox of the message's account, or a user folder.

// moveTarget is the folder a rule moves messages into, resolved in the moving transaction;
// err says why it cannot be (the folder was deleted).
type moveTarget struct {
	folder Folder        // FolderInbox for the inbox; user folders have folder inbox and an id
	id     sql.NullInt64 // the user folder
	err    string
}

// moveTargetID checks r's folder as a rule is saved and returns a user folder's id: an unknown
// folder gives ErrFolderNotFound.
func moveTargetID(ctx context.Context, tx *sql.Tx, r *Rule) (sql.NullInt64, error) {
	if r.MoveTo == "" || r.MoveTo.System() {
		return sql.NullInt64{}, nil
	}
	id, path, err := folderID(ctx, tx, r.MoveTo)
	if err != nil {
		return sql.NullInt64{}, err
	}
	r.MoveTo = path
	return sql.NullInt64{Int64: id, Valid: true}, nil
}

// resolveMoveTarget finds r's folder: by its id, or, when that folder was deleted, by the path
// it had (a folder created again under that name, or restored).
func resolveMoveTarget(ctx context.Context, tx *sql.Tx, r *Rule) (*moveTarget, error) {
	if r.MoveTo.System() {
		return &moveTarget{folder: FolderInbox}, nil
	}
	if r.moveToID.Valid {
		return &moveTarget{folder: FolderInbox, id: r.moveToID}, nil
	}
	id, _, err := folderID(ctx, tx, r.MoveTo)
	if errors.Is(err, ErrFolderNotFound) {
		return &moveTarget{err: fmt.Sprintf("folder %q does not exist any more", string(r.MoveTo))}, nil
	}
	if err != nil {
		return nil, err
	}
	return &moveTarget{folder: FolderInbox, id: sql.NullInt64{Int64: id, Valid: true}}, nil
}
