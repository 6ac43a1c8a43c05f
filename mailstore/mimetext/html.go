package mimetext

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"
)

// htmlToText renders HTML as readable plain text with a small tokenizer:
// tags are dropped, script/style/head content skipped, entities decoded,
// whitespace collapsed outside <pre>, and block elements start new lines.
// Link targets that differ from their text are shown after it, so a
// deceptive link is visible. Nothing is fetched.
func htmlToText(s string) string {
	w := &textWriter{}
	pre := 0
	href, linkStart := "", -1
	for i := 0; i < len(s); {
		if s[i] != '<' {
			j := strings.IndexByte(s[i:], '<')
			if j < 0 {
				j = len(s) - i
			}
			w.text(html.UnescapeString(s[i:i+j]), pre > 0)
			i += j
			continue
		}
		rest := s[i:]
		switch {
		case strings.HasPrefix(rest, "<!--"):
			end := strings.Index(rest[4:], "-->")
			if end < 0 {
				return w.String()
			}
			i += 4 + end + 3
			continue
		case strings.HasPrefix(rest, "<!") || strings.HasPrefix(rest, "<?"):
			end := strings.IndexByte(rest, '>')
			if end < 0 {
				return w.String()
			}
			i += end + 1
			continue
		}
		t, ok := parseTag(rest)
		if !ok {
			w.text("<", pre > 0) // a lone '<' is text
			i++
			continue
		}
		i += t.end
		switch t.name {
		case "script", "style", "head", "title", "template", "noscript", "svg", "object":
			if !t.closing && !t.selfClosing {
				// Raw content: skip to the matching end tag.
				end := indexEndTag(s[i:], t.name)
				if end < 0 {
					return w.String()
				}
				i += end
			}
		case "br":
			w.newline()
		case "p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "ul", "ol", "dl", "hr":
			w.paragraph()
		case "div", "tr", "section", "article", "header", "footer", "nav", "aside", "main",
			"dt", "dd", "form", "figure", "address", "center", "caption", "body":
			w.block()
		case "li":
			w.block()
			if !t.closing {
				w.text("- ", true)
			}
		case "td", "th":
			if !t.closing {
				w.text(" ", false)
			}
		case "pre":
			w.paragraph()
			if t.closing {
				pre = max(pre-1, 0)
			} else {
				pre++
			}
		case "a":
			if !t.closing {
				href, linkStart = t.attrs["href"], w.Len()
				break
			}
			if linkStart >= 0 && showHref(href, w.String()[linkStart:]) {
				w.text(" <"+href+">", true)
			}
			href, linkStart = "", -1
		}
	}
	return w.String()
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

type tag struct {
	name                 string // lower case
	closing, selfClosing bool
	attrs                map[string]string
	end                  int // bytes consumed, including '>'
}

// parseTag parses the tag at the start of s (s[0] == '<'). A tag without
// its '>' runs to the end of s.
func parseTag(s string) (tag, bool) {
	var t tag
	j := 1
	if j < len(s) && s[j] == '/' {
		t.closing = true
		j++
	}
	start := j
	for j < len(s) && (isASCIILetter(s[j]) || (j > start && s[j] >= '0' && s[j] <= '9')) {
		j++
	}
	if j == start {
		return t, false
	}
	t.name = strings.ToLower(s[start:j])
	t.attrs = map[string]string{}
	for j < len(s) {
		c := s[j]
		switch {
		case c == '>':
			t.end = j + 1
			return t, true
		case c == '/':
			t.selfClosing = true
			j++
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			j++
		default:
			t.selfClosing = false
			j = parseAttr(s, j, t.attrs)
		}
	}
	t.end = len(s)
	return t, true
}

// parseAttr reads one name[=value] at s[j:] into attrs and returns the
// index after it.
func parseAttr(s string, j int, attrs map[string]string) int {
	start := j
	for j < len(s) && !strings.ContainsRune(" \t\n\r\f/>=", rune(s[j])) {
		j++
	}
	name := strings.ToLower(s[start:j])
	if j == start { // stray '=' or similar
		return j + 1
	}
	k := j
	for k < len(s) && strings.ContainsRune(" \t\n\r\f", rune(s[k])) {
		k++
	}
	if k >= len(s) || s[k] != '=' {
		attrs[name] = ""
		return j
	}
	k++
	for k < len(s) && strings.ContainsRune(" \t\n\r\f", rune(s[k])) {
		k++
	}
	var val string
	if k < len(s) && (s[k] == '"' || s[k] == '\'') {
		q := s[k]
		end := strings.IndexByte(s[k+1:], q)
		if end < 0 {
			val, k = s[k+1:], len(s)
		} else {
			val, k = s[k+1:k+1+end], k+1+end+1
		}
	} else {
		vs := k
		for k < len(s) && !strings.ContainsRune(" \t\n\r\f>", rune(s[k])) {
			k++
		}
		val = s[vs:k]
	}
	if _, dup := attrs[name]; !dup {
		attrs[name] = strings.TrimSpace(html.UnescapeString(val))
	}
	return k
}

func isASCIILetter(c byte) bool {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

// indexEndTag finds "</name" (any case) in s.
func indexEndTag(s, name string) int {
	for i := 0; ; {
		j := strings.Index(s[i:], "</")
		if j < 0 {
			return -1
		}
		i += j
		if k := i + 2 + len(name); k <= len(s) && strings.EqualFold(s[i+2:k], name) {
			return i
		}
		i += 2
	}
}

// textWriter accumulates rendered text, collapsing whitespace and limiting
// blank lines.
type textWriter struct {
	b     strings.Builder
	space bool // a collapsed space is pending
	nl    int  // newlines at the end of b
}

func (w *textWriter) Len() int       { return w.b.Len() }
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
