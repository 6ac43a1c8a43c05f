package mailstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Folders. A message is in exactly one folder: a system folder (its account's inbox, sent,
// outbox, drafts) or a user folder, nested by path ("Work/Invoices"). The Trash is across
// folders (trashed_at): a trashed message keeps its folder and goes back there when restored.
//
// Moving messages and every folder operation change metadata only, in one transaction each:
// raw bytes are never rewritten and the ledger is never touched, so nothing here can cause a
// deletion on a server (POP3 retention reads the ledger alone).
//
// Path rules: segments separated by "/", none empty (spaces around a segment are dropped), no
// control characters, "." or "..", at most MaxFolderDepth segments of at most
// MaxFolderSegment bytes. Case is kept as typed, but lookups ignore it and two folders cannot
// differ by case alone. The system folders' names (inbox, sent, outbox, drafts, trash) are
// reserved at the top level, in any case; below it they are ordinary names ("Work/Sent").

// Folder is where a message lives: a system folder (FolderInbox, FolderSent, FolderOutbox,
// FolderDrafts, and FolderTrash in the folder tree and in queries) or a user folder's path.
type Folder string

const (
	FolderInbox  Folder = "inbox"  // fetched from a server (and imported); one per account
	FolderSent   Folder = "sent"   // accepted by the SMTP server
	FolderOutbox Folder = "outbox" // waiting to be sent, or stopped (failed, may have been sent)
	FolderDrafts Folder = "drafts" // being written
	FolderTrash  Folder = "trash"  // not where a message is: the Trash is trashed_at, across folders
)

// Folders lists the system folders a message can be in, in display order.
var Folders = []Folder{FolderInbox, FolderSent, FolderOutbox, FolderDrafts}

// Limits on folder paths.
const (
	MaxFolderDepth   = 16
	MaxFolderSegment = 255
)

// Folder errors. Each comes wrapped with the folder's path.
var (
	// ErrFolderNotFound: no user folder has that path.
	ErrFolderNotFound = errors.New("no such folder")
	// ErrFolderExists: a folder with that path (in any case) exists already.
	ErrFolderExists = errors.New("folder exists already")
	// ErrFolderNotAllowed: the operation is not one for that folder (moving mail into or out
	// of the Outbox or Drafts, renaming or deleting a system folder, a folder into itself).
	ErrFolderNotAllowed = errors.New("not allowed")
)

// FolderNameError is a folder path that breaks the path rules.
type FolderNameError struct {
	Path string
	Msg  string
}

func (e *FolderNameError) Error() string { return fmt.Sprintf("folder %q: %s", e.Path, e.Msg) }

// System reports whether f is a system folder (the Trash included).
func (f Folder) System() bool {
	switch f {
	case FolderInbox, FolderSent, FolderOutbox, FolderDrafts, FolderTrash:
		return true
	}
	return false
}

// Written reports whether f holds mail written here (sent, outbox, drafts). Fetched and
// imported mail is in an inbox or a user folder.
func (f Folder) Written() bool {
	return f == FolderSent || f == FolderOutbox || f == FolderDrafts
}

// Name is the last segment of a user folder's path (the whole name of a system folder).
func (f Folder) Name() string {
	s := string(f)
	return s[strings.LastIndexByte(s, '/')+1:]
}

// Parent is the path of a user folder's parent, "" at the top level.
func (f Folder) Parent() Folder {
	s := string(f)
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		return Folder(s[:i])
	}
	return ""
}

// key is how a user folder is looked up: case ignored.
func (f Folder) key() string { return strings.ToLower(string(f)) }

