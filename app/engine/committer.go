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
// batch goes to commitLoop, which stores it with its ledger rows in one transaction while the
// next batch downloads. The batches commit without an fsync of their own (Saver.DeferSync):
// the session makes everything durable with one Store.Sync before its first DELE and one when
// it ends. Nothing is DELEted before the batch holding the message has committed and been made
// durable: deletion is decided only after every batch committed, and Sync comes before DELE.
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
			m.file.Close()
			os.Remove(m.file.Name())
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

// committer is one session's commit queue: add and finish run on the download goroutine, and
// a goroutine of its own (commitLoop) owns everything else until finish returns.
type committer struct {
	e        *Engine
	ctx      context.Context
	saver    *mailstore.Saver
	sp       *spool // its directory and file prefix; large messages are spooled there
	hashUIDL bool   // a server without UIDL: each message's UIDL is the hash of its bytes
	copyBuf  []byte

	free, full chan *batch
	done       chan struct{} // closed when commitLoop has stopped
	cur        *batch
	finished   bool

	// commitLoop's, read by the download goroutine only after done is closed.
	err     error
	stored  []stored
	newMsgs int
	bytes   int64
	partial int
	total   int
	report  func(Progress)
}

func (e *Engine) newCommitter(ctx context.Context, accountID int64, sp *spool, hashUIDL bool, total int, report func(Progress)) *committer {
	cm := &committer{
		e: e, ctx: ctx, saver: e.store.NewSaver(accountID), sp: sp, hashUIDL: hashUIDL,
		free: make(chan *batch, batchesInFlight), full: make(chan *batch, batchesInFlight),
		done: make(chan struct{}), total: total, report: report,
	}
	// Batches need not reach the disk one by one: the session makes them durable (Sync)
	// before its first DELE and when it ends.
	cm.saver.DeferSync()
	for range batchesInFlight {
		cm.free <- &batch{}
	}
	go cm.commitLoop()
	return cm
}

// add downloads one message from r into the current batch, handing the batch to commitLoop
// when it is full. uidl is ignored with hashUIDL.
func (cm *committer) add(r io.Reader, id int, uidl string, partial bool) error {
	if cm.cur != nil && time.Since(cm.cur.started) >= batchMaxAge {
		if err := cm.handOff(); err != nil {
			return err
		}
	}
	if cm.cur == nil {
		select {
		case b := <-cm.free:
			cm.cur = b
			b.started = time.Now()
		case <-cm.done:
			return cm.loopErr()
		}
	}
	b := cm.cur
	m := pendingMsg{id: id, uidl: uidl, partial: partial, off: len(b.arena)}
	size, sum, err := cm.read(b, &m, r)
	if err != nil {
		if m.file != nil {
			m.file.Close()
			os.Remove(m.file.Name())
		}
		b.arena = b.arena[:m.off]
		return fmt.Errorf("message %d: %w", id, err)
	}
	if cm.hashUIDL {
		if m.file == nil {
			s := sha256.Sum256(b.arena[m.off:m.end])
			m.uidl = mailstore.HashUIDLPrefix + hex.EncodeToString(s[:])
		} else {
			m.uidl = mailstore.HashUIDLPrefix + hex.EncodeToString(sum.Sum(nil))
		}
	}
	b.msgs = append(b.msgs, m)
	b.bytes += size
	cm.e.checkpoint(CheckpointRetr)
	if len(b.msgs) >= batchMaxMessages || b.bytes >= batchMaxBytes {
		return cm.handOff()
	}
	return nil
}

// read copies one message into b's arena, or into a spool file once it outgrows spoolMemory.
// The sum is filled only for a spooled message with hashUIDL.
func (cm *committer) read(b *batch, m *pendingMsg, r io.Reader) (int64, hash.Hash, error) {
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
	if err := os.MkdirAll(cm.sp.dir, 0o700); err != nil {
		return 0, nil, fmt.Errorf("download spool: %w", err)
	}
	f, err := os.CreateTemp(cm.sp.dir, cm.sp.prefix+"*")
	if err != nil {
		return 0, nil, fmt.Errorf("download spool: %w", err)
	}
	m.file = f
	var w io.Writer = f
	var sum hash.Hash
	if cm.hashUIDL {
		sum = sha256.New()
		w = io.MultiWriter(f, sum)
	}
	head := b.arena[m.off:]
	if _, err := w.Write(head); err != nil {
		return 0, nil, fmt.Errorf("download spool: %w", err)
	}
	b.arena = b.arena[:m.off]
	if cm.copyBuf == nil {
		cm.copyBuf = make([]byte, 256<<10)
	}
	n, err := io.CopyBuffer(w, lr, cm.copyBuf)
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

// handOff queues the current batch for commitLoop.
func (cm *committer) handOff() error {
	b := cm.cur
	if b == nil || len(b.msgs) == 0 {
		return nil
	}
	cm.cur = nil
	select {
	case cm.full <- b: // never blocks: there are only batchesInFlight batches
		return nil
	case <-cm.done:
		b.reset()
		return cm.loopErr()
	}
}

func (cm *committer) loopErr() error {
	if cm.err != nil {
		return cm.err
	}
	return errors.New("the committer stopped")
}

// finish commits what has been downloaded and waits for commitLoop. It returns commitLoop's
// error, if any; after it returns, the results may be read.
func (cm *committer) finish() error {
	if cm.finished {
		return cm.err
	}
	cm.finished = true
	herr := cm.handOff()
	close(cm.full)
	<-cm.done
	for b := range cm.full { // left behind by a failed commitLoop
		b.reset()
	}
	if cm.cur != nil {
		cm.cur.reset()
	}
	if cm.err != nil {
		return cm.err
	}
	return herr
}

func (cm *committer) commitLoop() {
	defer close(cm.done)
	for b := range cm.full {
		err := cm.commit(b)
		b.reset()
		if err != nil {
			cm.err = err
			return
		}
		cm.free <- b
	}
}

// commit stores one batch in one transaction, durable at the session's next Sync.
func (cm *committer) commit(b *batch) error {
	for _, m := range b.msgs {
		it := mailstore.BatchItem{UIDL: m.uidl, Partial: m.partial}
		if m.file != nil {
			it.File = m.file
		} else {
			it.Data = b.arena[m.off:m.end:m.end]
		}
		b.items = append(b.items, it)
	}
	res, err := cm.saver.Save(cm.ctx, b.items, cm.e.opts.Now())
	if err != nil {
		return fmt.Errorf("storing: %w", err)
	}
	cm.e.checkpoint(CheckpointCommit)
	for i, r := range res {
		m := b.msgs[i]
		cm.stored = append(cm.stored, stored{uidl: m.uidl, id: m.id, messageID: r.ID, existed: r.Exists, partial: m.partial})
		if r.Exists {
			// Stored by an earlier session that was cut short: nothing stored twice.
			continue
		}
		cm.newMsgs++
		cm.bytes += r.Size
		if m.partial {
			cm.partial++
		}
		// Progress counts stored messages, so it is reported once their batch committed.
		cm.report(Progress{Phase: PhaseDownload, N: cm.newMsgs, Total: cm.total, Bytes: cm.bytes})
	}
	return nil
}
