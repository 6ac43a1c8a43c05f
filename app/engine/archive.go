package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/pouchmail/pouch/mailstore"
	"github.com/pouchmail/pouch/mailstore/mimetext"
)

// The local archive: reading messages, read state, search, Trash, export, import and the
// integrity check. These run on the store only (no server), so they may run while a session
// downloads.

// Messages lists stored messages, newest first; account "" means all.
func (e *Engine) Messages(ctx context.Context, accountName string) ([]mailstore.Message, error) {
	var f mailstore.Filter
	if accountName != "" {
		a, err := e.Account(ctx, accountName)
		if err != nil {
			return nil, err
		}
		f.AccountID = a.ID
	}
	return e.store.Messages(ctx, f)
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

// SetRead marks messages read or unread; the state is kept in the archive.
func (e *Engine) SetRead(ctx context.Context, ids []int64, read bool) error {
	return e.store.SetRead(ctx, ids, read)
}

// UnreadCounts returns unread messages outside the Trash per account ID (0 = removed accounts).
func (e *Engine) UnreadCounts(ctx context.Context) (map[int64]int, error) {
	return e.store.UnreadCounts(ctx)
}

// IndexBacklog drains the full-text index backlog (messages saved but not yet indexed) and
// returns how many messages it indexed. progress, if not nil, gets (indexed, backlog). The
// window and the poller call it after a session; Search calls it first.
func (e *Engine) IndexBacklog(ctx context.Context, progress func(done, total int)) (int, error) {
	return e.store.IndexAll(ctx, progress)
}

// Search returns the messages matching query (syntax: mailstore.Query), newest first, at most
// limit (0 = all). It indexes the backlog first when the query has words, so results are
// complete. A query that cannot be understood gives a *mailstore.QueryError.
func (e *Engine) Search(ctx context.Context, query string, limit int) ([]mailstore.Message, error) {
	q, err := e.parseQuery(ctx, query)
	if err != nil {
		return nil, err
	}
	return e.store.Search(ctx, q, limit)
}

// SearchIDs is Search for a list of any length: the IDs of the matches in Search's order, 8
// bytes a message; MessagesByID reads the rows of the page on screen. A query of filters
// alone ("in:inbox account:Home") lists a folder.
func (e *Engine) SearchIDs(ctx context.Context, query string, limit int) ([]int64, error) {
	q, err := e.parseQuery(ctx, query)
	if err != nil {
		return nil, err
	}
	return e.store.SearchIDs(ctx, q, limit)
}

// MessagesByID returns the messages with these IDs in the order given, leaving out those no
// longer stored.
func (e *Engine) MessagesByID(ctx context.Context, ids []int64) ([]mailstore.Message, error) {
	return e.store.MessagesByID(ctx, ids)
}

// parseQuery parses a search and drains the index backlog when the search has words (filters
// alone do not read the index, so listing a folder never waits for indexing).
func (e *Engine) parseQuery(ctx context.Context, query string) (mailstore.Query, error) {
	q, err := mailstore.ParseQuery(query)
	if err != nil {
		return q, err
	}
	if q.Account != "" {
		if _, err := e.Account(ctx, q.Account); err != nil {
			return q, err
		}
	}
	if q.Match() != "" {
		if _, err := e.store.IndexAll(ctx, nil); err != nil {
			return q, fmt.Errorf("search index incomplete: %w", err)
		}
	}
	return q, nil
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
	Query   string // "" = every message (Trash excluded); else a search query
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
	var msgs []mailstore.Message
	if opts.Query != "" {
		q := opts.Query
		if opts.Account != "" {
			// Quoted: an account name may hold spaces.
			q += ` account:"` + opts.Account + `"`
		}
		msgs, err = e.Search(ctx, q, 0)
	} else {
		msgs, err = e.Messages(ctx, opts.Account)
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
	Format  string // "mbox", "maildir" or "eml"
	Path    string // an mbox file, a Maildir, or an .eml file or directory of them
	Account string // an existing account the messages are filed under (required)
}

// ImportResult counts what Import did.
type ImportResult = mailstore.ImportResult

// Import brings messages from an archive into the store, skipping those already stored (same
// raw bytes). Imported messages never cause a deletion on any server. progress, if not nil,
// gets (read, total).
func (e *Engine) Import(ctx context.Context, opts ImportOptions, progress func(done, total int)) (ImportResult, error) {
	format, err := mailstore.ParseFormat(opts.Format)
	if err != nil {
		return ImportResult{}, err
	}
	if opts.Account == "" {
		return ImportResult{}, errors.New("import: an account is required")
	}
	a, err := e.Account(ctx, opts.Account)
	if err != nil {
		return ImportResult{}, err
	}
	return e.store.Import(ctx, a.ID, format, opts.Path, e.opts.Now(), progress)
}

// Check verifies the archive (hashes, parsed headers, full-text index, ledger) and with
// repair fixes what can be fixed without touching raw messages.
func (e *Engine) Check(ctx context.Context, repair bool) (*mailstore.CheckReport, error) {
	return e.store.Check(ctx, repair)
}