// ParseFolder reads a folder as typed: a system folder's name in any case, or a user folder's
// path, cleaned (see the path rules). It does not say whether a user folder exists.
func ParseFolder(s string) (Folder, error) {
	t := strings.TrimSpace(s)
	if f := Folder(strings.ToLower(t)); f.System() {
		return f, nil
	}
	if t == "" {
		return "", &FolderNameError{Path: s, Msg: "empty name"}
	}
	if !utf8.ValidString(t) {
		return "", &FolderNameError{Path: s, Msg: "not valid UTF-8"}
	}
	segs := strings.Split(t, "/")
	if len(segs) > MaxFolderDepth {
		return "", &FolderNameError{Path: s, Msg: fmt.Sprintf("more than %d levels", MaxFolderDepth)}
	}
	for i, seg := range segs {
		seg = strings.TrimSpace(seg)
		switch {
		case seg == "":
			return "", &FolderNameError{Path: s, Msg: "empty segment (a/b, not a//b, /a or a/)"}
		case seg == "." || seg == "..":
			return "", &FolderNameError{Path: s, Msg: fmt.Sprintf("%q is not a folder name", seg)}
		case len(seg) > MaxFolderSegment:
			return "", &FolderNameError{Path: s, Msg: fmt.Sprintf("a name longer than %d bytes", MaxFolderSegment)}
		case strings.IndexFunc(seg, unicode.IsControl) >= 0:
			return "", &FolderNameError{Path: s, Msg: "control characters"}
		case i == 0 && Folder(strings.ToLower(seg)).System():
			return "", &FolderNameError{Path: s, Msg: fmt.Sprintf("%q is a system folder", seg)}
		}
		segs[i] = seg
	}
	return Folder(strings.Join(segs, "/")), nil
}

// parseUserFolder is ParseFolder for operations on user folders only.
func parseUserFolder(op, s string) (Folder, error) {
	f, err := ParseFolder(s)
	if err != nil {
		return "", err
	}
	if f.System() {
		return "", fmt.Errorf("%s %s: %w: it is a system folder", op, f, ErrFolderNotAllowed)
	}
	return f, nil
}

// FolderInfo is one entry of the folder tree.
type FolderInfo struct {
	Path      Folder // a system folder, or a user folder's path
	ID        int64  // a user folder's ID; 0 for system folders
	Depth     int    // user folders: 0 at the top level
	AccountID int64  // FolderInbox: whose inbox (0 for a removed account)
	Account   string // FolderInbox: the account's name
	Removed   bool   // FolderInbox: of a removed account whose mail was kept (Filter.RemovedAccount)
	Total     int    // messages in it (FolderTrash: in the Trash)
	Unread    int
}

// System reports whether the entry is a system folder.
func (fi *FolderInfo) System() bool { return fi.Path.System() }

// folderCountsQuery counts messages, in the Trash or not, read or not, per user folder and
// per system folder and account, in one ordered pass over messages_folder_counts (no sort).
// No INDEXED BY: an index missing from an archive would make it an error rather than slower.
const folderCountsQuery = `SELECT coalesce(folder_id, 0), folder, coalesce(account_id, 0),
	sum(trashed_at IS NULL), sum(trashed_at IS NULL AND read = 0),
	sum(trashed_at IS NOT NULL), sum(trashed_at IS NOT NULL AND read = 0)
	FROM messages GROUP BY folder_id, folder, account_id`

