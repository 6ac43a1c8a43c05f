package e2e

import (
	"encoding/json"
	"image"
	"strconv"
	"testing"
	"time"
)

// shootOrganise saves folder-tree.png (the sidebar's folder tree with counts, a nested folder
// open), multi-select.png (a Shift-click range and a Ctrl-click in the list, the viewer counting
// them) and rules.png (the rule editor on a rule, with its count of matching messages). The
// folders, a rule and the moves are made with the command line first.
func shootOrganise(t *testing.T, c *cli, listed, modal func(image.Image) bool, save func(image.Image, string)) {
	t.Helper()
	var msgs []struct {
		ID      int64  `json:"id"`
		Subject string `json:"subject"`
	}
	if err := json.Unmarshal([]byte(c.ok("", "list", "--json")), &msgs); err != nil || len(msgs) < 4 {
		t.Fatalf("list --json: %d messages, %v", len(msgs), err)
	}
	// Several messages selected: a click on the first row, a Shift-click on the third, a
	// Ctrl-click on the fifth (rows are 74 pixels apart).
	w := startWindow(t, c)
	ready := w.waitFor("the message list", listed)
	w.click(420, 118)
	one := w.waitFor("the first message open", func(img image.Image) bool { return differs(ready, img, viewer) })
	w.xdo("mousemove", "--window", w.id, "420", "266")
	w.xdo("keydown", "shift")
	w.xdo("click", "1")
	w.xdo("keyup", "shift")
	w.xdo("mousemove", "--window", w.id, "420", "414")
	w.xdo("keydown", "ctrl")
	w.xdo("click", "1")
	w.xdo("keyup", "ctrl")
	time.Sleep(300 * time.Millisecond)
	save(w.waitFor("the selection counted", func(img image.Image) bool { return differs(one, img, viewer) }), "multi-select.png")
	w.stop()

	for _, p := range []string{"Work/Invoices", "Work/Travel", "Family"} {
		c.ok("", "folder", "create", p)
	}
	c.ok("", "move", strconv.FormatInt(msgs[len(msgs)-1].ID, 10), strconv.FormatInt(msgs[len(msgs)-2].ID, 10), "--to", "Work/Invoices")
	c.ok("", "mark", strconv.FormatInt(msgs[len(msgs)-1].ID, 10), "--unread")
	c.ok("", "rule", "add", "--name", "Reports", "--if", "subject:report", "--move-to", "Work/Invoices", "--mark-read")
	c.ok("", "rule", "add", "--name", "Newsletters", "--if", "from:news@", "--move-to", "Family", "--stop")

	// The tree: All mail, then Down through the sidebar to Invoices (seven rows below it:
	// Home, Drafts, Outbox, Sent, Family, Work, Invoices).
	w = startWindow(t, c)
	ready = w.waitFor("the message list", listed)
	w.click(60, 62)
	for range 7 {
		w.key("Down")
		time.Sleep(150 * time.Millisecond)
	}
	// (Not !modal: with All mail no longer selected its row is as dark as under a dialog.)
	save(w.waitFor("the folder's messages", func(img image.Image) bool {
		return differs(ready, img, messageList) && listed(img)
	}), "folder-tree.png")
	w.stop()

	// The rule editor, on its first rule, once the count of matches is in.
	w = startWindow(t, c)
	before := w.waitFor("the message list", func(img image.Image) bool { return listed(img) && !modal(img) })
	w.key("ctrl+shift+u")
	opened := w.waitFor("the rule editor", func(img image.Image) bool { return modal(img) && differs(before, img, dialogArea) })
	time.Sleep(time.Second) // the count comes after a pause
	save(w.waitFor("the rule editor settled", func(img image.Image) bool { return modal(img) && !uniform(img, dialogArea) && img != opened }),
		"rules.png")
	w.stop()
}
