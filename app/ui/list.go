package ui

import (
	"context"
	"fyne.io/fyne/v2/lang"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pouchmail/pouch/mailstore"
)

// firstPage is how many messages are shown before the rest of a large folder has loaded, so the
// window paints at once on an archive of any size.
const firstPage = 200

// searchLimit bounds the results of one archive search.
const searchLimit = 5000

func (m *mainWindow) buildList() {
	l := &messageList{m: m}
	l.Length = func() int { return len(m.shown) }
	l.CreateItem = func() fyne.CanvasObject { return newListRow(m) }
	l.UpdateItem = func(i widget.ListItemID, o fyne.CanvasObject) {
		if i < len(m.shown) {
			msg := &m.shown[i]
			r := o.(*listRow)
			r.i = i
			r.setSelected(m.sel.ids[msg.ID])
			r.row.set(msg, m.outboxState(msg))
			if n := m.conversationSize(msg); n > 1 {
				r.row.subject.SetText(withCount(r.row.subject.Text, n))
			}
		}
	}
	// Select (from code) opens row i as a plain click would; the List's own selection stays
	// empty, the rows draw m.sel.
	l.OnSelected = func(i widget.ListItemID) {
		l.UnselectAll()
		m.clickRow(i, 0)
	}
	l.ExtendBaseWidget(l)
	m.list = l
	m.rowPitch = newListRow(m).MinSize().Height + theme.Padding()

	m.search = newSearchEntry(m)
	m.search.SetPlaceHolder(lang.L("Search (Ctrl+F): words, from:, subject:…"))
	m.search.OnChanged = func(q string) { m.setQuery(q) }
}

// loadMessages shows the selected folder: the newest page first, then everything.
func (m *mainWindow) loadMessages() {
	m.loadGen++
	gen, view, eng, conv := m.loadGen, m.view, m.eng, m.conversations
	var page []mailstore.Message
	var sizes map[int64]int
	var subs []mailstore.Submission
	var f mailstore.Filter
	m.bridge.run(func(ctx context.Context) error {
		var err error
		if f, err = m.filterFor(ctx, view); err != nil {
			return err
		}
		if view.box == mailstore.FolderOutbox {
			if subs, err = eng.Outbox(ctx, ""); err != nil {
				return err
			}
		}
		pf := f
		pf.Limit = firstPage
		page, sizes, err = rowsFor(ctx, eng, pf, conv)
		return err
	}, func(err error) {
		if gen != m.loadGen {
			return // the user moved on meanwhile
		}
		if err != nil {
			m.setStatus(lang.L("Could not read messages: ") + err.Error())
			return
		}
		for _, s := range subs {
			m.outbox[s.MessageID] = s
		}
		m.threadSize = sizes
		m.setMessages(page)
		if len(page) < firstPage {
			return
		}
		var rest []mailstore.Message
		m.bridge.run(func(ctx context.Context) error {
			var err error
			rest, sizes, err = rowsFor(ctx, eng, f, conv)
			return err
		}, func(err error) {
			if gen != m.loadGen {
				return
			}
			if err != nil {
				m.setStatus(lang.L("Could not read messages: ") + err.Error())
				return
			}
			m.threadSize = sizes
			m.setMessages(rest)
		})
	})
}

func (m *mainWindow) filterFor(ctx context.Context, v folder) (mailstore.Filter, error) {
	f := mailstore.Filter{Trash: v.trash, Folder: v.box}
	if !v.trash && v.box == "" {
		f.Folder = mailstore.FolderInbox // written mail has folders of its own
	}
	if v.removed {
		f.RemovedAccount = v.account
	} else if v.account != "" {
		a, err := m.eng.Account(ctx, v.account)
		if err != nil {
			return f, err
		}
		f.AccountID = a.ID
	}
	return f, nil
}

// setMessages replaces the folder's messages, keeping the selection on the same message.
func (m *mainWindow) setMessages(msgs []mailstore.Message) {
	m.all = msgs
	m.applyQuery()
}