// FolderTree returns every folder with its counts, in display order: one inbox per account
// (by name), one per removed account whose inbox mail was kept (by name), drafts, outbox,
// sent, the user folders (depth first, by name ignoring case) and the Trash. The counts come
// from one pass over an index, never over message rows (and one over the few messages of
// removed accounts).
func (s *Store) FolderTree(ctx context.Context) ([]FolderInfo, error) {
	wrap := func(err error) error { return fmt.Errorf("mailstore: folder tree: %w", err) }
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, wrap(err)
	}
	defer tx.Rollback()
	type count struct{ total, unread int }
	var (
		inbox   = map[int64]count{}
		system  = map[Folder]count{}
		user    = map[int64]count{}
		trashed count
	)
	rows, err := tx.QueryContext(ctx, folderCountsQuery)
	if err != nil {
		return nil, wrap(err)
	}
	for rows.Next() {
		var (
			fid, acct int64
			folder    Folder
			in, trash count
		)
		if err := rows.Scan(&fid, &folder, &acct, &in.total, &in.unread, &trash.total, &trash.unread); err != nil {
			rows.Close()
			return nil, wrap(err)
		}
		add := func(m *count, c count) { m.total += c.total; m.unread += c.unread }
		add(&trashed, trash)
		switch {
		case fid != 0:
			v := user[fid]
			add(&v, in)
			user[fid] = v
		case folder == FolderInbox:
			v := inbox[acct]
			add(&v, in)
			inbox[acct] = v
		default:
			v := system[folder]
			add(&v, in)
			system[folder] = v
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, wrap(err)
	}

	var tree []FolderInfo
	arows, err := tx.QueryContext(ctx, `SELECT id, name FROM accounts ORDER BY name, id`)
	if err != nil {
		return nil, wrap(err)
	}
	for arows.Next() {
		fi := FolderInfo{Path: FolderInbox}
		if err := arows.Scan(&fi.AccountID, &fi.Account); err != nil {
			arows.Close()
			return nil, wrap(err)
		}
		c := inbox[fi.AccountID]
		fi.Total, fi.Unread = c.total, c.unread
		tree = append(tree, fi)
	}
	arows.Close()
	if err := arows.Err(); err != nil {
		return nil, wrap(err)
	}
	if inbox[0].total > 0 {
		rrows, err := tx.QueryContext(ctx, `SELECT account_name, count(*), sum(read = 0) FROM messages
			WHERE account_id IS NULL AND folder = 'inbox' AND folder_id IS NULL AND trashed_at IS NULL
			GROUP BY account_name ORDER BY account_name`)
		if err != nil {
			return nil, wrap(err)
		}
		for rrows.Next() {
			fi := FolderInfo{Path: FolderInbox, Removed: true}
			if err := rrows.Scan(&fi.Account, &fi.Total, &fi.Unread); err != nil {
				rrows.Close()
				return nil, wrap(err)
			}
			tree = append(tree, fi)
		}
		rrows.Close()
		if err := rrows.Err(); err != nil {
			return nil, wrap(err)
		}
	}
	for _, f := range []Folder{FolderDrafts, FolderOutbox, FolderSent} {
		c := system[f]
		tree = append(tree, FolderInfo{Path: f, Total: c.total, Unread: c.unread})
	}
	fs, err := userFolders(ctx, tx)
	if err != nil {
		return nil, wrap(err)
	}
	for _, fi := range fs {
		c := user[fi.ID]
		fi.Total, fi.Unread = c.total, c.unread
		tree = append(tree, fi)
	}
	tree = append(tree, FolderInfo{Path: FolderTrash, Total: trashed.total, Unread: trashed.unread})
	return tree, nil
}

