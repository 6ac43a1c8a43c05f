package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/pouchmail/pouch/app/account"

	"github.com/pouchmail/pouch/mailstore"
	"github.com/pouchmail/pouch/mailstore/mimetext"
)

// The local archive: reading messages, read state, search, Trash, export, import and the
// integrity check. These run on the store only (no server), so they may run while a session
// downloads.

// Messages lists stored messages, newest first; account "" means all.
func (e *Engine) Messages(ctx context.Context, accountName string) ([]mailstore.Message, error) {
	return e.Folder(ctx, accountName, "")
}

// MessageView is a stored message ready to show: headers plus readable text.
type MessageView struct {
	mailstore.Message
	Body *mimetext.Body
}

// Message loads one message and its readable body. A body that cannot be parsed still yields
// the headers and whatever text was recovered: the raw bytes stay the truth.
func (e *Engine) Message(ctx context.Context, id int64) (*MessageView, error) {
	m, err := e.store.Message(ctx, id)
	if err != nil {
		return nil, messageErr(id, err)
	}
	raw, err := e.store.Raw(ctx, id)
	if err != nil {
		return nil, messageErr(id, err)
	}
	body, perr := mimetext.ParseBody(raw)
	if body == nil {
		body = &mimetext.Body{Text: string(raw)}
	}
	if perr != nil && body.Text == "" {
		body.Text = fmt.Sprintf("(this message could not be parsed: %v)", perr)
	}
	return &MessageView{Message: *m, Body: body}, nil
}

// Raw returns a message's bytes exactly as received.
func (e *Engine) Raw(ctx context.Context, id int64) ([]byte, error) {
	raw, err := e.store.Raw(ctx, id)
	if err != nil {
		return nil, messageErr(id, err)
	}
	return raw, nil
}

// SetRead marks messages read or unread; the state is kept in the archive. It returns the ids
// whose state changed, ascending: an Undo sets back those alone, so a message that was read
// already stays read.
func (e *Engine) SetRead(ctx context.Context, ids []int64, read bool) (changed []int64, err error) {
	return e.store.SetRead(ctx, ids, read)
}

// SetFlagged flags or unflags messages (is:flagged finds them); the state is kept in the archive.
// It returns the ids whose state changed, as SetRead does.
func (e *Engine) SetFlagged(ctx context.Context, ids []int64, flagged bool) (changed []int64, err error) {
	return e.store.SetFlagged(ctx, ids, flagged)
}

// UnreadCounts returns unread messages outside the Trash per account ID (0 = removed accounts).
func (e *Engine) UnreadCounts(ctx context.Context) (map[int64]int, error) {
	return e.store.UnreadCounts(ctx)
}

// IndexBacklog drains the full-text index backlog (messages saved but not yet indexed) and
// returns how many messages it indexed. progress, if not nil, gets (indexed, backlog). The
// window and the poller call it after a session; Search calls it first.
func (e *Engine) IndexBacklog(ctx context.Context, progress func(done, total int)) (int, error) {
	return e.catchUp(ctx, progress)
}

// Search returns the messages matching query (syntax: mailstore.Query), newest first, at most
// limit (0 = all). It indexes the backlog first when the query has words, so results are
// complete. A query that cannot be understood gives a *mailstore.QueryError.
func (e *Engine) Search(ctx context.Context, query string, limit int) ([]mailstore.Message, error) {
	q, err := mailstore.ParseQuery(query)
	if err != nil {
		return nil, err
	}
	return e.search(ctx, q, limit)
}

// search runs a parsed query, the account and folder it names checked first.
func (e *Engine) search(ctx context.Context, q mailstore.Query, limit int) ([]mailstore.Message, error) {
	if err := e.prepareQuery(ctx, q); err != nil {
		return nil, err
	}
	return e.store.Search(ctx, q, limit)
}

