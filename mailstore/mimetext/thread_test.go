package mimetext

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestMsgIDs(t *testing.T) {
	tests := []struct {
		name, field string
		want        []string
	}{
		{"empty", "", nil},
		{"one", "<a@example.org>", []string{"a@example.org"}},
		{"folded list", "<a@x.org>\r\n <b@x.org>\r\n\t<c@x.org>", []string{"a@x.org", "b@x.org", "c@x.org"}},
		{"no spaces", "<a@x.org><b@x.org>", []string{"a@x.org", "b@x.org"}},
		// Outlook and some list software write a phrase or comment around the id.
		{"phrase", `"Anna" <a@x.org> (Anna's message of Mon)`, []string{"a@x.org"}},
		{"bare id", "a@x.org", []string{"a@x.org"}},
		{"bare words", "Your message of Monday", nil},
		{"duplicates", "<a@x.org> <b@x.org> <a@x.org>", []string{"a@x.org", "b@x.org"}},
		{"unclosed", "<a@x.org> <b@x.org", []string{"a@x.org"}},
		{"empty brackets", "<> <a@x.org>", []string{"a@x.org"}},
		{"space inside", "<a b@x.org> <c@x.org>", []string{"c@x.org"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MsgIDs(tt.field); !slices.Equal(got, tt.want) {
				t.Errorf("MsgIDs(%q) = %q, want %q", tt.field, got, tt.want)
			}
		})
	}
}

func TestMsgIDsKeepsNearestAncestors(t *testing.T) {
	var b strings.Builder
	for i := range MaxMsgIDs + 10 {
		fmt.Fprintf(&b, "<m%d@x.org> ", i)
	}
	got := MsgIDs(b.String())
	if len(got) != MaxMsgIDs || got[0] != "m10@x.org" || got[len(got)-1] != fmt.Sprintf("m%d@x.org", MaxMsgIDs+9) {
		t.Errorf("MsgIDs kept %d ids from %s to %s, want the last %d", len(got), got[0], got[len(got)-1], MaxMsgIDs)
	}
}

func TestThreadSubject(t *testing.T) {
	tests := []struct {
		subject, key string
		reply        bool
	}{
		{"Quarterly report", "quarterly report", false},
		{"Re: Quarterly report", "quarterly report", true},
		{"RE: RE: Quarterly  report ", "quarterly report", true},
		{"AW: WG: Quarterly report", "quarterly report", true},
		{"Fwd: Re: Quarterly report", "quarterly report", true},
		{"Re[2]: Quarterly report", "quarterly report", true},
		{"Re^3: Quarterly report", "quarterly report", true},
		{"Re (2): Quarterly report", "quarterly report", true},
		{"[users] Re: [users] Quarterly report", "quarterly report", true},
		{"[users] Quarterly report", "quarterly report", false},
		{"SV: Quarterly report", "quarterly report", true},
		{"TR: Quarterly report", "quarterly report", true},
		{"Odp: Quarterly report", "quarterly report", true},
		{"回复：季度报告", "季度报告", true},
		{"Note: Quarterly report", "note: quarterly report", false},
		{"Re:", "", true},
		{"Résumé: Quarterly report", "résumé: quarterly report", false},
		{"[not closed Quarterly report", "[not closed quarterly report", false},
		{"", "", false},
	}
	for _, tt := range tests {
		key, reply := ThreadSubject(tt.subject)
		if key != tt.key || reply != tt.reply {
			t.Errorf("ThreadSubject(%q) = %q, %v; want %q, %v", tt.subject, key, reply, tt.key, tt.reply)
		}
	}
}

// FuzzThreadHeaders holds the invariants threading relies on: ids are bounded, bracket-free
// and unique; a subject key is valid text, stable (the key of a key is itself) and no longer
// than the subject's cleaned text.
func FuzzThreadHeaders(f *testing.F) {
	for _, s := range []string{"<a@x.org> <b@x.org>", "Re: [x] AW: Hi", "a@b", "<<>>", "Re[9]:", "回复：x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ids := MsgIDs(s)
		if len(ids) > MaxMsgIDs {
			t.Fatalf("%d ids", len(ids))
		}
		seen := map[string]bool{}
		for _, id := range ids {
			if id == "" || strings.ContainsAny(id, "<> ") || len(id) > maxMsgIDLen || seen[id] || !utf8.ValidString(id) {
				t.Fatalf("bad id %q from %q", id, s)
			}
			seen[id] = true
		}
		key, _ := ThreadSubject(s)
		if !utf8.ValidString(key) {
			t.Fatalf("key %q not UTF-8", key)
		}
		if again, _ := ThreadSubject(key); again != key {
			t.Fatalf("ThreadSubject(%q) = %q, but ThreadSubject of that = %q", s, key, again)
		}
	})
}

func TestParseHeadersThreadFields(t *testing.T) {
	raw := []byte("Message-ID: <c@x.org>\r\nIn-Reply-To: <b@x.org>\r\nReferences: <a@x.org>\r\n <b@x.org>\r\nSubject: Re: x\r\n\r\nbody\r\n")
	hd := ParseHeaders(raw)
	if hd.MessageID != "c@x.org" || !slices.Equal(hd.InReplyTo, []string{"b@x.org"}) || !slices.Equal(hd.References, []string{"a@x.org", "b@x.org"}) {
		t.Errorf("ParseHeaders = id %q, in-reply-to %q, references %q", hd.MessageID, hd.InReplyTo, hd.References)
	}
}
