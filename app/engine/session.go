package engine

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pouchmail/pouch/mailstore"
	"github.com/pouchmail/pouch/pop3"
)

// Phase names the step a session is in, for progress displays.
type Phase string

const (
	PhaseConnect  Phase = "connecting"
	PhaseLogin    Phase = "logging in"
	PhaseList     Phase = "listing"
	PhaseDownload Phase = "downloading"
	PhaseDelete   Phase = "deleting on server"
	PhaseDone     Phase = "done"
)

// Progress is reported while a session runs.
type Progress struct {
	Account string
	Phase   Phase
	N       int   // messages stored so far in this session
	Total   int   // new messages to download in this session
	Bytes   int64 // bytes stored so far in this session
}

// Result is the outcome of one session for one account.
type Result struct {
	Account    string
	New        int           // messages stored by this session
	Bytes      int64         // their total size
	Partial    int           // of New, stored as headers only (size limit)
	OnServer   int           // messages the server listed
	Deleted    int           // messages deleted from the server (QUIT confirmed)
	Pruned     int           // ledger rows forgotten for messages gone from the server
	Changed    int           // listed UIDLs that now name other bytes than were downloaded: stored as new messages
	Skipped    []Skipped     // messages that could not be downloaded; they stay on the server
	Duration   time.Duration // wall time of the session
	LoginDelay time.Duration // the server's LOGIN-DELAY; 0 if none
	// Unsearchable is how many stored messages (of any account) were not yet in the search
	// index when the session ended; the poller and Search catch them up.
	Unsearchable int
	Warning      string // e.g. leave-days exceeds the server's EXPIRE; "" if none
	Err          error  // nil on success
}

// Skipped is a message a session could not download (refused by the server, too large, …).
// It stays on the server, and the next session tries it again.
type Skipped struct {
	UIDL   string
	Reason string
}

// maxMessageSize bounds one download; larger replies are refused.
const maxMessageSize = 1 << 30

// Checkpoints named by Options.Checkpoint, in session order.
const (
	CheckpointRetr     = "retr"      // a message is downloaded, not yet committed
	CheckpointCommit   = "commit"    // a message and its ledger row were just committed
	CheckpointDurable  = "durable"   // everything committed so far is durable (Store.Sync)
	CheckpointDele     = "dele"      // DELE commands were accepted, QUIT not yet sent
	CheckpointQuitDone = "quit-done" // QUIT answered +OK, deleted_at not yet recorded
)

// reporter adds the account's name to each Progress for progress, which may be nil.
func reporter(account string, progress func(Progress)) func(Progress) {
	return func(p Progress) {
		if progress != nil {
			p.Account = account
			progress(p)
		}
	}
}

func (e *Engine) checkpoint(name string) {
	if e.opts.Checkpoint != nil {
		e.opts.Checkpoint(name)
	}
}

// maxSessions bounds how many accounts FetchAll checks at once: each session is mostly waiting
// on its server, so checking every account takes about as long as the slowest one, while the
// connections, spools and batches in memory stay bounded.
const maxSessions = 8

// FetchAll runs one session per account (or only the named one), up to maxSessions at once, and
// returns a result for each, in the order of the accounts. An account's failure does not stop
// the others. progress is called by one session at a time.
func (e *Engine) FetchAll(ctx context.Context, name string, progress func(Progress)) ([]Result, error) {
	accts, err := e.selectAccounts(ctx, name)
	if err != nil {
		return nil, err
	}
	if name == "" {
		// Local accounts have no server: nothing to fetch (named, one is an error).
		accts = slices.DeleteFunc(accts, func(a mailstore.Account) bool { return a.Local })
	}
	if progress != nil {
		var mu sync.Mutex
		report := progress
		progress = func(p Progress) { mu.Lock(); defer mu.Unlock(); report(p) }
	}
	results := make([]Result, len(accts))
	// One indexer beside every session, rather than one per session competing for the CPU.
	ix := e.startIndexer(ctx)
	slots := make(chan struct{}, maxSessions)
	var wg sync.WaitGroup
	for i := range accts {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
		}
		if err := ctx.Err(); err != nil {
			// Stopped (a signal, say): the accounts not started are not tried.
			results[i] = Result{Account: accts[i].Name, Err: &FetchError{Account: accts[i].Name, Err: err}}
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			results[i] = e.fetch(ctx, &accts[i], progress)
		}()
	}
	wg.Wait()
	e.stopIndexer(ctx, ix, results)
	return results, nil
}

