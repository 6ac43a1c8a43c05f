package ui

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pouchmail/pouch/mailstore"
)

// previewDelay is the pause in typing a rule's condition after which the editor counts the
// messages it matches.
const previewDelay = 300 * time.Millisecond

// ruleEditor is the Rules dialog (More ▸ Rules…, Ctrl+Shift+U): the rules in the order they
// run, with Add, Remove, Up and Down; the selected rule's name, condition (the search syntax,
// with a live count of the existing messages it matches) and actions; and Run now on a folder.
// Every engine call goes through the bridge; the count runs after a pause in typing and a newer
// one cancels it.
type ruleEditor struct {
	m     *mainWindow
	rules []mailstore.Rule
	at    int // the rule edited, -1 for a new one

	list                        *widget.List
	name, query                 *dialogEntry
	preview, problem            *widget.Label
	moveTo                      *widget.Select
	markRead, flag, trash, stop *widget.Check
	save, remove, up, down      *widget.Button
	runIn                       *widget.Select
	run                         *widget.Button
	dialog                      dialog.Dialog

	previewGen    int
	cancelPreview func()
	delay         time.Duration
}

// showRules opens the rule editor.
func (m *mainWindow) showRules() *ruleEditor {
	e := m.newRuleEditor()
	e.dialog.Show()
	e.load(0)
	return e
}

func (m *mainWindow) newRuleEditor() *ruleEditor {
	e := &ruleEditor{m: m, at: -1, delay: m.previewDelay}
	if e.delay == 0 {
		e.delay = previewDelay
	}
	e.list = widget.NewList(func() int { return len(e.rules) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i < len(e.rules) {
				o.(*widget.Label).SetText(ruleSummary(e.rules[i]))
			}
		})
	e.list.OnSelected = func(i widget.ListItemID) { e.edit(i) }

	e.name = newDialogEntry(m)
	e.name.SetPlaceHolder(lang.L("Invoices"))
	e.query = newDialogEntry(m)
	e.query.SetPlaceHolder(lang.L("from:billing@ subject:invoice"))
	e.query.OnChanged = func(string) { e.schedulePreview() }
	e.preview = widget.NewLabel("")
	e.problem = widget.NewLabel("")
	e.problem.Importance = widget.DangerImportance
	e.problem.Wrapping = fyne.TextWrapWord
	e.moveTo = widget.NewSelect(nil, nil)
	e.markRead = widget.NewCheck(lang.L("Mark read"), nil)
	e.flag = widget.NewCheck(lang.L("Flag"), nil)
	e.trash = widget.NewCheck(lang.L("Move to the Trash"), nil)
	e.stop = widget.NewCheck(lang.L("Stop: later rules skip the messages this one matches"), nil)
	e.save = widget.NewButtonWithIcon(lang.L("Save rule"), theme.DocumentSaveIcon(), e.saveRule)
	e.save.Importance = widget.HighImportance

	add := widget.NewButtonWithIcon(lang.L("New rule"), theme.ContentAddIcon(), func() { e.list.UnselectAll(); e.edit(-1) })
	e.remove = widget.NewButtonWithIcon(lang.L("Remove"), theme.DeleteIcon(), e.removeRule)
	e.up = widget.NewButtonWithIcon("", theme.MoveUpIcon(), func() { e.move(-1) })
	e.down = widget.NewButtonWithIcon("", theme.MoveDownIcon(), func() { e.move(1) })
	e.runIn = widget.NewSelect(nil, nil)
	e.run = widget.NewButtonWithIcon(lang.L("Run now"), theme.MediaPlayIcon(), e.runNow)

	form := widget.NewForm(
		widget.NewFormItem(lang.L("Name"), e.name),
		widget.NewFormItem(lang.L("If"), container.NewVBox(e.query, e.preview)),
		widget.NewFormItem(lang.L("Move to"), e.moveTo),
		widget.NewFormItem(lang.L("Then"), container.NewVBox(e.markRead, e.flag, e.trash, e.stop)))
	hint := widget.NewLabel(lang.L("The condition is a search: from:, to:, subject:, account:, has:attachment, is:unread and words. Rules run in this order on each new message; none deletes mail on a server."))
	hint.Wrapping = fyne.TextWrapWord
	hint.Importance = widget.LowImportance
	editor := container.NewVBox(form, container.NewHBox(e.save), e.problem, widget.NewSeparator(),
		container.NewBorder(nil, nil, widget.NewLabel(lang.L("Run all rules now on")), e.run, e.runIn), hint)
	left := container.NewBorder(nil, container.NewHBox(add, e.remove, e.up, e.down), nil, nil, e.list)
	split := container.NewHSplit(left, container.NewVScroll(editor))
	split.Offset = 0.38
	e.dialog = dialog.NewCustom(lang.L("Rules"), lang.L("Close"), split, m.window)
	e.dialog.Resize(fyne.NewSize(980, 620))
	e.dialog.SetOnClosed(func() {
		if e.cancelPreview != nil {
			e.cancelPreview()
		}
		e.previewGen++
		m.rules = nil
	})
	m.rules = e
	e.fillFolders()
	e.edit(-1)
	return e
}