// SearchIDs is Search for a list of any length: the IDs of the matches in Search's order, 8
// bytes a message; MessagesByID reads the rows of the page on screen. A query of filters
// alone ("in:inbox account:Home") lists a folder.
func (e *Engine) SearchIDs(ctx context.Context, query string, limit int) ([]int64, error) {
	q, err := mailstore.ParseQuery(query)
	if err != nil {
		return nil, err
	}
	if err := e.prepareQuery(ctx, q); err != nil {
		return nil, err
	}
	return e.store.SearchIDs(ctx, q, limit)
}

// MessagesByID returns the messages with these IDs in the order given, leaving out those no
// longer stored.
func (e *Engine) MessagesByID(ctx context.Context, ids []int64) ([]mailstore.Message, error) {
	return e.store.MessagesByID(ctx, ids)
}

// prepareQuery checks the account and folder a query names and, when it has words, brings the
// index up to date (filters alone do not read the index, so listing a folder never waits for
// indexing).
func (e *Engine) prepareQuery(ctx context.Context, q mailstore.Query) error {
	if q.Account != "" {
		if _, err := e.Account(ctx, q.Account); err != nil {
			// The messages kept from a removed account are found under its name too.
			if kept, kerr := e.isRemovedAccount(ctx, q.Account); kerr != nil || !kept {
				return err
			}
		}
	}
	if err := e.checkFolder(ctx, q.Folder); err != nil {
		return err
	}
	if q.Match() != "" {
		if _, err := e.catchUp(ctx, nil); err != nil {
			return fmt.Errorf("search index incomplete: %w", err)
		}
	}
	return nil
}

// TrashMessages moves messages to the Trash (a local delete that can be undone).
func (e *Engine) TrashMessages(ctx context.Context, ids []int64) error {
	return idsErr(ids, e.store.TrashMessages(ctx, ids, e.opts.Now()))
}

// RestoreMessages takes messages out of the Trash.
func (e *Engine) RestoreMessages(ctx context.Context, ids []int64) error {
	return idsErr(ids, e.store.RestoreMessages(ctx, ids))
}

// TrashedMessages lists the Trash, newest first.
func (e *Engine) TrashedMessages(ctx context.Context) ([]mailstore.Message, error) {
	return e.store.Messages(ctx, mailstore.Filter{Trash: true})
}

// RemovedAccounts lists the removed accounts whose messages were kept (RemoveAccount), by name:
// the window shows each as "NAME (removed)", and account:NAME finds their messages.
func (e *Engine) RemovedAccounts(ctx context.Context) ([]mailstore.RemovedAccount, error) {
	return e.store.RemovedAccounts(ctx)
}

func (e *Engine) isRemovedAccount(ctx context.Context, name string) (bool, error) {
	removed, err := e.store.RemovedAccounts(ctx)
	for _, r := range removed {
		if r.Name == name {
			return true, nil
		}
	}
	return false, err
}

// AccountMessages counts the messages an account's removal would keep or delete: every
// folder's, the Trash's included.
func (e *Engine) AccountMessages(ctx context.Context, name string) (int, error) {
	a, err := e.Account(ctx, name)
	if err != nil {
		return 0, err
	}
	return e.store.CountMessages(ctx, a.ID)
}

// TrashCount is how many messages the Trash holds.
func (e *Engine) TrashCount(ctx context.Context) (int, error) {
	return e.store.Count(ctx, mailstore.Filter{Trash: true})
}

// EmptyTrash purges the Trash for good and returns how many messages went. For accounts with
// DeleteOnServer, the purge also queues the server copies' deletion (ledger
// delete_requested_at, in the same transaction); the next session DELEs them.
func (e *Engine) EmptyTrash(ctx context.Context) (int, error) {
	return e.store.EmptyTrash(ctx, e.opts.Now())
}

// ExportOptions selects what Export writes where.
type ExportOptions struct {
	Format  string // "mbox", "eml" or "maildir"
	Out     string // a new mbox file, or a directory for eml and maildir
	Account string // "" = all accounts
	Folder  string // "" = every folder (Trash excluded); else a folder (trash: the Trash)
	Query   string // "" = every message (Trash excluded); else a search query
	// IDs, when set, are exactly the messages written, in this order (the window's selection);
	// Account, Folder and Query are then not used.
	IDs []int64
}