// Fetch runs one POP3 session for a under the account's session lock: it downloads every
// message whose UIDL the ledger has not stored, commits each with its ledger row in one
// transaction, then deletes what the retention setting says is due, and only then QUITs.
func (e *Engine) Fetch(ctx context.Context, a *mailstore.Account, progress func(Progress)) Result {
	ix := e.startIndexer(ctx)
	res := []Result{e.fetch(ctx, a, progress)}
	e.stopIndexer(ctx, ix, res)
	return res[0]
}

// stopIndexer stops the indexer that ran beside the sessions of results, without waiting for
// the backlog (index.go), and tells each result what is left unsearchable.
func (e *Engine) stopIndexer(ctx context.Context, ix *indexer, results []Result) {
	ierr := ix.finish()
	n, uerr := e.Unsearchable(ctx)
	for i := range results {
		r := &results[i]
		if ierr != nil && r.Err == nil && ctx.Err() == nil {
			r.Warning = joinWarnings(r.Warning, fmt.Sprintf("the search index is not up to date: %v", ierr))
		}
		if uerr == nil {
			r.Unsearchable = n
		}
	}
}

// fetch is Fetch without the indexer.
func (e *Engine) fetch(ctx context.Context, a *mailstore.Account, progress func(Progress)) Result {
	start := time.Now()
	res := Result{Account: a.Name}
	if a.Local {
		res.Err = &FetchError{Account: a.Name, Err: &LocalAccountError{Account: a.Name}}
		return res
	}
	report := reporter(a.Name, progress)
	err := e.session(ctx, a, &res, report)
	// Said whether or not the session finished: a message that broke it (trickled in too
	// slowly, say) is named here, and stays on the server.
	res.Warning = joinWarnings(res.Warning, sessionWarning(&res))
	// Batches commit without an fsync of their own; the session ends durable, whether it
	// finished or not (a DELE has had its own barrier already).
	if serr := e.sync(ctx); serr != nil && err == nil {
		res.Warning = joinWarnings(res.Warning, fmt.Sprintf("the new messages are stored but may not survive a power loss: %v", serr))
	}
	res.Duration = time.Since(start)
	if err != nil {
		res.Err = &FetchError{Account: a.Name, Err: err}
	}
	report(Progress{Phase: PhaseDone, N: res.New, Total: res.New, Bytes: res.Bytes})
	return res
}

