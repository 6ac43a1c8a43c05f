package mimetext

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// htmlToText renders HTML as readable plain text. golang.org/x/net/html tokenizes it as a
// browser does (entities, script and style read as raw text, broken markup); the rendering is
// Pouch's: whitespace collapsed outside <pre>, a new line for each block element and a blank
// line around paragraphs, "- " before list items, and a link's target after its text when it
// says more than the text, so that a deceptive link is visible. Hidden content (head, script,
// style, templates, SVG, objects) is dropped. Nothing is fetched.
func htmlToText(s string) string {
	z := html.NewTokenizer(strings.NewReader(s))
	w := &textWriter{}
	var (
		pre       int       // open <pre> elements
		hidden    int       // open elements named hiddenIn, whose content is not shown
		hiddenIn  atom.Atom // head, template, svg or object
		raw       bool      // the next text is the raw content of a script, style and the like
		href      string
		linkStart = -1 // where the open link's text starts in w, -1 outside a link
		heading   bool // in a heading whose text has not started
	)
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken: // the end, or a read error: the input is in memory
			return w.String()
		case html.TextToken:
			if hidden == 0 && !raw {
				text := strings.ReplaceAll(string(z.Text()), string(headingMark), "")
				if heading && strings.TrimSpace(text) != "" {
					w.b.WriteRune(headingMark) // this line is a heading (headingLines)
					heading = false
				}
				w.text(text, pre > 0)
			}
			raw = false
			continue
		case html.CommentToken, html.DoctypeToken:
			continue
		}
		raw = false
		name, _ := z.TagName()
		a := atom.Lookup(name)
		// A self-closing tag counts as a start tag, as in HTML (<li/> opens an item).
		start := tt != html.EndTagToken
		switch a {
		case atom.Head, atom.Template, atom.Svg, atom.Object:
			if tt == html.StartTagToken && (hidden == 0 || a == hiddenIn) {
				hidden, hiddenIn = hidden+1, a
			} else if tt == html.EndTagToken && hidden > 0 && a == hiddenIn {
				hidden--
			}
			continue
		case atom.Body:
			hidden = 0 // the head ends here, its end tag or not
		}
		if hidden > 0 {
			if hiddenIn == atom.Svg {
				z.NextIsNotRawText() // SVG's <style> and <title> are not raw text
			}
			continue
		}
		switch a {
		case atom.Script, atom.Style, atom.Title, atom.Noscript, atom.Iframe, atom.Noembed, atom.Noframes:
			raw = start
		case atom.Br:
			w.newline()
		case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
			w.paragraph()
			heading = start // marked where its text starts

		case atom.P, atom.Blockquote, atom.Table, atom.Ul, atom.Ol, atom.Dl, atom.Hr:
			w.paragraph()
		case atom.Div, atom.Tr, atom.Section, atom.Article, atom.Header, atom.Footer, atom.Nav, atom.Aside,
			atom.Main, atom.Dt, atom.Dd, atom.Form, atom.Figure, atom.Address, atom.Center, atom.Caption, atom.Body:
			w.block()
		case atom.Li:
			w.block()
			if start {
				w.text("- ", true)
			}
		case atom.Td, atom.Th:
			if start {
				w.text(" ", false)
			}
		case atom.Pre:
			w.paragraph()
			if start {
				pre++
			} else {
				pre = max(pre-1, 0)
			}
		case atom.A:
			if start {
				href, linkStart = attr(z, "href"), w.b.Len()
				break
			}
			if linkStart >= 0 && showHref(href, w.b.String()[linkStart:]) {
				w.text(" <"+href+">", true)
			}
			href, linkStart = "", -1
		}
	}
}

// headingMark marks the start of a heading in htmlToText's output; headingLines takes the marks
// out. A private-use character, removed from the mail's own text first.
const headingMark = '\uE000'

// headingLines removes the heading marks from text and returns the text and the numbers of its
// lines (from 0) that are headings.
func headingLines(text string) (string, []int) {
	if !strings.ContainsRune(text, headingMark) {
		return text, nil
	}
	lines := strings.Split(text, "\n")
	var headings []int
	for i, l := range lines {
		if strings.ContainsRune(l, headingMark) {
			lines[i] = strings.ReplaceAll(l, string(headingMark), "")
			if strings.TrimSpace(lines[i]) != "" {
				headings = append(headings, i)
			}
		}
	}
	return strings.Join(lines, "\n"), headings
}

// attr returns the value of the current tag's first attribute called key, "" if none.
func attr(z *html.Tokenizer, key string) string {
	for more := true; more; {
		var k, v []byte
		k, v, more = z.TagAttr()
		if string(k) == key {
			return strings.TrimSpace(string(v))
		}
	}
	return ""
}

// showHref reports whether a link target adds information to its text.
func showHref(href, text string) bool {
	l := strings.ToLower(href)
	if !strings.HasPrefix(l, "http://") && !strings.HasPrefix(l, "https://") && !strings.HasPrefix(l, "mailto:") {
		return false
	}
	text = strings.TrimSpace(text)
	if strings.HasPrefix(l, "mailto:") && strings.EqualFold(text, href[len("mailto:"):]) {
		return false
	}
	return text != href
}

// textWriter accumulates rendered text, collapsing whitespace and limiting
// blank lines.
type textWriter struct {
	b     strings.Builder
	space bool // a collapsed space is pending
	nl    int  // newlines at the end of b
}

func (w *textWriter) String() string { return tidyLines(w.b.String()) }

func (w *textWriter) text(s string, verbatim bool) {
	if verbatim {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		if w.space && w.nl == 0 && w.b.Len() > 0 && s != "" && !strings.HasPrefix(s, " ") {
			w.b.WriteByte(' ')
		}
		w.space = false
		for _, r := range s {
			w.b.WriteRune(r)
			if r == '\n' {
				w.nl++
			} else {
				w.nl = 0
			}
		}
		return
	}
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		s = s[size:]
		if unicode.IsSpace(r) {
			w.space = true
			continue
		}
		if w.space && w.nl == 0 && w.b.Len() > 0 {
			w.b.WriteByte(' ')
		}
		w.space = false
		w.b.WriteRune(r)
		w.nl = 0
	}
}

func (w *textWriter) newline() {
	w.b.WriteByte('\n')
	w.nl++
	w.space = false
}

// block starts a new line unless already at one.
func (w *textWriter) block() {
	if w.b.Len() > 0 && w.nl == 0 {
		w.newline()
	}
	w.space = false
}

// paragraph leaves one blank line.
func (w *textWriter) paragraph() {
	if w.b.Len() == 0 {
		return
	}
	for w.nl < 2 {
		w.newline()
	}
	w.space = false
}

// tidyLines trims trailing spaces, keeps at most one blank line in a row,
// and trims blank lines at both ends.
func tidyLines(s string) string {
	lines := strings.Split(s, "\n")
	out := lines[:0]
	blank := 0
	for _, l := range lines {
		l = strings.TrimRightFunc(l, unicode.IsSpace)
		if l == "" {
			blank++
			if blank > 1 {
				continue
			}
		} else {
			blank = 0
		}
		out = append(out, l)
	}
	return strings.Trim(strings.Join(out, "\n"), "\n")
}