// Export writes messages (oldest first, as mail archives are ordered) in an archive format and
// returns how many it wrote. progress, if not nil, gets (written, total).
func (e *Engine) Export(ctx context.Context, opts ExportOptions, progress func(done, total int)) (int, error) {
	format, err := mailstore.ParseFormat(opts.Format)
	if err != nil {
		return 0, err
	}
	if opts.Out == "" {
		return 0, errors.New("export: no output path")
	}
	if len(opts.IDs) > 0 {
		return e.store.Export(ctx, format, opts.Out, opts.IDs, progress)
	}
	var folder mailstore.Folder
	if opts.Folder != "" {
		if folder, err = mailstore.ParseFolder(opts.Folder); err != nil {
			return 0, err
		}
	}
	var msgs []mailstore.Message
	if opts.Query != "" {
		q, perr := mailstore.ParseQuery(opts.Query)
		if perr != nil {
			return 0, perr
		}
		if opts.Account != "" {
			q.Account = opts.Account
		}
		if folder == mailstore.FolderTrash {
			q.Trash = true
		} else if folder != "" {
			q.Folder = folder
		}
		msgs, err = e.search(ctx, q, 0)
	} else {
		msgs, err = e.Folder(ctx, opts.Account, folder)
	}
	if err != nil {
		return 0, err
	}
	ids := make([]int64, len(msgs))
	for i := range msgs {
		ids[len(msgs)-1-i] = msgs[i].ID
	}
	return e.store.Export(ctx, format, opts.Out, ids, progress)
}

// ImportOptions says what Import reads and where the messages go.
type ImportOptions struct {
	Format string // "mbox", "maildir" or "eml"
	Path   string // an mbox file, a Maildir, or an .eml file or directory of them
	// Account the messages are filed under: an account of the archive, or else a new local
	// account (no server) of that name. "" = LocalAccountName.
	Account string
	// Folder: "" or inbox (the account's inbox), sent, or a user folder's path (created if
	// missing).
	Folder string
}

// LocalAccountName is the local account imports go to when none is named.
const LocalAccountName = "Local"

// ImportResult counts what Import did.
type ImportResult struct {
	mailstore.ImportResult
	CreatedAccount bool // the account was created, as a local account
}

// Import brings messages from an archive into the store, skipping those already stored (same
// raw bytes). Imported messages never cause a deletion on any server. progress, if not nil,
// gets (read, total).
func (e *Engine) Import(ctx context.Context, opts ImportOptions, progress func(done, total int)) (ImportResult, error) {
	var res ImportResult
	format, err := mailstore.ParseFormat(opts.Format)
	if err != nil {
		return res, err
	}
	folder := mailstore.FolderInbox
	if opts.Folder != "" {
		if folder, err = mailstore.ParseFolder(opts.Folder); err != nil {
			return res, err
		}
	}
	name := opts.Account
	if strings.TrimSpace(name) == "" {
		name = LocalAccountName
	}
	a, err := e.store.AccountByName(ctx, name)
	if errors.Is(err, mailstore.ErrNotFound) {
		a, err = e.addLocalAccount(ctx, name)
		res.CreatedAccount = err == nil
	}
	if err != nil {
		return res, err
	}
	res.ImportResult, err = e.store.ImportInto(ctx, a.ID, folder, format, opts.Path, e.opts.Now(), progress)
	return res, err
}

// addLocalAccount creates an account with no server, for imported mail.
func (e *Engine) addLocalAccount(ctx context.Context, name string) (*mailstore.Account, error) {
	a := &mailstore.Account{Name: name, Local: true, Security: mailstore.SecurityNone, KeepForever: true}
	if err := account.Validate(a); err != nil {
		return nil, err
	}
	if err := e.store.CreateAccount(ctx, a); err != nil {
		return nil, err
	}
	return a, nil
}

// Check verifies the archive (hashes, parsed headers, full-text index, ledger) and with
// repair fixes what can be fixed without touching raw messages.
func (e *Engine) Check(ctx context.Context, repair bool) (*mailstore.CheckReport, error) {
	return e.store.Check(ctx, repair)
}
