package ui

import (
	"context"
	"testing"
	"time"

	"github.com/pouchmail/pouch/mailstore"
)

// TestReadStateOverPagesBeingRead: a page read from the store before a change of read state
// made in the window reached it shows the change all the same (a message opened while the first
// page loaded stayed unread in the list, and m then marked it read rather than unread); once the
// change is written, pages asked for later show the store's state.
func TestReadStateOverPagesBeingRead(t *testing.T) {
	var r listRows
	r.reset([]int64{1, 2, 3})
	store := map[int64]bool{} // the read state in the store
	rows := func() []mailstore.Message {
		return []mailstore.Message{{ID: 1, Read: store[1]}, {ID: 2, Read: store[2]}, {ID: 3, Read: store[3]}}
	}
	read := func() [3]bool { return [3]bool{r.row(0).Read, r.row(1).Read, r.row(2).Read} }
	type step struct {
		what string
		do   func()
		want [3]bool // the rows' read state after it, when the page is read
	}
	setRead := func(read bool) func(*mailstore.Message) { return func(m *mailstore.Message) { m.Read = read } }
	var page []int64
	var opened, unread, other int
	steps := []step{
		{what: "a message opened while the page is read, the page read before the write", do: func() {
			page, _ = r.pageIDs(0)
			opened = r.mark([]int64{1}, setRead(true))
			r.put(0, page, rows())
		}, want: [3]bool{true, false, false}},
		{what: "the write done, the list read again", do: func() {
			store[1] = true
			r.markWritten(opened)
			r.reset(r.ids)
			page, _ = r.pageIDs(0)
			r.put(0, page, rows())
		}, want: [3]bool{true, false, false}},
		{what: "marked unread, the page read before the write, which is done before it arrives", do: func() {
			r.reset(r.ids)
			page, _ = r.pageIDs(0)
			unread = r.mark([]int64{1, 2}, setRead(false))
			before := rows()
			store[1] = false
			r.markWritten(unread)
			r.put(0, page, before)
		}, want: [3]bool{false, false, false}},
		{what: "marked read, the page asked for after the change, read before the write", do: func() {
			other = r.mark([]int64{2, 3}, setRead(true))
			r.reset(r.ids)
			page, _ = r.pageIDs(0)
			r.put(0, page, rows())
		}, want: [3]bool{false, true, true}},
		{what: "the write done; another client marks 3 unread; the list read again", do: func() {
			store[2], store[3] = true, true
			r.markWritten(other)
			store[3] = false
			r.reset(r.ids)
			page, _ = r.pageIDs(0)
			r.put(0, page, rows())
		}, want: [3]bool{false, true, false}},
	}
	for _, s := range steps {
		s.do()
		if got := read(); got != s.want {
			t.Errorf("%s: rows read %v, want %v", s.what, got, s.want)
		}
	}
	if len(r.marks) != 0 {
		t.Errorf("%d marks kept after every write and page, want none", len(r.marks))
	}
}

// TestInOrderRunsInTurn: work asked of an inOrder starts once the work asked before it has
// finished, whatever order the goroutines run in.
func TestInOrderRunsInTurn(t *testing.T) {
	q := newQueue(t)
	b := bridge{ctx: context.Background(), queue: q.do}
	var o inOrder
	release := make(chan struct{})
	ran := make(chan int, 3)
	done := make(chan int, 3)
	q.wait(func() {
		for i := range 3 {
			o.run(b, func(context.Context) error {
				if i == 0 {
					<-release
				}
				ran <- i
				return nil
			}, func(error) { done <- i })
		}
	})
	// A bounded look: an early start shows up at once on an idle machine.
	select {
	case i := <-ran:
		t.Errorf("work %d ran while the work asked first was still running", i)
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	for range 3 {
		<-done
	}
	close(ran)
	var order []int
	for i := range ran {
		order = append(order, i)
	}
	if len(order) != 3 || order[0] != 0 || order[1] != 1 || order[2] != 2 {
		t.Errorf("work ran in the order %v, want [0 1 2]", order)
	}
}
