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

func (m *mainWindow) buildList() {
	l := &messageList{m: m}
	l.Length = m.rows.len
	l.CreateItem = func() fyne.CanvasObject { return newListRow(m) }
	l.UpdateItem = func(i widget.ListItemID, o fyne.CanvasObject) {
		r := o.(*listRow)
		r.i = i
		msg := m.rows.row(i)
		if msg == nil {
			r.setSelected(false)
			r.row.blank()
			m.readPage(i / pageSize)
			return
		}
		r.setSelected(m.sel.ids[msg.ID])
		r.row.set(msg, m.outboxState(msg))
		if n := m.conversationSize(msg); n > 1 {
			r.row.subject.SetText(withCount(r.row.subject.Text, n))
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

// readPage reads the rows of page p of the list, unless they are read or being read; the list
// draws them when they come.
func (m *mainWindow) readPage(p int) {
	ids, need := m.rows.pageIDs(p)
	if !need {
		return
	}
	gen, eng := m.rows.gen, m.eng
	var found []mailstore.Message
	m.bridge.run(func(ctx context.Context) (err error) {
		found, err = eng.MessagesByID(ctx, ids)
		return err
	}, func(err error) {
		if gen != m.rows.gen {
			return // another list meanwhile
		}
		if err != nil {
			m.rows.unask(p) // asked again when next drawn
			m.setStatus(lang.L("Could not read messages: ") + err.Error())
			return
		}
		m.rows.put(p, ids, found)
		m.list.Refresh()
	})
}

// loadMessages lists the selected folder, narrowed by the search field when it holds a query
// (issue 6's syntax): the IDs of every message, whose rows are read by page as the list
// scrolls.
func (m *mainWindow) loadMessages() {
	m.loadGen++
	gen, view, q, eng, conv := m.loadGen, m.view, m.query, m.eng, m.conversations
	var ids []int64
	var sizes map[int64]int
	var subs []mailstore.Submission
	m.bridge.run(func(ctx context.Context) (err error) {
		if view.box == mailstore.FolderOutbox {
			if subs, err = eng.Outbox(ctx, ""); err != nil {
				return err
			}
		}
		if conv && q == "" {
			// One row per conversation: its latest message (read as IDs, the rows by page too).
			f, err := m.filterFor(ctx, view)
			if err != nil {
				return err
			}
			var latest []mailstore.Message
			if latest, sizes, err = rowsFor(ctx, eng, f, true); err != nil {
				return err
			}
			ids = make([]int64, len(latest))
			for i := range latest {
				ids[i] = latest[i].ID
			}
			return nil
		}
		ids, err = eng.SearchIDs(ctx, viewQuery(view, q), 0)
		return err
	}, func(err error) {
		if gen != m.loadGen {
			return // the user moved on meanwhile
		}
		if err != nil {
			if q != "" {
				m.setStatus(lang.L("Search: ") + err.Error())
			} else {
				m.setStatus(lang.L("Could not read messages: ") + err.Error())
			}
			return
		}
		for _, s := range subs {
			m.outbox[s.MessageID] = s
		}
		m.threadSize = sizes
		m.setShown(ids)
		if q != "" {
			m.setStatus(searchSummary(len(ids), q))
		}
	})
}

// filterFor is a sidebar folder as the engine's filter (Mark all read).
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

// viewQuery is the search listing a sidebar folder, narrowed by the user's query q. In All mail
// and an account's inbox the user's in: may pick another folder (in:drafts); the Trash and the
// folders of written mail stay what they are.
func viewQuery(v folder, q string) string {
	switch {
	case v.trash:
		q += " in:trash"
	case v.box != "":
		q += ` in:"` + string(v.box) + `"` // quoted: a folder of one's own may hold spaces
	default:
		q = "in:" + string(mailstore.FolderInbox) + " " + q
	}
	if v.account != "" {
		// Quoted: names may hold spaces. A removed account's kept mail is found by its name too.
		q += ` account:"` + v.account + `"`
	}
	return q
}

// setShown replaces the list's messages, keeping the selection (by message) and, when new mail
// arrives above, the rows in view where they are.
func (m *mainWindow) setShown(ids []int64) {
	offset := m.list.GetScrollOffset()
	var topID int64
	if m.rowPitch > 0 && offset > 0 {
		topID = m.rowID(int(offset / m.rowPitch))
	}
	before := m.indexOf(topID)
	m.rows.reset(ids)
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
	m.loadMessages()
	if m.query != "" || had != "" {
		m.setStatus("") // a count of matches says nothing once the search changed or went
	}
}

func searchSummary(n int, q string) string {
	return lang.N("{{.Count}} messages match “{{.Query}}”.", n, map[string]any{"Count": n, "Query": q})
}

// updateEmptyNote says why the list is empty, in the list's place.
func (m *mainWindow) updateEmptyNote() {
	if m.rows.len() > 0 {
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
