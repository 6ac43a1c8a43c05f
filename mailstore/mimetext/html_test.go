package mimetext

import (
	"slices"
	"strings"
	"testing"
)

func TestHTMLToText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain text", "hello", "hello"},
		{"collapse whitespace", "a  \n\t b", "a b"},
		{"br", "a<br>b<br/>c<BR />d", "a\nb\nc\nd"},
		{"paragraphs", "<p>one</p><p>two</p>", "one\n\ntwo"},
		{"div", "<div>one</div><div>two</div>", "one\ntwo"},
		{"entities", "&lt;b&gt; &amp; &quot;q&quot; &#233; &#x20AC; &nbsp;x &unknown;", "<b> & \"q\" é € x &unknown;"},
		{"script and style", "a<script>var x = '</p>';</script>b<style>p{}</style>c", "abc"},
		{"script upper case", "a<SCRIPT>x</SCRIPT>b", "ab"},
		{"unclosed script", "a<script>alert(1)", "a"},
		{"comment", "a<!-- <p>hidden</p> -->b", "ab"},
		{"unclosed comment", "a<!-- b", "a"},
		{"doctype", "<!DOCTYPE html>a", "a"},
		{"lone less-than", "1 < 2 and 3 > 2", "1 < 2 and 3 > 2"},
		{"unclosed tag", "a<b", "a"},
		{"attribute with >", `<a title="x>y" href="https://e.org/">link</a>`, "link <https://e.org/>"},
		{"link same as text", `<a href="https://e.org/">https://e.org/</a>`, "https://e.org/"},
		{"mailto same as text", `<a href="mailto:x@e.org">x@e.org</a>`, "x@e.org"},
		{"javascript link hidden", `<a href="javascript:alert(1)">x</a>`, "x"},
		{"list", "<ul><li>a</li><li>b</li></ul>", "- a\n- b"},
		{"table", "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc"},
		{"pre keeps spaces", "<pre>a  b\n  c</pre>", "a  b\n  c"},
		{"blank lines limited", "a<br><br><br><br><br>b", "a\n\nb"},
		{"head skipped", "<html><head><title>T</title><meta charset=utf-8></head><body>x</body></html>", "x"},
		{"empty", "", ""},
		{"entity without semicolon", "fish &amp chips &copy 2026", "fish & chips © 2026"},
		{"raw text in svg is markup", "<svg><style>a</style><title>t</title></svg>b", "b"},
		// Where the old hand-written tokenizer went wrong: a head without its end tag hid the
		// whole message, and a line break inside a link's text could panic.
		{"head without end tag", "<head><title>T</title><body>x", "x"},
		{"break inside a link", `<pre>&nbsp;</p><a href="https://e.org/"><br>x</a>`, "x <https://e.org/>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := htmlToText(tt.in); got != tt.want {
				t.Errorf("htmlToText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestHTMLHeadings: HTML headings come out as lines of their own, named in Body.Headings, with
// the paragraphs and list items around them; a heading mark in the mail's own text is text.
func TestHTMLHeadings(t *testing.T) {
	raw := "Content-Type: text/html; charset=utf-8\r\n\r\n" +
		"<h1>Winter sale</h1><p>Everything \uE000 must go.</p><h2>  </h2><ul><li>Coats</li><li>Boots</li></ul><h3>Opening <b>hours</b></h3>9 to 5"
	b, err := ParseBody([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	want := "Winter sale\n\nEverything must go.\n\n- Coats\n- Boots\n\nOpening hours\n\n9 to 5"
	if b.Text != want {
		t.Errorf("text\n%q\nwant\n%q", b.Text, want)
	}
	lines := strings.Split(b.Text, "\n")
	var got []string
	for _, i := range b.Headings {
		got = append(got, lines[i])
	}
	if want := []string{"Winter sale", "Opening hours"}; !slices.Equal(got, want) {
		t.Errorf("headings %q (lines %v), want %q", got, b.Headings, want)
	}
}

// TestCleanText: line ends become "\n" and control characters go, in one pass.
func TestCleanText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a\r\nb\rc\nd", "a\nb\nc\nd"},
		{"\r\r\n\r", "\n\n\n"},
		{"tab\there\x1b[31mred\x7f\u0085end", "tab\there[31mredend"},
		{"café ✓", "café ✓"},
		{"", ""},
		{"ends with\r", "ends with\n"},
	}
	for _, tt := range tests {
		if got := cleanText(tt.in); got != tt.want {
			t.Errorf("cleanText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