// session runs the steps in order: login (connect.go), CAPA again, UIDL, the diff with the
// ledger (diff.go) and first-seen, re-reading the server's copies that may be deleted
// (checkServerCopies), the download into the committer (download, committer.go), what is due
// (dueForDeletion, retention.go), then DELE and QUIT (deleteAndQuit).
func (e *Engine) session(ctx context.Context, a *mailstore.Account, res *Result, report func(Progress)) error {
	c, release, err := e.login(ctx, a, report)
	if err != nil {
		return err
	}
	defer release()
	// After login the server's EXPIRE and LOGIN-DELAY are final for this user (RFC 2449).
	caps, err := c.Capabilities(ctx)
	if err != nil {
		return err
	}
	sp := e.newSpool(a.ID)
	sp.cleanStale()
	defer sp.reset()
	res.LoginDelay = caps.LoginDelay
	res.Warning = expireWarning(a, caps)

	report(Progress{Phase: PhaseList})
	uidls, err := c.UIDLAll(ctx)
	var dup *pop3.DuplicateUIDLError
	if errors.As(err, &dup) {
		// Messages sharing a UIDL cannot be told apart across sessions: they are neither
		// downloaded nor deleted, and the rest of the mailbox goes on.
		for _, u := range dup.Messages {
			res.Skipped = append(res.Skipped, Skipped{UIDL: u.UID, Reason: "the server lists several messages under this UIDL"})
		}
		err = nil
	}
	if err != nil {
		var perr *pop3.Error
		if errors.As(err, &perr) && !caps.UIDL && perr.Code == "" {
			return e.sessionWithoutUIDL(ctx, a, c, sp, res, report)
		}
		return err
	}
	res.OnServer = len(uidls)
	ids := make([]string, len(uidls))
	for i, u := range uidls {
		ids[i] = u.UID
	}
	// The diff merges the sorted listing with the ledger streamed in order (diff.go), and only
	// UIDLs new to the ledger are written.
	todo, unseen, known, err := e.diff(ctx, a.ID, uidls)
	if err != nil {
		return &NotDeletedError{Err: err}
	}
	// First-seen is recorded before any download, so it reflects when the server first showed
	// the message, and it never moves on later sessions.
	if len(unseen) > 0 {
		if err := e.store.MarkSeen(ctx, a.ID, unseen, e.opts.Now()); err != nil {
			return &NotDeletedError{Err: err}
		}
	}
	// Every listed UIDL is now in the ledger; when the ledger holds nothing else, there is
	// nothing to prune after the session.
	prune := known+len(unseen) != len(uidls)
	sizeLimit := a.SizeLimit
	if !caps.Top {
		sizeLimit = 0 // headers only needs TOP
	}
	fetch := func(todo []pop3.UIDL) (map[string]bool, error) {
		if len(todo) == 0 {
			return nil, nil
		}
		// Messages that failed before go last, so that one bad message never holds up the rest;
		// one that failed again and again is tried once a day (it may break the connection,
		// and with it the deletions of every session).
		failed, err := e.store.Failures(ctx, a.ID)
		if err != nil {
			return nil, err
		}
		todo = slices.DeleteFunc(todo, func(u pop3.UIDL) bool {
			if f, ok := failed[u.UID]; ok && resting(f, e.opts.Now()) {
				res.Skipped = append(res.Skipped, Skipped{UIDL: u.UID, Reason: restingReason(f)})
				return true
			}
			return false
		})
		slices.SortStableFunc(todo, func(x, y pop3.UIDL) int {
			_, fx := failed[x.UID]
			_, fy := failed[y.UID]
			return cmpBool(fx, fy)
		})
		retry := 0 // how many of todo, at its end, failed before
		for _, u := range todo {
			if _, ok := failed[u.UID]; ok {
				retry++
			}
		}
		// Sizes (LIST) tell which messages to fetch as headers only and, once a download has
		// failed, which are too large to fetch at all.
		var sizes map[int]int64
		if (a.SizeLimit > 0 && caps.Top) || len(failed) > 0 {
			list, err := c.ListAll(ctx)
			if err != nil {
				return nil, err
			}
			sizes = make(map[int]int64, len(list))
			for _, m := range list {
				sizes[m.ID] = m.Size
			}
		}
		return e.download(ctx, a, c, sp, todo, retry, sizes, sizeLimit, res, report)
	}
	// New mail first: nothing the checks below run into can hold it up.
	onServer, err := fetch(todo)
	if err != nil {
		return &NotDeletedError{Err: err}
	}
	if onServer == nil {
		onServer = map[string]bool{}
	}
	// Messages that may be deleted in this session and were downloaded before are compared with
	// the server's copy: a UIDL that now names other bytes is downloaded again, as a new message.
	// The ledger rows that may be due are read once; only a second download changes them.
	ledger, err := e.deletable(ctx, a, e.opts.Now())
	if err != nil {
		return &NotDeletedError{Err: err}
	}
	verified, recheck, err := e.checkServerCopies(ctx, a, c, uidls, ledger, onServer, res)
	if err != nil {
		return &NotDeletedError{Err: err}
	}
	for u := range verified {
		onServer[u] = true
	}
	if len(recheck) > 0 {
		res.Changed = len(recheck)
		fresh, err := fetch(recheck)
		if err != nil {
			return &NotDeletedError{Err: err}
		}
		for u := range fresh {
			onServer[u] = true
		}
		if ledger, err = e.deletable(ctx, a, e.opts.Now()); err != nil {
			return &NotDeletedError{Err: err}
		}
	}
	ra, err := e.currentRetention(ctx, a)
	if err != nil {
		return &NotDeletedError{Err: err}
	}
	dele, err := e.dueForDeletion(ctx, ra, uidls, ledger, onServer)
	if err != nil {
		return &NotDeletedError{Err: err}
	}
	if !prune {
		ids = nil
	}
	// Messages this session read (downloaded, or read again to compare) may be deleted by QUIT.
	retrieved := len(todo) > 0 || len(verified) > 0 || len(recheck) > 0
	return e.deleteAndQuit(ctx, a, c, dele, ids, !prune, retrieved, res, report)
}

