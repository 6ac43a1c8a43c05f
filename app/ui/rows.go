package ui

import (
	"slices"

	"github.com/pouchmail/pouch/mailstore"
)

// pageSize is how many rows the list reads at a time, as it scrolls onto rows not yet read.
const pageSize = 100

// keptPages is how many pages of rows stay in memory (the least recently drawn go first): a few
// screens' worth, whatever the size of the folder.
const keptPages = 8

// listRows is what the message list shows: every message's ID in the list's order (8 bytes a
// message), and the rows of the pages read lately. A folder of 100,000 messages costs 800 KB
// here, not the 70 MB its rows would.
type listRows struct {
	ids   []int64
	pages map[int][]mailstore.Message // by page number, aligned with ids
	used  []int                       // page numbers, least recently drawn first
	asked map[int]int                 // pages being read, with the writes count when asked
	gen   int                         // drops pages read for an earlier list
	// marks are the changes of state (read, flagged) made here that a page being read may not
	// show: their write was still under way when it was asked for.
	marks  []stateMark
	markN  int // numbers the marks
	writes int // counts the marks written to the store
}

// stateMark is a change of state made in the window; written is the writes count once it
// reached the store, 0 until then.
type stateMark struct {
	n       int
	ids     map[int64]bool
	change  func(*mailstore.Message)
	written int
}

// reset starts a new list of ids, dropping every page read.
func (r *listRows) reset(ids []int64) {
	r.ids, r.pages, r.used, r.asked = ids, map[int][]mailstore.Message{}, nil, map[int]int{}
	r.gen++
	r.dropMarks()
}

func (r *listRows) len() int { return len(r.ids) }

// index is the position of message id in the list, -1 if it is not listed.
func (r *listRows) index(id int64) int { return slices.Index(r.ids, id) }

// row returns row i if its page has been read, nil otherwise.
func (r *listRows) row(i int) *mailstore.Message {
	p := i / pageSize
	page, ok := r.pages[p]
	if !ok || i%pageSize >= len(page) {
		return nil
	}
	r.touch(p)
	return &page[i%pageSize]
}

// pageIDs returns the IDs of page p, and whether the page must be read (not read, not asked).
func (r *listRows) pageIDs(p int) ([]int64, bool) {
	_, read := r.pages[p]
	if _, asked := r.asked[p]; read || asked || p*pageSize >= len(r.ids) {
		return nil, false
	}
	r.asked[p] = r.writes
	return slices.Clone(r.ids[p*pageSize : min((p+1)*pageSize, len(r.ids))]), true
}

// put stores page p's rows as read for the ids asked (a message gone meanwhile keeps its place,
// with its ID alone), and lets the least recently drawn pages go.
func (r *listRows) put(p int, ids []int64, found []mailstore.Message) {
	asked := r.asked[p]
	byID := make(map[int64]mailstore.Message, len(found))
	for _, m := range found {
		byID[m.ID] = m
	}
	page := make([]mailstore.Message, len(ids))
	for i, id := range ids {
		page[i] = byID[id]
		page[i].ID = id
		// The store may not have had the changes not written before the page was asked for.
		for _, mk := range r.marks {
			if (mk.written == 0 || mk.written > asked) && mk.ids[id] {
				mk.change(&page[i])
			}
		}
	}
	r.unask(p)
	r.pages[p] = page
	r.touch(p)
	for len(r.used) > keptPages {
		delete(r.pages, r.used[0])
		r.used = r.used[1:]
	}
}

func (r *listRows) touch(p int) {
	if i := slices.Index(r.used, p); i >= 0 {
		if i == len(r.used)-1 {
			return
		}
		r.used = slices.Delete(r.used, i, i+1)
	}
	r.used = append(r.used, p)
}

// remove drops messages from the list; the pages are read again, as their rows moved.
func (r *listRows) remove(ids ...int64) {
	gone := make(map[int64]bool, len(ids))
	for _, id := range ids {
		gone[id] = true
	}
	kept := make([]int64, 0, len(r.ids))
	for _, id := range r.ids {
		if !gone[id] {
			kept = append(kept, id)
		}
	}
	if len(kept) < len(r.ids) {
		r.reset(kept)
	}
}

// find returns message id's row if its page has been read, nil otherwise.
func (r *listRows) find(id int64) *mailstore.Message {
	for _, page := range r.pages {
		for i := range page {
			if page[i].ID == id {
				return &page[i]
			}
		}
	}
	return nil
}

// unask forgets that page p is being read (read, or failed: it is asked again when drawn).
func (r *listRows) unask(p int) {
	delete(r.asked, p)
	r.dropMarks()
}

// mark makes change to messages ids in the rows read, and keeps it for the pages being read
// until markWritten says it reached the store. It returns the mark's number.
func (r *listRows) mark(ids []int64, change func(*mailstore.Message)) int {
	r.each(ids, change)
	r.markN++
	mk := stateMark{n: r.markN, ids: make(map[int64]bool, len(ids)), change: change}
	for _, id := range ids {
		mk.ids[id] = true
	}
	r.marks = append(r.marks, mk)
	return mk.n
}

// markWritten records that mark n reached the store (the writes are made in the order of the
// marks): pages asked for from now on show it.
func (r *listRows) markWritten(n int) {
	r.writes++
	for i := range r.marks {
		if r.marks[i].n == n {
			r.marks[i].written = r.writes
		}
	}
	r.dropMarks()
}

// dropMarks lets go of the marks written before every page being read was asked for.
func (r *listRows) dropMarks() {
	oldest := r.writes
	for _, w := range r.asked {
		oldest = min(oldest, w)
	}
	r.marks = slices.DeleteFunc(r.marks, func(mk stateMark) bool { return mk.written != 0 && mk.written <= oldest })
}

// each runs fn on every row read whose ID is in ids.
func (r *listRows) each(ids []int64, fn func(*mailstore.Message)) {
	want := make(map[int64]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	for _, page := range r.pages {
		for i := range page {
			if want[page[i].ID] {
				fn(&page[i])
			}
		}
	}
}