// ruleSummary is a rule as the list shows it: name, condition and actions.
func ruleSummary(r mailstore.Rule) string {
	var acts []string
	if r.MoveTo != "" {
		acts = append(acts, lang.L("move to {{.Folder}}", map[string]any{"Folder": string(r.MoveTo)}))
	}
	if r.MarkRead {
		acts = append(acts, lang.L("mark read"))
	}
	if r.Flag {
		acts = append(acts, lang.L("flag"))
	}
	if r.Trash {
		acts = append(acts, lang.L("to the Trash"))
	}
	if r.Stop {
		acts = append(acts, lang.L("stop"))
	}
	s := r.Name + ": " + r.Query + " → " + strings.Join(acts, ", ")
	if r.Failures > 0 {
		s = "⚠ " + s
	}
	return s
}

// fillFolders offers the folders read last as move targets and run scopes.
func (e *ruleEditor) fillFolders() {
	move := []string{lang.L("(do not move)")}
	run := []string{lang.L("the whole archive"), lang.L("Inbox")}
	for _, fi := range e.m.folders {
		move = append(move, string(fi.Path))
		run = append(run, string(fi.Path))
	}
	e.moveTo.SetOptions(move)
	e.runIn.SetOptions(run)
	if e.runIn.SelectedIndex() < 0 {
		e.runIn.SetSelectedIndex(0)
	}
}

// load reads the rules and selects the rule selectID (0: none).
func (e *ruleEditor) load(selectID int64) {
	eng := e.m.eng
	var rules []mailstore.Rule
	e.m.bridge.run(func(ctx context.Context) (err error) {
		rules, err = eng.Rules(ctx)
		return err
	}, func(err error) {
		if err != nil {
			e.problem.SetText(lang.L("Could not read the rules: ") + err.Error())
			return
		}
		e.rules = rules
		e.list.Refresh()
		for i, r := range rules {
			if r.ID == selectID {
				e.list.UnselectAll()
				e.list.Select(i)
				return
			}
		}
		if selectID == 0 && e.at < 0 && len(rules) > 0 && e.name.Text == "" && e.query.Text == "" {
			e.list.Select(0) // on opening, the first rule, unless a new one is being typed already
			return
		}
		if selectID != 0 || e.at >= len(rules) {
			// The rule shown went away: the form starts a new one. (On opening, the form may
			// have been typed in already: it is left alone.)
			e.list.UnselectAll()
			e.edit(-1)
		}
	})
}

// edit shows rule i in the form (-1: an empty form for a new rule).
func (e *ruleEditor) edit(i int) {
	e.at = i
	r := mailstore.Rule{}
	if i >= 0 && i < len(e.rules) {
		r = e.rules[i]
	} else {
		e.at = -1
	}
	e.name.SetText(r.Name)
	e.query.SetText(r.Query)
	if r.MoveTo == "" {
		e.moveTo.SetSelectedIndex(0)
	} else {
		e.moveTo.SetSelected(string(r.MoveTo))
	}
	e.markRead.SetChecked(r.MarkRead)
	e.flag.SetChecked(r.Flag)
	e.trash.SetChecked(r.Trash)
	e.stop.SetChecked(r.Stop)
	e.problem.SetText("")
	if r.Failures > 0 {
		e.problem.SetText(lang.N("This rule failed on {{.Count}} messages (they stayed in the Inbox): {{.Error}}", r.Failures,
			map[string]any{"Count": r.Failures, "Error": r.LastError}))
	}
	editing := e.at >= 0
	for _, b := range []*widget.Button{e.remove, e.up, e.down} {
		if editing {
			b.Enable()
		} else {
			b.Disable()
		}
	}
	if e.at == 0 {
		e.up.Disable()
	}
	if e.at == len(e.rules)-1 {
		e.down.Disable()
	}
	e.schedulePreview()
}

// rule is the form as a rule.
func (e *ruleEditor) rule() mailstore.Rule {
	r := mailstore.Rule{Name: strings.TrimSpace(e.name.Text), Query: strings.TrimSpace(e.query.Text),
		MarkRead: e.markRead.Checked, Flag: e.flag.Checked, Trash: e.trash.Checked, Stop: e.stop.Checked}
	if e.moveTo.SelectedIndex() > 0 {
		r.MoveTo = mailstore.Folder(e.moveTo.Selected)
	}
	if e.at >= 0 {
		r.ID = e.rules[e.at].ID
	}
	return r
}