// download RETRs (or TOPs, over the size limit) every message in todo and stores each, in
// batches committed on another goroutine (committer.go). It returns once every downloaded
// message is committed, with the UIDLs whose bytes this session downloaded and committed (so
// they are known to equal the local copy), or with the first error. A message that cannot be
// downloaded is skipped and recorded (res.Skipped), so that it cannot hold up the others; the
// last retry messages of todo failed before, and are downloaded after all the others.
func (e *Engine) download(ctx context.Context, a *mailstore.Account, c *pop3.Client, sp *spool, todo []pop3.UIDL, retry int, sizes map[int]int64, sizeLimit int64, res *Result, report func(Progress)) (map[string]bool, error) {
	report(Progress{Phase: PhaseDownload, Total: len(todo)})
	if len(todo) == 0 {
		return nil, nil
	}
	cm := e.newCommitter(ctx, a.ID, sp, false, len(todo), report)
	skippedBefore := len(res.Skipped)
	// Headers-only messages (TOP) go before the full ones (one pipelined batch), but the
	// messages that failed before go after all the others, whichever way they are read.
	var err error
	for _, group := range [][]pop3.UIDL{todo[:len(todo)-retry], todo[len(todo)-retry:]} {
		if err = e.downloadInto(ctx, c, cm, group, sizes, sizeLimit, res); err != nil {
			break
		}
	}
	if ferr := cm.finish(); ferr != nil && err == nil {
		err = ferr
	}
	res.New += cm.newMsgs
	res.Bytes += cm.bytes
	res.Partial += cm.partial
	for _, sk := range res.Skipped[skippedBefore:] {
		if rerr := e.store.RecordFailure(ctx, a.ID, sk.UIDL, sk.Reason, e.opts.Now()); rerr != nil && err == nil {
			err = rerr
		}
	}
	if err != nil {
		return nil, err
	}
	fresh := make(map[string]bool, len(cm.stored))
	for _, st := range cm.stored {
		if !st.partial {
			fresh[st.uidl] = true
		}
	}
	return fresh, nil
}

func (e *Engine) downloadInto(ctx context.Context, c *pop3.Client, cm *committer, todo []pop3.UIDL, sizes map[int]int64, sizeLimit int64, res *Result) error {
	byID := make(map[int]string, len(todo))
	skip := func(id int, reason string) {
		res.Skipped = append(res.Skipped, Skipped{UIDL: byID[id], Reason: reason})
	}
	var full []int
	for _, u := range todo {
		byID[u.ID] = u.UID
		if sizes[u.ID] > maxMessageSize {
			// Refused before it is read: a message this size could not be stored.
			skip(u.ID, (&tooLargeError{limit: maxMessageSize}).Error())
			continue
		}
		if sizeLimit > 0 && sizes[u.ID] > sizeLimit {
			// Headers only: TOP n 0. The full message can follow with FetchFull.
			err := c.Top(ctx, u.ID, 0, func(r io.Reader) error {
				return cm.add(r, u.ID, u.UID, true)
			})
			if reason, ok := skippable(err); ok {
				skip(u.ID, reason)
				continue
			}
			if err != nil {
				// The connection failed on this message (dropped, or trickled in too slowly):
				// noted, as retrSkipping does, so that the next session tries it last.
				if ctx.Err() == nil {
					skip(u.ID, oneLine(err))
				}
				return fmt.Errorf("downloading the headers of message %d (UIDL %s): %w", u.ID, u.UID, err)
			}
			continue
		}
		full = append(full, u.ID)
	}
	err := retrSkipping(ctx, c, full, func(id int, r io.Reader) error {
		return cm.add(r, id, byID[id], false)
	}, skip)
	if err != nil {
		return fmt.Errorf("downloading: %w", err)
	}
	return nil
}