// applyQuery shows all messages, or those matching the search field.
func (m *mainWindow) applyQuery() {
	if m.query == "" {
		m.setShown(m.all)
		return
	}
	m.searchArchive()
}

// setShown replaces the rows, keeping the selection (by message) and, when new mail arrives
// above, the rows in view where they are.
func (m *mainWindow) setShown(msgs []mailstore.Message) {
	offset := m.list.GetScrollOffset()
	var topID int64
	if m.rowPitch > 0 && offset > 0 {
		topID = m.rowID(int(offset / m.rowPitch))
	}
	before := m.indexOf(topID)
	m.shown = msgs
	m.keepSelection()
	if after := m.indexOf(topID); topID != 0 && after >= 0 && after != before {
		m.list.ScrollToOffset(offset + float32(after-before)*m.rowPitch)
	}
	m.list.Refresh()
	m.updateEmptyNote()
	if m.open != nil && m.indexOf(m.open.ID) < 0 {
		// The open message left the list (another folder, a search): an action must never
		// apply to a message the user cannot see.
		m.closeMessage()
	}
}

// closeMessage empties the reading pane and disables the actions on a message.
func (m *mainWindow) closeMessage() {
	m.open = nil
	m.viewer.clear(lang.L("Select a message to read it."))
	m.toolbar.update()
}

func (m *mainWindow) setQuery(q string) {
	had := m.query
	m.query = strings.TrimSpace(q)
	m.applyQuery()
	if m.query != "" || had != "" {
		m.setStatus("") // a count of matches says nothing once the search changed or went
	}
}

// searchArchive runs the engine's full-text search (issue 6's query syntax) in this folder.
func (m *mainWindow) searchArchive() {
	m.searchGen++
	gen, q, view, eng := m.searchGen, m.query, m.view, m.eng
	var found []mailstore.Message
	m.bridge.run(func(ctx context.Context) error {
		query := q
		if view.account != "" {
			query += ` account:"` + view.account + `"` // quoted: names may hold spaces
		}
		if view.box != "" {
			query += ` in:"` + string(view.box) + `"` // quoted: folder names may hold spaces
		}
		var err error
		found, err = eng.Search(ctx, query, searchLimit)
		return err
	}, func(err error) {
		if gen != m.searchGen || q != m.query {
			return
		}
		if err != nil {
			m.setStatus(lang.L("Search: ") + err.Error())
			return
		}
		kept := found[:0]
		for _, msg := range found {
			if (view.account == "" || msg.Account == view.account && (msg.AccountID == 0) == view.removed) &&
				(msg.Trashed != nil) == view.trash &&
				(view.box == "" || strings.EqualFold(string(msg.Folder), string(view.box))) {
				kept = append(kept, msg)
			}
		}
		m.setShown(kept)
		m.setStatus(searchSummary(len(kept), q))
	})
}

func searchSummary(n int, q string) string {
	return lang.N("{{.Count}} messages match “{{.Query}}”.", n, map[string]any{"Count": n, "Query": q})
}

// updateEmptyNote says why the list is empty, in the list's place.
func (m *mainWindow) updateEmptyNote() {
	if len(m.shown) > 0 {
		m.emptyNote.Hide()
		return
	}
	var text string
	switch {
	case m.query != "":
		text = lang.L("No messages match “{{.Query}}” here.", map[string]any{"Query": m.query})
	case m.view.trash:
		text = lang.L("The Trash is empty.")
	case m.view.box != "":
		text = lang.L("{{.Folder}} is empty.", map[string]any{"Folder": folderName(m.view.box)})
	case len(m.accounts) == 0 && len(m.removed) == 0:
		text = lang.L("No accounts yet: add one to start.")
	default:
		text = lang.L("No messages here yet. New mail appears after the next check.")
	}
	m.emptyNote.SetText(text)
	m.emptyNote.Show()
}
