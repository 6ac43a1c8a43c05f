package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"slices"
	"time"

	"github.com/pouchmail/pouch/mailstore"
)

// A session downloads on one goroutine and commits on another. Messages are read into a batch
// (small ones into the batch's reusable memory arena, large ones into a spool file); a full
// batch goes to the committer, which stores it with its ledger rows in one durable transaction
// while the next batch downloads. A durable commit (an fsync) per batch rather than per message
// is what lets the download run at the network's pace. Nothing is DELEted before the batch
// holding the message has committed: deletion is decided only after every batch committed.
const (
	batchMaxMessages = 256
	batchMaxBytes    = 8 << 20
	// batchMaxAge bounds how long a downloaded message waits for its commit, checked when the
	// next message starts: on a slow link, work a crash would lose stays small.
	batchMaxAge = 250 * time.Millisecond
	// batchesInFlight is how many batches exist: one filling, the others waiting or committing.
	// It bounds the memory of a session to about batchesInFlight × (batchMaxBytes + spoolMemory).
	batchesInFlight = 3
)

// pendingMsg is one downloaded message in a batch.
type pendingMsg struct {
	uidl     string
	id       int // message number in this session
	partial  bool
	off, end int      // its bytes in the batch's arena, when file is nil
	file     *os.File // its spool file, for a message larger than spoolMemory
}

type batch struct {
	arena   []byte
	msgs    []pendingMsg
	bytes   int64
	started time.Time
	items   []mailstore.BatchItem // reused for the store call
}

// reset empties b for reuse, keeping its memory, and removes its spool files.
func (b *batch) reset() {
	for _, m := range b.msgs {
		if m.file != nil {
			name := m.file.Name()
			m.file.Close()
			os.Remove(name)
		}
	}
	b.arena = b.arena[:0]
	b.msgs = b.msgs[:0]
	b.items = b.items[:0]
	b.bytes = 0
}

// stored is a message whose batch committed.
type stored struct {
	uidl      string
	id        int // message number in this session
	messageID int64
	existed   bool // the same bytes were stored already; nothing new written
	partial   bool // headers only
}

// pipeline is one session's download-and-commit machinery. add and finish run on the download
// goroutine; the committer owns everything else until finish returns.
type pipeline struct {
	e        *Engine
	ctx      context.Context
	saver    *mailstore.Saver
	sp       *spool // its directory and file prefix; large messages are spooled there
	hashUIDL bool   // a server without UIDL: each message's UIDL is the hash of its bytes
	copyBuf  []byte

	free, full chan *batch
	done       chan struct{} // closed when the committer has stopped
	cur        *batch
	finished   bool

	// The committer's, read by the download goroutine only after done is closed.
	err     error
	stored  []stored
	newMsgs int
	bytes   int64
	partial int
	total   int
	report  func(Progress)
}

func (e *Engine) newPipeline(ctx context.Context, accountID int64, sp *spool, hashUIDL bool, total int, report func(Progress)) *pipeline {
	p := &pipeline{
		e: e, ctx: ctx, saver: e.store.NewSaver(accountID), sp: sp, hashUIDL: hashUIDL,
		free: make(chan *batch, batchesInFlight), full: make(chan *batch, batchesInFlight),
		done: make(chan struct{}), total: total, report: report,
	}
	for range batchesInFlight {
		p.free <- &batch{}
	}
	go p.commitLoop()
	return p
}

// add downloads one message from r into the current batch, handing the batch to the committer
// when it is full. uidl is ignored with hashUIDL.
func (p *pipeline) add(r io.Reader, id int, uidl string, partial bool) error {
	if p.cur != nil && time.Since(p.cur.started) >= batchMaxAge {
		if err := p.handOff(); err != nil {
			return err
		}
	}
	if p.cur == nil {
		select {
		case b := <-p.free:
			p.cur = b
			b.started = time.Now()
		case <-p.done:
			return p.committerErr()
		}
	}
	b := p.cur
	m := pendingMsg{id: id, uidl: uidl, partial: partial, off: len(b.arena)}
	size, sum, err := p.read(b, &m, r)
	if err != nil {
		if m.file != nil {
			name := m.file.Name()
			m.file.Close()
			os.Remove(name)
		}
		b.arena = b.arena[:m.off]
		return fmt.Errorf("message %d: %w", id, err)
	}
	if p.hashUIDL {
		if m.file == nil {
			s := sha256.Sum256(b.arena[m.off:m.end])
			m.uidl = mailstore.HashUIDLPrefix + hex.EncodeToString(s[:])
		} else {
			m.uidl = mailstore.HashUIDLPrefix + hex.EncodeToString(sum.Sum(nil))
		}
	}
	b.msgs = append(b.msgs, m)
	b.bytes += size
	p.e.checkpoint(CheckpointRetr)
	if len(b.msgs) >= batchMaxMessages || b.bytes >= batchMaxBytes {
		return p.handOff()
	}
	return nil
}