// checkServerCopies reads again (RETR, pipelined) and hashes each listed message that was
// downloaded in an earlier session and may be deleted in this one (fresh: downloaded in this
// one): neither a UIDL nor a size proves that the server still holds the bytes stored here
// (servers reuse UIDLs after a rebuild, and a message can change under its UIDL, size and
// all). Those holding the bytes the ledger recorded are returned in onServer; those holding
// others in recheck, to be downloaded as new messages. A message whose bytes the ledger does
// not know, or that could not be read again in three sessions, is in neither: it stays on the
// server. Each message is read this way once in its life, when it falls due.
func (e *Engine) checkServerCopies(ctx context.Context, a *mailstore.Account, c *pop3.Client, uidls []pop3.UIDL, ledger map[string]mailstore.LedgerEntry, fresh map[string]bool, res *Result) (onServer map[string]bool, recheck []pop3.UIDL, err error) {
	onServer = map[string]bool{}
	now := e.opts.Now()
	var ids []int
	byID := map[int]pop3.UIDL{}
	for _, u := range uidls {
		le, ok := ledger[u.UID]
		if !ok || fresh[u.UID] || le.SHA256 == "" || deleteReason(a, le, now) == "" {
			continue
		}
		if resting(le, now) {
			res.Skipped = append(res.Skipped, Skipped{UIDL: u.UID, Reason: restingReason(le)})
			continue
		}
		ids = append(ids, u.ID)
		byID[u.ID] = u
	}
	if len(ids) == 0 {
		return onServer, nil, nil
	}
	h := sha256.New()
	var unread []skippedMsg
	err = retrSkipping(ctx, c, ids, func(id int, r io.Reader) error {
		h.Reset()
		if n, err := io.Copy(h, io.LimitReader(r, maxMessageSize+1)); err != nil {
			return err
		} else if n > maxMessageSize {
			return &tooLargeError{limit: maxMessageSize}
		}
		u := byID[id]
		if hex.EncodeToString(h.Sum(nil)) == ledger[u.UID].SHA256 {
			onServer[u.UID] = true
		} else {
			recheck = append(recheck, u)
		}
		return nil
	}, func(id int, reason string) { unread = append(unread, skippedMsg{id, reason}) })
	for _, sk := range unread {
		u := byID[sk.id]
		reason := "could not be read again to check it before deleting: " + sk.reason
		res.Skipped = append(res.Skipped, Skipped{UIDL: u.UID, Reason: reason})
		if rerr := e.store.RecordFailure(ctx, a.ID, u.UID, reason, e.opts.Now()); rerr != nil && err == nil {
			err = rerr
		}
	}
	if err != nil {
		return nil, nil, fmt.Errorf("comparing the server's copies with the local ones: %w", err)
	}
	return onServer, recheck, nil
}

// After retryFailures failed sessions, a message is tried again only once per retryEvery: it
// stays on the server meanwhile (retention says why), and the sessions in between, their
// deletions included, are not spoiled by it.
const (
	retryFailures = 3
	retryEvery    = 24 * time.Hour
)

func resting(le mailstore.LedgerEntry, now time.Time) bool {
	return le.Failures >= retryFailures && now.Sub(le.FailedAt) < retryEvery
}

func restingReason(le mailstore.LedgerEntry) string {
	return fmt.Sprintf("failed %d times (last: %s); tried again once a day", le.Failures, le.Failure)
}