// userFolders lists the user folders depth first, siblings by name ignoring case.
func userFolders(ctx context.Context, tx *sql.Tx) ([]FolderInfo, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, path FROM folders`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var fs []FolderInfo
	for rows.Next() {
		var fi FolderInfo
		if err := rows.Scan(&fi.ID, &fi.Path); err != nil {
			return nil, err
		}
		fi.Depth = strings.Count(string(fi.Path), "/")
		fs = append(fs, fi)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Segment by segment, so "A/B" comes right after "A" and before "A B".
	sort.Slice(fs, func(i, j int) bool {
		a, b := strings.Split(fs[i].Path.key(), "/"), strings.Split(fs[j].Path.key(), "/")
		for k := 0; k < len(a) && k < len(b); k++ {
			if a[k] != b[k] {
				return a[k] < b[k]
			}
		}
		return len(a) < len(b)
	})
	return fs, nil
}

// folderID returns a user folder's ID and its path as stored, or an error wrapping
// ErrFolderNotFound.
func folderID(ctx context.Context, q querier, f Folder) (int64, Folder, error) {
	var id int64
	var path Folder
	err := q.QueryRowContext(ctx, `SELECT id, path FROM folders WHERE path_key = ?`, f.key()).Scan(&id, &path)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", fmt.Errorf("folder %q: %w", string(f), ErrFolderNotFound)
	}
	return id, path, err
}

// FolderExists reports whether f is a system folder or an existing user folder.
func (s *Store) FolderExists(ctx context.Context, f Folder) (bool, error) {
	if f.System() {
		return true, nil
	}
	_, _, err := folderID(ctx, s.db, f)
	if errors.Is(err, ErrFolderNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("mailstore: folder %q: %w", string(f), err)
	}
	return true, nil
}

// ensureFolder returns the ID and stored path of user folder f, creating it and its missing
// parents. A new folder's path starts with its parent's path as stored, whatever the case f
// was typed in.
func ensureFolder(ctx context.Context, tx *sql.Tx, f Folder, now time.Time) (id int64, path Folder, created bool, err error) {
	var parent sql.NullInt64
	segs := strings.Split(string(f), "/")
	for _, seg := range segs {
		p := Folder(seg)
		if path != "" {
			p = path + "/" + p
		}
		id, path, err = folderID(ctx, tx, p)
		created = false
		if errors.Is(err, ErrFolderNotFound) {
			var res sql.Result
			res, err = tx.ExecContext(ctx, `INSERT INTO folders (parent_id, name, path, path_key, created) VALUES (?, ?, ?, ?, ?)`,
				parent, seg, string(p), p.key(), now.Unix())
			if err != nil {
				return 0, "", false, err
			}
			id, err = res.LastInsertId()
			path, created = p, true
		}
		if err != nil {
			return 0, "", false, err
		}
		parent = sql.NullInt64{Int64: id, Valid: true}
	}
	return id, path, created, nil
}

// ensureFolder creates user folder f and its missing parents if need be, in a transaction of
// its own, and returns its ID.
func (s *Store) ensureFolder(ctx context.Context, f Folder, now time.Time) (int64, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	id, _, _, err := ensureFolder(ctx, tx, f, now)
	if err != nil {
		return 0, err
	}
	return id, tx.Commit()
}

// CreateFolder creates the user folder path (cleaned by ParseFolder) with any missing parents
// and returns its path as stored. An existing folder (in any case) gives ErrFolderExists.
func (s *Store) CreateFolder(ctx context.Context, name string, now time.Time) (Folder, error) {
	f, err := parseUserFolder("create", name)
	if err != nil {
		return "", err
	}
	wrap := func(err error) error { return fmt.Errorf("mailstore: create folder: %w", err) }
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return "", wrap(err)
	}
	defer tx.Rollback()
	_, path, created, err := ensureFolder(ctx, tx, f, now)
	if err != nil {
		return "", wrap(err)
	}
	if !created {
		return "", fmt.Errorf("folder %q: %w", string(path), ErrFolderExists)
	}
	if err := tx.Commit(); err != nil {
		return "", wrap(err)
	}
	return path, nil
}

// RenameFolder gives a user folder a new path, with its subfolders and messages: a rename
// ("Work" → "Job"), a move under another parent ("Work/Old" → "Archive/Old"; missing parents
// are created), or both. A folder cannot go into itself; renaming onto an existing folder gives
// ErrFolderExists, except to change only the case of its own path.
func (s *Store) RenameFolder(ctx context.Context, from, to string, now time.Time) (Folder, error) {
	src, err := parseUserFolder("rename", from)
	if err != nil {
		return "", err
	}
	dst, err := parseUserFolder("rename", to)
	if err != nil {
		return "", err
	}
	if strings.HasPrefix(dst.key(), src.key()+"/") {
		return "", fmt.Errorf("rename %q to %q: %w: a folder cannot go into itself", string(src), string(dst), ErrFolderNotAllowed)
	}
	wrap := func(err error) error { return fmt.Errorf("mailstore: rename folder: %w", err) }
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return "", wrap(err)
	}
	defer tx.Rollback()
	id, old, err := folderID(ctx, tx, src) // old as stored: src may differ in case
	if err != nil {
		return "", err
	}
	if dst.key() != old.key() {
		if _, _, err := folderID(ctx, tx, dst); err == nil {
			return "", fmt.Errorf("folder %q: %w", string(dst), ErrFolderExists)
		} else if !errors.Is(err, ErrFolderNotFound) {
			return "", wrap(err)
		}
	}
	var parent sql.NullInt64
	if p := dst.Parent(); p != "" {
		pid, ppath, _, err := ensureFolder(ctx, tx, p, now)
		if err != nil {
			return "", wrap(err)
		}
		parent = sql.NullInt64{Int64: pid, Valid: true}
		dst = ppath + "/" + Folder(dst.Name())
	}
	// Subfolders first take their new paths (which cannot be taken: dst does not exist, and
	// a folder's parent always does), then the folder itself. Lengths are SQLite's, in
	// characters; lower case maps each character to one, so path and path_key agree.
	if _, err := tx.ExecContext(ctx, `UPDATE folders SET path = ?1 || substr(path, length(?3) + 1),
		path_key = ?2 || substr(path_key, length(?3) + 1)
		WHERE substr(path_key, 1, length(?3)) = ?3`, string(dst)+"/", dst.key()+"/", old.key()+"/"); err != nil {
		return "", wrap(err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE folders SET parent_id = ?, name = ?, path = ?, path_key = ? WHERE id = ?`,
		parent, dst.Name(), string(dst), dst.key(), id); err != nil {
		return "", wrap(err)
	}
	if err := tx.Commit(); err != nil {
		return "", wrap(err)
	}
	return dst, nil
}

