package ui

import (
	"fyne.io/fyne/v2/lang"
	"strconv"

	"github.com/pouchmail/pouch/mailstore"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// folder is what the sidebar selected: all mail, one account's mail, Drafts, Outbox, Sent, or
// the Trash.
type folder struct {
	trash   bool
	account string           // "" = every account
	removed bool             // account is a removed account whose mail was kept
	box     mailstore.Folder // drafts, outbox or sent; "" = the inbox (or the Trash)
}

// outgoingFolders are the sidebar's folders of mail written here, between the accounts and the
// Trash.
var outgoingFolders = []struct {
	box  mailstore.Folder
	name string
}{{mailstore.FolderDrafts, "Drafts"}, {mailstore.FolderOutbox, "Outbox"}, {mailstore.FolderSent, "Sent"}}

// sidebarRow shows a folder: icon, name, unread count, and for a failing account an error badge
// with the reason under the name.
type sidebarRow struct {
	widget.BaseWidget
	tree   treeParts // a user folder's depth and expander (folders.go)
	i      int       // the row shown
	m      *mainWindow
	icon   *widget.Icon
	name   *widget.Label
	count  *widget.Label
	badge  *widget.Icon
	reason *widget.Label
}

func newSidebarRow() *sidebarRow {
	r := &sidebarRow{
		icon: widget.NewIcon(theme.MailComposeIcon()), name: widget.NewLabel(lang.L("Account name")),
		count: widget.NewLabel("999"), badge: widget.NewIcon(theme.ErrorIcon()), reason: widget.NewLabel(""),
	}
	r.name.Truncation = fyne.TextTruncateEllipsis
	r.reason.Truncation = fyne.TextTruncateEllipsis
	r.reason.Importance = widget.DangerImportance
	r.reason.SizeName = theme.SizeNameCaptionText
	r.badge.Hide()
	r.reason.Hide()
	r.ExtendBaseWidget(r)
	return r
}

func (r *sidebarRow) CreateRenderer() fyne.WidgetRenderer {
	r.tree.build()
	top := container.NewBorder(nil, nil, container.NewHBox(r.tree.indent, r.tree.toggle, r.icon), container.NewHBox(r.badge, r.count), r.name)
	return widget.NewSimpleRenderer(container.NewStack(r.tree.drop, container.NewVBox(top, r.reason)))
}

func (r *sidebarRow) set(icon fyne.Resource, name string, unread int, reason string) {
	r.icon.SetResource(icon)
	r.name.SetText(name)
	r.name.TextStyle.Bold = unread > 0
	r.name.Refresh()
	r.count.Importance = widget.MediumImportance
	if unread > 0 {
		r.count.SetText(strconv.Itoa(unread))
		r.count.Show()
	} else {
		r.count.Hide()
	}
	if reason != "" {
		r.badge.Show()
		r.reason.SetText(reason)
		r.reason.Show()
	} else {
		r.badge.Hide()
		r.reason.Hide()
	}
}

// setTotal shows how many messages a folder holds (the Trash), in place of an unread count.
func (r *sidebarRow) setTotal(n int) {
	r.name.TextStyle.Bold = false
	r.name.Refresh()
	r.count.SetText(strconv.Itoa(n))
	r.count.Importance = widget.LowImportance
	r.count.Refresh()
	r.count.Show()
	if n == 0 {
		r.count.Hide()
	}
}

func (m *mainWindow) buildSidebar() {
	l := &sidebarList{m: m}
	l.Length = func() int { return len(m.accounts) + len(m.removed) + len(outgoingFolders) + len(m.treeRows) + 2 }
	l.CreateItem = func() fyne.CanvasObject {
		r := newSidebarRow()
		r.m = m
		m.sidebarRows = append(m.sidebarRows, r)
		return r
	}
	l.UpdateItem = func(i widget.ListItemID, o fyne.CanvasObject) {
		icon, name, unread, reason := m.sidebarItem(i)
		r := o.(*sidebarRow)
		r.i = i
		r.set(icon, name, unread, reason)
		if m.folderAt(i).trash {
			r.setTotal(m.trashCount)
		}
		r.setTree(m.treeItem(i))
	}
	l.ExtendBaseWidget(l)
	m.sidebar = l
	m.sidebar.OnSelected = func(i widget.ListItemID) {
		m.folderRow = i
		m.view = m.folderAt(i)
		m.toolbar.update()
		m.updateBanner()
		m.loadMessages()
	}
}

// folderAt maps a sidebar row to its folder: All mail, the accounts, Drafts, Outbox, Sent, then
// Trash.
func (m *mainWindow) folderAt(i int) folder {
	n := len(m.accounts)
	r := len(m.removed)
	switch {
	case i > 0 && i <= n:
		return folder{account: m.accounts[i-1].Name}
	case i > n && i <= n+r:
		return folder{account: m.removed[i-n-1].Name, removed: true}
	}
	n += r                        // the rows below the removed accounts
	t := n + len(outgoingFolders) // the rows above the user folders
	switch {
	case i > n && i <= t:
		return folder{box: outgoingFolders[i-n-1].box}
	case i > t && i <= t+len(m.treeRows):
		return folder{box: m.treeRows[i-t-1].Path}
	case i == t+len(m.treeRows)+1:
		return folder{trash: true}
	}
	return folder{}
}

// rowOf is the sidebar row of a folder of mail written here.
func (m *mainWindow) rowOf(box mailstore.Folder) int {
	for i, f := range outgoingFolders {
		if f.box == box {
			return len(m.accounts) + len(m.removed) + 1 + i
		}
	}
	return 0
}

func (m *mainWindow) sidebarItem(i int) (icon fyne.Resource, name string, unread int, reason string) {
	f := m.folderAt(i)
	switch {
	case f.trash:
		return theme.DeleteIcon(), lang.L("Trash"), 0, ""
	case f.box != "" && !f.box.System():
		fi := m.treeRows[i-len(m.accounts)-len(m.removed)-len(outgoingFolders)-1]
		return theme.FolderIcon(), fi.Path.Name(), fi.Unread, ""
	case f.box != "":
		icon := map[mailstore.Folder]fyne.Resource{mailstore.FolderDrafts: theme.DocumentCreateIcon(),
			mailstore.FolderOutbox: theme.UploadIcon(), mailstore.FolderSent: theme.MailSendIcon()}[f.box]
		return icon, folderName(f.box), 0, ""
	case f.account == "":
		total := 0
		for _, n := range m.unread {
			total += n
		}
		return theme.MailComposeIcon(), lang.L("All mail"), total, ""
	}
	if f.removed {
		r := m.removed[i-len(m.accounts)-1]
		return theme.FolderIcon(), lang.L("{{.Name}} (removed)", map[string]any{"Name": r.Name}), r.Unread, ""
	}
	a := m.accounts[i-1]
	return theme.AccountIcon(), a.Name, m.unread[a.ID], m.errorText(m.pollState[a.Name])
}

// refreshSidebar redraws the rows; rows with an error reason are taller.
func (m *mainWindow) refreshSidebar() {
	tmpl := newSidebarRow()
	short := tmpl.MinSize().Height
	tmpl.reason.Show()
	tall := tmpl.MinSize().Height
	for i := 0; i < m.sidebar.Length(); i++ {
		if _, _, _, reason := m.sidebarItem(i); reason != "" {
			m.sidebar.SetItemHeight(i, tall)
		} else {
			m.sidebar.SetItemHeight(i, short)
		}
	}
	m.sidebar.Refresh()
}

// updateBanner shows the selected account's (or every failing account's) reason above the list.
func (m *mainWindow) updateBanner() {
	var text, details string
	m.bannerCert = nil
	for _, a := range m.accounts {
		if m.view.account != "" && m.view.account != a.Name {
			continue
		}
		if p := m.problemOf(m.pollState[a.Name]); p != nil {
			if p.Cert != nil && m.bannerCert == nil {
				a, cert := a, p.Cert
				m.bannerCert = func() { m.showCertificate(a, cert.Certificates, nil) }
			}
			if text != "" {
				text += "\n"
				details += "\n"
			}
			text += a.Name + ": " + p.text()
			details += a.Name + ": " + p.Details
		}
		if w := m.pollState[a.Name].Warning; w != "" {
			if text != "" {
				text += "\n"
			}
			text += a.Name + ": " + w
		}
	}
	m.banner.SetText(text)
	m.bannerDetails = details
	if text == "" || m.view.trash {
		m.bannerBox.Hide()
	} else {
		m.bannerBox.Show()
	}
	if details == "" {
		m.bannerDetailsButton.Hide()
	} else {
		m.bannerDetailsButton.Show()
	}
	if m.bannerCert == nil {
		m.bannerCertButton.Hide()
	} else {
		m.bannerCertButton.Show()
	}
}

func folderName(box mailstore.Folder) string {
	for _, f := range outgoingFolders {
		if f.box == box {
			return map[string]string{"Drafts": lang.L("Drafts"), "Outbox": lang.L("Outbox"), "Sent": lang.L("Sent")}[f.name]
		}
	}
	return string(box)
}