func cmpBool(x, y bool) int {
	switch {
	case x == y:
		return 0
	case x:
		return 1
	}
	return -1
}

// sessionWarning says what a user should know of a session besides its error, if any.
func sessionWarning(res *Result) string {
	var w []string
	if res.Changed > 0 {
		w = append(w, fmt.Sprintf("%d message(s) on the server changed under a known UIDL and were stored as new messages", res.Changed))
	}
	if n := len(res.Skipped); n > 0 {
		w = append(w, fmt.Sprintf("%d message(s) could not be downloaded and stay on the server (first: %s: %s)", n, res.Skipped[0].UIDL, res.Skipped[0].Reason))
	}
	return strings.Join(w, "; ")
}

func joinWarnings(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}

// deleteAndQuit DELEs dele, QUITs, and only after QUIT's +OK records the deletions and prunes
// the ledger of UIDLs gone from the server (listed is this session's complete UIDL listing;
// skipPrune says the ledger holds nothing but listed UIDLs). retrieved says the session read
// messages (RETR or TOP).
func (e *Engine) deleteAndQuit(ctx context.Context, a *mailstore.Account, c *pop3.Client, dele []pop3.UIDL, listed []string, skipPrune, retrieved bool, res *Result, report func(Progress)) error {
	if len(dele) > 0 {
		report(Progress{Phase: PhaseDelete, N: res.New, Total: res.New, Bytes: res.Bytes})
	}
	// The durability barrier: no DELE, and no QUIT after reading messages, before every local
	// copy is on disk. QUIT is a deletion too: it commits the DELEs, and a server that expires
	// retrieved mail (EXPIRE 0, "delete after download") removes at QUIT what was retrieved.
	// Without the barrier the connection closes without QUIT, so the server deletes nothing.
	if len(dele) > 0 || retrieved {
		if err := e.sync(ctx); err != nil {
			return &NotDeletedError{Err: err}
		}
	}
	if len(dele) > 0 {
		ids := make([]int, len(dele))
		for i, u := range dele {
			ids[i] = u.ID
		}
		if err := c.DeleMany(ctx, ids); err != nil {
			// Close (not QUIT) follows: the server deletes nothing.
			return &NotDeletedError{Err: err}
		}
		e.checkpoint(CheckpointDele)
	}
	if err := c.Quit(ctx); err != nil {
		if len(dele) > 0 {
			return fmt.Errorf("the server did not confirm QUIT, so the %d deletion(s) may not have happened (they are retried next time): %w", len(dele), err)
		}
		return err
	}
	e.checkpoint(CheckpointQuitDone)
	if len(dele) > 0 {
		deleted := make([]string, len(dele))
		for i, u := range dele {
			deleted[i] = u.UID
		}
		if err := e.store.MarkDeleted(ctx, a.ID, deleted, e.opts.Now()); err != nil {
			return err
		}
	}
	res.Deleted = len(dele)
	if skipPrune {
		return nil
	}
	// Rows just marked deleted were listed, so they stay until a session no longer sees them.
	n, err := e.store.PruneLedger(ctx, a.ID, listed)
	res.Pruned = n
	return err
}

