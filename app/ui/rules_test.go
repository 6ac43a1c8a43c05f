package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/pouchmail/pouch/mailstore"
)

func TestRuleEditor(t *testing.T) {
	f := newWindow(t)
	ctx := context.Background()
	f.withFolders(t, "Invoices")
	if _, err := f.w.eng.IndexBacklog(ctx, nil); err != nil {
		t.Fatal(err)
	}
	var e *ruleEditor
	f.q.wait(func() {
		f.w.previewDelay = 20 * time.Millisecond
		e = f.w.showRules()
	})
	preview := func(want string) {
		t.Helper()
		f.eventually(t, "the preview to say "+want, func() bool { return e.preview.Text == want })
	}
	preview("Type a condition to see how many messages it matches.")

	// The count follows the condition as it is typed (after a pause, off the UI goroutine).
	f.q.wait(func() { test.Type(e.query, "subject:report") })
	preview("1 existing message matches.")
	f.q.wait(func() { e.query.SetText("has:pictures") })
	f.eventually(t, "the preview to say the query is not understood", func() bool { return strings.HasPrefix(e.preview.Text, "Not understood") })
	f.q.wait(func() { e.query.SetText("subject:report") })
	preview("1 existing message matches.")

	// A rule with a move and a mark; a second one that trashes.
	f.q.wait(func() {
		test.Type(e.name, "Reports")
		e.moveTo.SetSelected("Invoices")
		e.markRead.SetChecked(true)
		e.saveRule()
	})
	f.eventually(t, "the first rule saved", func() bool { return len(e.rules) == 1 && e.at == 0 })
	f.q.wait(func() {
		e.list.UnselectAll()
		e.edit(-1)
		e.name.SetText("Lunch")
		e.query.SetText("subject:lunch")
		e.trash.SetChecked(true)
		e.stop.SetChecked(true)
		e.saveRule()
	})
	f.eventually(t, "the second rule saved", func() bool { return len(e.rules) == 2 && e.at == 1 })
	f.q.wait(func() { e.move(-1) })
	f.eventually(t, "Lunch first", func() bool { return len(e.rules) == 2 && e.rules[0].Name == "Lunch" && e.at == 0 })
	rules, err := f.w.eng.Rules(ctx)
	if err != nil || len(rules) != 2 || rules[0].Name != "Lunch" || rules[1].MoveTo != "Invoices" || !rules[1].MarkRead ||
		!rules[0].Trash || !rules[0].Stop {
		t.Fatalf("stored rules = %+v, %v", rules, err)
	}
	// A rule that cannot be stored says why in the editor.
	f.q.wait(func() {
		e.list.UnselectAll()
		e.edit(-1)
		e.name.SetText("Nothing")
		e.query.SetText("from:x")
		e.saveRule()
	})
	f.eventually(t, "the refusal", func() bool { return strings.HasPrefix(e.problem.Text, "Not saved:") })

	// Run now on the whole archive.
	f.q.wait(func() {
		e.runIn.SetSelectedIndex(0)
		e.runNow()
	})
	f.eventually(t, "the run's outcome", func() bool { return strings.Contains(f.w.status.Text, "changed 2") })
	for _, tc := range []struct {
		subject string
		folder  mailstore.Folder
		trashed bool
	}{{"Quarterly report", "Invoices", false}, {"Lunch on Friday", mailstore.FolderInbox, true}} {
		found, err := f.w.eng.Search(ctx, "subject:\""+tc.subject+"\" in:"+string(map[bool]mailstore.Folder{true: "trash", false: tc.folder}[tc.trashed]), 10)
		if err != nil || len(found) != 1 {
			t.Errorf("after the run, %q in %s: %d found, %v", tc.subject, tc.folder, len(found), err)
		}
	}

	// Remove.
	f.q.wait(func() { e.list.UnselectAll(); e.list.Select(0); e.removeRule() })
	f.eventually(t, "one rule left", func() bool { return len(e.rules) == 1 && e.rules[0].Name == "Reports" })
	// Escape while typing the condition closes the editor.
	f.q.wait(func() { f.w.window.Canvas().Focus(e.query) })
	f.key(fyne.KeyEscape, false)
	if f.w.rules != nil || f.w.window.Canvas().Overlays().Top() != nil {
		t.Error("Escape in the condition did not close the editor")
	}
}