// FolderDeletion is what DeleteFolder did, and all RestoreFolder needs to undo it.
type FolderDeletion struct {
	Path     Folder         // the folder deleted
	Folders  []Folder       // it and its subfolders, parents first
	Messages []MovedToTrash // every message that was in them
	At       time.Time      // when
}

// MovedToTrash is a message a folder deletion moved to the Trash.
type MovedToTrash struct {
	ID         int64
	Folder     Folder // where it was
	WasInTrash bool   // it was in the Trash already (and stays there on undo)
}

// DeleteFolder deletes a user folder and its subfolders. Their messages go to the Trash (never
// purged here) and, when restored from it, to their account's inbox. The result undoes it
// (RestoreFolder).
func (s *Store) DeleteFolder(ctx context.Context, path string, now time.Time) (*FolderDeletion, error) {
	f, err := parseUserFolder("delete", path)
	if err != nil {
		return nil, err
	}
	wrap := func(err error) error { return fmt.Errorf("mailstore: delete folder: %w", err) }
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, wrap(err)
	}
	defer tx.Rollback()
	if _, _, err := folderID(ctx, tx, f); err != nil {
		return nil, err
	}
	d := &FolderDeletion{At: time.Unix(now.Unix(), 0)}
	rows, err := tx.QueryContext(ctx, `SELECT id, path FROM folders WHERE path_key = ?1 OR substr(path_key, 1, length(?1) + 1) = ?1 || '/'`,
		f.key())
	if err != nil {
		return nil, wrap(err)
	}
	ids := map[int64]Folder{}
	for rows.Next() {
		var id int64
		var p Folder
		if err := rows.Scan(&id, &p); err != nil {
			rows.Close()
			return nil, wrap(err)
		}
		ids[id] = p
		d.Folders = append(d.Folders, p)
		if p.key() == f.key() {
			d.Path = p
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, wrap(err)
	}
	sort.Slice(d.Folders, func(i, j int) bool {
		return strings.Count(string(d.Folders[i]), "/") < strings.Count(string(d.Folders[j]), "/")
	})
	idList := make([]int64, 0, len(ids))
	for id := range ids {
		idList = append(idList, id)
	}
	js, _ := json.Marshal(idList)
	mrows, err := tx.QueryContext(ctx, `SELECT id, folder_id, trashed_at IS NOT NULL FROM messages
		WHERE folder_id IN (SELECT value FROM json_each(?)) ORDER BY id`, string(js))
	if err != nil {
		return nil, wrap(err)
	}
	for mrows.Next() {
		var m MovedToTrash
		var fid int64
		if err := mrows.Scan(&m.ID, &fid, &m.WasInTrash); err != nil {
			mrows.Close()
			return nil, wrap(err)
		}
		m.Folder = ids[fid]
		d.Messages = append(d.Messages, m)
	}
	mrows.Close()
	if err := mrows.Err(); err != nil {
		return nil, wrap(err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE messages SET folder_id = NULL, folder = 'inbox', trashed_at = coalesce(trashed_at, ?)
		WHERE folder_id IN (SELECT value FROM json_each(?))`, now.Unix(), string(js)); err != nil {
		return nil, wrap(err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM folders WHERE id IN (SELECT value FROM json_each(?))`, string(js)); err != nil {
		return nil, wrap(err)
	}
	if err := tx.Commit(); err != nil {
		return nil, wrap(err)
	}
	return d, nil
}

// RestoreFolder undoes DeleteFolder: the folders are created again (an existing one is used as
// it is) and each message still in the Trash from that deletion goes back to its folder; one
// that was in the Trash before stays there, in its folder again. Messages purged since, or
// moved elsewhere by the user, are left alone. It returns how many messages went back.
func (s *Store) RestoreFolder(ctx context.Context, d *FolderDeletion, now time.Time) (int, error) {
	wrap := func(err error) error { return fmt.Errorf("mailstore: restore folder: %w", err) }
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, wrap(err)
	}
	defer tx.Rollback()
	ids := map[Folder]int64{}
	for _, f := range d.Folders {
		id, _, _, err := ensureFolder(ctx, tx, f, now)
		if err != nil {
			return 0, wrap(err)
		}
		ids[f] = id
	}
	stmt, err := tx.PrepareContext(ctx, `UPDATE messages SET folder_id = ?2,
		trashed_at = CASE WHEN ?3 THEN trashed_at ELSE NULL END
		WHERE id = ?1 AND folder_id IS NULL AND folder = 'inbox' AND trashed_at IS NOT NULL`)
	if err != nil {
		return 0, wrap(err)
	}
	defer stmt.Close()
	n := 0
	for _, m := range d.Messages {
		res, err := stmt.ExecContext(ctx, m.ID, ids[m.Folder], m.WasInTrash)
		if err != nil {
			return 0, wrap(err)
		}
		k, _ := res.RowsAffected()
		n += int(k)
	}
	if err := tx.Commit(); err != nil {
		return 0, wrap(err)
	}
	return n, nil
}