// currentRetention is a with the retention it has now: the window saves an edit of it without
// waiting for a running session (only a change of mailbox waits for the session lock), and
// what is deleted follows the settings as they are when it is decided.
func (e *Engine) currentRetention(ctx context.Context, a *mailstore.Account) (*mailstore.Account, error) {
	cur, err := e.store.Account(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	r := *a
	r.KeepForever, r.LeaveDays = cur.KeepForever, cur.LeaveDays
	return &r, nil
}

// sync makes everything committed so far durable (the batches commit without an fsync).
func (e *Engine) sync(ctx context.Context) error {
	if err := e.store.Sync(ctx); err != nil {
		return err
	}
	e.checkpoint(CheckpointDurable)
	return nil
}

// sessionWithoutUIDL serves a server without UIDL: possible only with leave-days 0, by
// message number within this one session. Each message is stored under the SHA-256 of its
// bytes, so a session cut short before QUIT does not store it twice the next time.
func (e *Engine) sessionWithoutUIDL(ctx context.Context, a *mailstore.Account, c *pop3.Client, sp *spool, res *Result, report func(Progress)) error {
	if a.KeepForever || a.LeaveDays > 0 {
		return &NoUIDLError{Account: a.Name}
	}
	list, err := c.ListAll(ctx)
	if err != nil {
		return err
	}
	res.OnServer = len(list)
	report(Progress{Phase: PhaseDownload, Total: len(list)})
	ids := make([]int, len(list))
	for i, m := range list {
		ids[i] = m.ID
	}
	cm := e.newCommitter(ctx, a.ID, sp, true, len(list), report)
	// A message the server refuses is left there (and said so); the others go on.
	err = retrSkipping(ctx, c, ids, func(id int, r io.Reader) error {
		return cm.add(r, id, "", false)
	}, func(id int, reason string) {
		res.Skipped = append(res.Skipped, Skipped{UIDL: "message " + strconv.Itoa(id), Reason: reason})
	})
	if ferr := cm.finish(); ferr != nil && err == nil {
		err = ferr
	}
	res.New, res.Bytes = cm.newMsgs, cm.bytes
	if err != nil {
		return &NotDeletedError{Err: err}
	}
	// Only messages whose batch committed are deleted, each after re-reading its stored copy,
	// and only while the account still says to delete after download.
	ra, err := e.currentRetention(ctx, a)
	if err != nil {
		return &NotDeletedError{Err: err}
	}
	var dele []pop3.UIDL
	for _, st := range cm.stored {
		if ra.KeepForever || ra.LeaveDays > 0 {
			break
		}
		if err := e.store.VerifyMessage(ctx, st.messageID); err != nil {
			return &NotDeletedError{Err: fmt.Errorf("checking the local copy of message %d: %w", st.id, err)}
		}
		dele = append(dele, pop3.UIDL{ID: st.id, UID: st.uidl})
	}
	return e.deleteAndQuit(ctx, a, c, dele, nil, false, len(list) > 0, res, report)
}

// expireWarning compares the account's retention with the server's EXPIRE policy.
func expireWarning(a *mailstore.Account, caps *pop3.Capabilities) string {
	ex := caps.Expire
	if ex == nil || ex.Never {
		return ""
	}
	switch {
	case a.KeepForever:
		return fmt.Sprintf("the server deletes retrieved messages after %d day(s) (EXPIRE), although this account keeps them forever", ex.Days)
	case a.LeaveDays > ex.Days:
		return fmt.Sprintf("leave on server for %d day(s) exceeds the server's limit of %d day(s) (EXPIRE): it may delete them sooner", a.LeaveDays, ex.Days)
	}
	return ""
}

// skippedMsg is a message a retrSkipping gave up on.
type skippedMsg struct {
	id     int
	reason string
}

// oneLine is an error's text on one line, for the ledger and the status line.
func oneLine(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }

// skippable says whether err concerns one message only, so that the session can go on
// without it: the server refused that message (a -ERR without a response code that speaks
// for the whole session), or it is too large to store.
func skippable(err error) (reason string, ok bool) {
	var tl *tooLargeError
	if errors.As(err, &tl) {
		return tl.Error(), true
	}
	var perr *pop3.Error
	if errors.As(err, &perr) && perr.Action() == pop3.ActionNone {
		return "the server refused it: " + perr.Text, true
	}
	return "", false
}

// retrSkipping is RetrMany that goes past messages failing on their own (skippable): each is
// passed to skip and the rest are downloaded, so one bad message cannot block an account
// forever.
func retrSkipping(ctx context.Context, c *pop3.Client, ids []int, fn func(id int, r io.Reader) error, skip func(id int, reason string)) error {
	for len(ids) > 0 {
		next := 0 // ids[next] is the message being read
		failed := -1
		err := c.RetrMany(ctx, ids, func(id int, r io.Reader) error {
			for next < len(ids) && ids[next] != id {
				next++
			}
			if err := fn(id, r); err != nil {
				failed = next
				return err
			}
			next++
			return nil
		})
		if err == nil {
			return nil
		}
		reason, ok := skippable(err)
		if !ok {
			// The connection failed (or the server broke the protocol) while a message was
			// being read: it is noted, so that the next session tries it last.
			if next < len(ids) && ctx.Err() == nil {
				skip(ids[next], oneLine(err))
			}
			return err
		}
		at := next // a refusal: the message after the last one delivered
		if failed >= 0 {
			at = failed
		}
		if at >= len(ids) {
			return err
		}
		skip(ids[at], reason)
		if c.Closed() {
			// Given up on while reading the rest (pop3's drain bound): recorded, so the next
			// session tries it last.
			return err
		}
		ids = ids[at+1:]
	}
	return nil
}

// FetchFull downloads the whole of a message stored as headers only (the account's size
// limit) and replaces the partial copy, keeping its id. A message that is already complete is
// returned as is.
func (e *Engine) FetchFull(ctx context.Context, id int64, progress func(Progress)) (*mailstore.Message, error) {
	m, err := e.store.Message(ctx, id)
	if err != nil {
		return nil, messageErr(id, err)
	}
	if !m.Partial {
		return m, nil
	}
	if m.AccountID == 0 {
		return nil, fmt.Errorf("message %d: its account %q was removed, so the full message cannot be fetched", id, m.Account)
	}
	a, err := e.store.Account(ctx, m.AccountID)
	if err != nil {
		return nil, fmt.Errorf("message %d: %w", id, err)
	}
	report := reporter(a.Name, progress)
	c, release, err := e.login(ctx, a, report)
	if err != nil {
		return nil, &FetchError{Account: a.Name, Err: err}
	}
	defer release()
	full, err := e.fetchFull(ctx, c, a, m, report)
	// FetchFull marks nothing for deletion, so every session, failed or not, ends with QUIT:
	// the server frees the mailbox before it answers, where after a dropped connection it does
	// so whenever it notices, and a FetchFull right after a refused one found the mailbox in use.
	qerr := c.Quit(ctx)
	if err != nil {
		return nil, err
	}
	if qerr != nil {
		return full, &FetchError{Account: a.Name, Err: qerr}
	}
	return full, nil
}

// fetchFull is FetchFull's session after login: the message's number, its download, the check
// that it is the message whose headers are stored, and the replacement.
func (e *Engine) fetchFull(ctx context.Context, c *pop3.Client, a *mailstore.Account, m *mailstore.Message, report func(Progress)) (*mailstore.Message, error) {
	id := m.ID
	report(Progress{Phase: PhaseList})
	uidls, err := c.UIDLAll(ctx)
	if err != nil {
		return nil, &FetchError{Account: a.Name, Err: err}
	}
	num := 0
	for _, u := range uidls {
		if u.UID == m.UIDL {
			num = u.ID
		}
	}
	if num == 0 {
		return nil, &FetchError{Account: a.Name, Err: errors.New("the message is no longer on the server; only its headers are stored")}
	}
	report(Progress{Phase: PhaseDownload, Total: 1})
	sp := e.newSpool(a.ID)
	defer sp.reset()
	head, err := e.store.Raw(ctx, id)
	if err != nil {
		return nil, err
	}
	var full *mailstore.Message
	err = c.Retr(ctx, num, func(r io.Reader) error {
		if err := sp.fill(r, maxMessageSize); err != nil {
			return err
		}
		// The headers stored are those of the message the UIDL named then; a server that
		// reused the UIDL since would have them replaced by another message's.
		if got := sp.mem.Bytes(); len(head) <= len(got) && !bytes.Equal(got[:len(head)], head) {
			return &ChangedError{UIDL: m.UIDL}
		}
		full, err = e.store.ReplaceMessageFrom(ctx, id, sp.reader())
		return err
	})
	if err != nil {
		return nil, &FetchError{Account: a.Name, Err: err}
	}
	report(Progress{Phase: PhaseDone, N: 1, Total: 1, Bytes: full.Size})
	return full, nil
}