// read copies one message into b's arena, or into a spool file once it outgrows spoolMemory.
// The sum is filled only for a spooled message with hashUIDL.
func (p *pipeline) read(b *batch, m *pendingMsg, r io.Reader) (int64, hash.Hash, error) {
	lr := &io.LimitedReader{R: r, N: maxMessageSize + 1}
	for len(b.arena)-m.off <= spoolMemory {
		if len(b.arena) == cap(b.arena) {
			b.arena = slices.Grow(b.arena, 64<<10)
		}
		n, err := lr.Read(b.arena[len(b.arena):cap(b.arena)])
		b.arena = b.arena[:len(b.arena)+n]
		if errors.Is(err, io.EOF) {
			m.end = len(b.arena)
			return int64(m.end - m.off), nil, nil
		}
		if err != nil {
			return 0, nil, err
		}
	}
	// Too large for memory: spool it.
	if err := os.MkdirAll(p.sp.dir, 0o700); err != nil {
		return 0, nil, fmt.Errorf("download spool: %w", err)
	}
	f, err := os.CreateTemp(p.sp.dir, p.sp.prefix+"*")
	if err != nil {
		return 0, nil, fmt.Errorf("download spool: %w", err)
	}
	m.file = f
	var w io.Writer = f
	var sum hash.Hash
	if p.hashUIDL {
		sum = sha256.New()
		w = io.MultiWriter(f, sum)
	}
	head := b.arena[m.off:]
	if _, err := w.Write(head); err != nil {
		return 0, nil, fmt.Errorf("download spool: %w", err)
	}
	b.arena = b.arena[:m.off]
	if p.copyBuf == nil {
		p.copyBuf = make([]byte, 256<<10)
	}
	n, err := io.CopyBuffer(w, lr, p.copyBuf)
	if err != nil {
		return 0, nil, err
	}
	size := int64(len(head)) + n
	if size > maxMessageSize {
		return 0, nil, &tooLargeError{limit: maxMessageSize}
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return 0, nil, fmt.Errorf("download spool: %w", err)
	}
	return size, sum, nil
}

// handOff queues the current batch for the committer.
func (p *pipeline) handOff() error {
	b := p.cur
	if b == nil || len(b.msgs) == 0 {
		return nil
	}
	p.cur = nil
	select {
	case p.full <- b: // never blocks: there are only batchesInFlight batches
		return nil
	case <-p.done:
		b.reset()
		return p.committerErr()
	}
}

func (p *pipeline) committerErr() error {
	if p.err != nil {
		return p.err
	}
	return errors.New("the commit pipeline stopped")
}

// finish commits what has been downloaded and waits for the committer. It returns the
// committer's error, if any; after it returns, the results may be read.
func (p *pipeline) finish() error {
	if p.finished {
		return p.err
	}
	p.finished = true
	herr := p.handOff()
	close(p.full)
	<-p.done
	for b := range p.full { // left behind by a failed committer
		b.reset()
	}
	if p.cur != nil {
		p.cur.reset()
	}
	if p.err != nil {
		return p.err
	}
	return herr
}

func (p *pipeline) commitLoop() {
	defer close(p.done)
	for b := range p.full {
		err := p.commit(b)
		b.reset()
		if err != nil {
			p.err = err
			return
		}
		p.free <- b
	}
}

// commit stores one batch in one durable transaction.
func (p *pipeline) commit(b *batch) error {
	for _, m := range b.msgs {
		it := mailstore.BatchItem{UIDL: m.uidl, Partial: m.partial}
		if m.file != nil {
			it.File = m.file
		} else {
			it.Data = b.arena[m.off:m.end:m.end]
		}
		b.items = append(b.items, it)
	}
	res, err := p.saver.Save(p.ctx, b.items, p.e.opts.Now())
	if err != nil {
		return fmt.Errorf("storing: %w", err)
	}
	p.e.checkpoint(CheckpointCommit)
	for i, r := range res {
		m := b.msgs[i]
		p.stored = append(p.stored, stored{uidl: m.uidl, id: m.id, messageID: r.ID, existed: r.Exists, partial: m.partial})
		if r.Exists {
			// Stored by an earlier session that was cut short: nothing stored twice.
			continue
		}
		p.newMsgs++
		p.bytes += r.Size
		if m.partial {
			p.partial++
		}
		// Progress counts stored messages, so it is reported once their batch committed.
		p.report(Progress{Phase: PhaseDownload, N: p.newMsgs, Total: p.total, Bytes: p.bytes})
	}
	return nil
}

// indexPoll is how often the session's indexer looks for newly committed messages.
const indexPoll = 100 * time.Millisecond

// indexer fills the full-text index from the backlog while a session downloads, so that
// a fetch ends with every message searchable without parsing bodies on the download path.
type indexer struct {
	stop chan struct{}
	done chan struct{}
	n    int
	err  error
}

func (e *Engine) startIndexer(ctx context.Context) *indexer {
	ix := &indexer{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(ix.done)
		stopping := false
		for {
			n, err := e.store.IndexPending(ctx, mailstore.DefaultIndexBatch)
			ix.n += n
			if err != nil {
				ix.err = err
				return
			}
			if n > 0 {
				continue
			}
			if stopping {
				return // the backlog is empty and the session is over
			}
			select {
			case <-ix.stop:
				stopping = true
			case <-time.After(indexPoll):
			case <-ctx.Done():
				ix.err = ctx.Err()
				return
			}
		}
	}()
	return ix
}

// finish drains what is left of the backlog and returns how many messages were indexed.
func (ix *indexer) finish() (int, error) {
	close(ix.stop)
	<-ix.done
	return ix.n, ix.err
}