// schedulePreview counts the messages the condition matches after a pause in typing.
func (e *ruleEditor) schedulePreview() {
	e.previewGen++
	gen, q := e.previewGen, strings.TrimSpace(e.query.Text)
	if e.cancelPreview != nil {
		e.cancelPreview()
		e.cancelPreview = nil
	}
	if q == "" {
		e.preview.SetText(lang.L("Type a condition to see how many messages it matches."))
		return
	}
	e.preview.SetText(lang.L("Counting…"))
	time.AfterFunc(e.delay, func() {
		e.m.bridge.do(func() {
			if gen == e.previewGen {
				e.countMatches(gen, q)
			}
		})
	})
}

func (e *ruleEditor) countMatches(gen int, q string) {
	eng := e.m.eng
	var n int
	e.cancelPreview = e.m.bridge.start(func(ctx context.Context) (err error) {
		n, err = eng.CountMatching(ctx, q)
		return err
	}, func(err error) {
		if gen != e.previewGen {
			return // typed on, or closed
		}
		e.cancelPreview = nil
		if err != nil {
			e.preview.SetText(lang.L("Not understood: {{.Error}}", map[string]any{"Error": err.Error()}))
			return
		}
		e.preview.SetText(lang.N("{{.Count}} existing messages match.", n, map[string]any{"Count": n}))
	})
}

// saveRule stores the form: a new rule after the others, or the changes of the one edited.
func (e *ruleEditor) saveRule() {
	r := e.rule()
	eng := e.m.eng
	id := r.ID
	e.m.bridge.run(func(ctx context.Context) (err error) {
		if r.ID != 0 {
			return eng.UpdateRule(ctx, r)
		}
		id, err = eng.AddRule(ctx, r)
		return err
	}, func(err error) {
		if err != nil {
			e.problem.SetText(lang.L("Not saved: {{.Error}}", map[string]any{"Error": err.Error()}))
			return
		}
		e.m.setStatus(lang.L("Saved the rule {{.Name}}.", map[string]any{"Name": r.Name}))
		e.load(id)
	})
}

func (e *ruleEditor) removeRule() {
	if e.at < 0 {
		return
	}
	r := e.rules[e.at]
	eng := e.m.eng
	e.m.bridge.run(func(ctx context.Context) error { return eng.RemoveRule(ctx, r.Name) }, func(err error) {
		if err != nil {
			e.problem.SetText(err.Error())
			return
		}
		e.m.setStatus(lang.L("Removed the rule {{.Name}}.", map[string]any{"Name": r.Name}))
		e.at = -1
		e.load(-1)
	})
}

// move moves the rule edited up (-1) or down (1) in the order rules run.
func (e *ruleEditor) move(by int) {
	to := e.at + by
	if e.at < 0 || to < 0 || to >= len(e.rules) {
		return
	}
	ids := make([]int64, len(e.rules))
	for i, r := range e.rules {
		ids[i] = r.ID
	}
	ids[e.at], ids[to] = ids[to], ids[e.at]
	moved := ids[to]
	eng := e.m.eng
	e.m.bridge.run(func(ctx context.Context) error { return eng.ReorderRules(ctx, ids) }, func(err error) {
		if err != nil {
			e.problem.SetText(err.Error())
			return
		}
		e.load(moved)
	})
}

// runNow runs every rule over the chosen folder, in the engine, and says what changed.
func (e *ruleEditor) runNow() {
	var scope mailstore.RunScope
	switch i := e.runIn.SelectedIndex(); {
	case i == 1:
		scope.Folder = mailstore.FolderInbox
	case i > 1:
		scope.Folder = mailstore.Folder(e.runIn.Selected)
	}
	eng, m := e.m.eng, e.m
	e.run.Disable()
	m.setStatus(lang.L("Running the rules…"))
	var res mailstore.RulesResult
	m.bridge.run(func(ctx context.Context) (err error) {
		res, err = eng.RunRules(ctx, scope)
		return err
	}, func(err error) {
		e.run.Enable()
		if err != nil {
			m.showError(lang.L("Could not run the rules"), err)
			return
		}
		m.setStatus(lang.N("The rules looked at {{.Count}} messages and changed {{.Changed}}.", res.Examined,
			map[string]any{"Count": res.Examined, "Changed": res.Changed}))
		m.loadMessages()
		m.refreshCounts()
	})
}