// MoveMessages puts messages into folder to (a user folder, the inbox of each message's
// account, or sent), out of the Trash if they were there, in one transaction. Nothing moves
// into or out of the Outbox and Drafts (their messages belong to sending): that, an unknown
// message or an unknown folder changes nothing and gives an error. It returns how many
// messages changed folder.
func (s *Store) MoveMessages(ctx context.Context, ids []int64, to Folder) (int, error) {
	wrap := func(err error) error { return fmt.Errorf("mailstore: move: %w", err) }
	switch to {
	case FolderOutbox, FolderDrafts, FolderTrash:
		return 0, fmt.Errorf("move to %s: %w: mail gets there only by being written or sent (and to the Trash by deleting it)", to, ErrFolderNotAllowed)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	js, err := json.Marshal(ids)
	if err != nil {
		return 0, wrap(err)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, wrap(err)
	}
	defer tx.Rollback()
	var fid sql.NullInt64
	folder := to
	if !to.System() {
		id, _, err := folderID(ctx, tx, to)
		if err != nil {
			return 0, err
		}
		fid, folder = sql.NullInt64{Int64: id, Valid: true}, FolderInbox
	}
	var found, sending int
	var firstSending sql.NullInt64
	err = tx.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(folder IN ('outbox', 'drafts')), 0),
		min(CASE WHEN folder IN ('outbox', 'drafts') THEN id END)
		FROM messages WHERE id IN (SELECT DISTINCT value FROM json_each(?))`, string(js)).Scan(&found, &sending, &firstSending)
	if err != nil {
		return 0, wrap(err)
	}
	if sending > 0 {
		return 0, fmt.Errorf("move message %d: %w: it is in the outbox or drafts", firstSending.Int64, ErrFolderNotAllowed)
	}
	if distinct := countDistinct(ids); found != distinct {
		return 0, wrap(fmt.Errorf("%d of %d messages: %w", distinct-found, distinct, ErrNotFound))
	}
	// A message the user files is filed: rules still pending on it (it is not indexed yet)
	// do not move it again afterwards.
	res, err := tx.ExecContext(ctx, `UPDATE messages SET folder = ?1, folder_id = ?2, trashed_at = NULL, rules_pending = 0
		WHERE id IN (SELECT value FROM json_each(?3))
		AND (folder <> ?1 OR folder_id IS NOT ?2 OR trashed_at IS NOT NULL)`, string(folder), fid, string(js))
	if err != nil {
		return 0, wrap(err)
	}
	n, _ := res.RowsAffected()
	if err := tx.Commit(); err != nil {
		return 0, wrap(err)
	}
	return int(n), nil
}

func countDistinct(ids []int64) int {
	seen := make(map[int64]struct{}, len(ids))
	for _, id := range ids {
		seen[id] = struct{}{}
	}
	return len(seen)
}

// folderCond is the SQL condition (on messages alias m) for messages in folder f, with its
// arguments. An unknown user folder matches nothing; callers that must tell check first.
func folderCond(m string, f Folder) (string, []any) {
	switch {
	case f == FolderInbox:
		return m + `.folder = 'inbox' AND ` + m + `.folder_id IS NULL`, nil
	case f.System():
		return m + `.folder = ?`, []any{string(f)}
	}
	return m + `.folder_id = (SELECT id FROM folders WHERE path_key = ?)`, []any{f.key()}
}

// MarkAllRead marks every message selected by f (its folder, account and Trash; not its limit)
// read, in one transaction, and returns how many changed.
func (s *Store) MarkAllRead(ctx context.Context, f Filter) (int, error) {
	where, args := filterWhere(f)
	res, err := s.db.ExecContext(ctx, `UPDATE messages SET read = 1 WHERE id IN (SELECT m.id FROM messages m WHERE `+
		where+`) AND read = 0`, args...)
	if err != nil {
		return 0, fmt.Errorf("mailstore: mark all read: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
