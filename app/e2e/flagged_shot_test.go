package e2e

import (
	"encoding/json"
	"image"
	"strconv"
	"testing"
)

// shootFlagged saves flagged.png: the list with the newest message flagged and open (the
// toolbar offering Unflag), the next flagged and unread, the third unread only. The marks are
// set with the command line first.
func shootFlagged(t *testing.T, c *cli, listed func(image.Image) bool, save func(image.Image, string)) {
	t.Helper()
	var msgs []struct {
		ID     int64  `json:"id"`
		Folder string `json:"folder"`
	}
	if err := json.Unmarshal([]byte(c.ok("", "list", "--json")), &msgs); err != nil {
		t.Fatalf("list --json: %v", err)
	}
	// The inbox, newest first, as All mail lists it (the other folders' mail is not shown).
	var inbox []string
	for _, m := range msgs {
		if m.Folder == "inbox" {
			inbox = append(inbox, strconv.FormatInt(m.ID, 10))
		}
	}
	if len(inbox) < 3 {
		t.Fatalf("%d messages in the inbox, want 3 or more", len(inbox))
	}
	c.ok("", append(append([]string{"mark"}, inbox...), "--read", "--unflag")...)
	c.ok("", "mark", inbox[0], "--flag")
	c.ok("", "mark", inbox[1], "--flag", "--unread")
	c.ok("", "mark", inbox[2], "--unread")

	w := startWindow(t, c)
	ready := w.waitFor("the message list", listed)
	w.click(420, 130) // the first row: flagged, read
	save(w.waitFor("the first message open", func(img image.Image) bool { return differs(ready, img, viewer) }), "flagged.png")
	w.stop()
}
