package ui

import (
	"net/url"
	"regexp"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// bodyText is a message's text in the reading pane: its web and mail links clickable, showing
// their real target (the text is the address itself; HTML mail shows a link's target after its
// text), opened only when clicked; quoted lines ("> ") set apart; HTML headings as headings. It
// takes the keyboard in the Tab order after the list: Space and Page Down page it. Text is the
// plain text shown.
type bodyText struct {
	widget.BaseWidget
	rich   *widget.RichText
	Text   string
	open   func(*url.URL)    // a clicked link
	scroll *container.Scroll // the scroll the body is in, if any
	// window gets the keys the body has no use for (F5, Delete, Escape; /, j, k, m), so the
	// window's keys work while the reading pane has the keyboard (keys.go).
	window     func(*fyne.KeyEvent)
	windowRune func(rune)
}

var _ fyne.Focusable = (*bodyText)(nil)

func newBodyText(open func(*url.URL)) *bodyText {
	b := &bodyText{rich: widget.NewRichText(), open: open}
	b.rich.Wrapping = fyne.TextWrapWord
	b.ExtendBaseWidget(b)
	return b
}

func (b *bodyText) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(b.rich) }

// SetText shows s.
func (b *bodyText) SetText(s string) { b.show(s, nil) }

// show shows text whose lines numbered in headings (from 0) are headings.
func (b *bodyText) show(text string, headings []int) {
	b.Text = text
	b.rich.Segments = bodySegments(text, headings, b.open)
	b.rich.Refresh()
	b.Refresh()
	if b.scroll != nil {
		b.scroll.Refresh() // the scroll takes the body's new height
	}
}

func (b *bodyText) FocusGained() {}
func (b *bodyText) FocusLost()   {}
func (b *bodyText) TypedRune(r rune) {
	if b.windowRune != nil {
		b.windowRune(r)
	}
}

// TypedKey pages the body with Space and Page Down, back with Page Up; F5, Delete and Escape
// are the window's.
func (b *bodyText) TypedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyF5, fyne.KeyDelete, fyne.KeyEscape:
		if b.window != nil {
			b.window(ev)
		}
		return
	}
	if b.scroll == nil {
		return
	}
	step := max(b.scroll.Size().Height-2*theme.TextSize(), theme.TextSize())
	switch ev.Name {
	case fyne.KeySpace, fyne.KeyPageDown:
		step = +step
	case fyne.KeyPageUp:
		step = -step
	default:
		return
	}
	end := max(0, b.scroll.Content.MinSize().Height-b.scroll.Size().Height)
	b.scroll.ScrollToOffset(fyne.NewPos(b.scroll.Offset.X, min(end, max(0, b.scroll.Offset.Y+step))))
}

// linkPattern finds the links a text shows: web addresses and mailto:, up to a space or a
// bracket (HTML mail puts a target in <…>).
var linkPattern = regexp.MustCompile(`(?i)\b(?:https?://|mailto:)[^\s<>"]+`)

// quoteStyle sets quoted text apart: italic, in the secondary colour (readable, see theme.go).
var quoteStyle = widget.RichTextStyle{ColorName: theme.ColorNameDisabled, Inline: true,
	SizeName: theme.SizeNameText, TextStyle: fyne.TextStyle{Italic: true}}

// headingStyle is an HTML mail's heading: bold and larger, on a line of its own.
var headingStyle = widget.RichTextStyle{ColorName: theme.ColorNameForeground, Inline: true,
	SizeName: theme.SizeNameSubHeadingText, TextStyle: fyne.TextStyle{Bold: true}}

// bodySegments turns text into rich-text segments: the lines numbered in headings in
// headingStyle, quoted lines in quoteStyle, links as hyperlinks that call open, the rest as it
// is.
func bodySegments(text string, headings []int, open func(*url.URL)) []widget.RichTextSegment {
	var segs []widget.RichTextSegment
	var plain strings.Builder
	flush := func() {
		if plain.Len() > 0 {
			segs = append(segs, &widget.TextSegment{Style: widget.RichTextStyleInline, Text: plain.String()})
			plain.Reset()
		}
	}
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		nl := "\n"
		if i == len(lines)-1 {
			nl = ""
		}
		if slices.Contains(headings, i) {
			flush()
			segs = append(segs, &widget.TextSegment{Style: headingStyle, Text: line + nl})
			continue
		}
		if strings.HasPrefix(line, ">") {
			flush()
			segs = append(segs, &widget.TextSegment{Style: quoteStyle, Text: line + nl})
			continue
		}
		for rest := line; ; {
			loc := linkPattern.FindStringIndex(rest)
			if loc == nil {
				plain.WriteString(rest + nl)
				break
			}
			// Punctuation after a link ends the sentence, not the address.
			target := strings.TrimRight(rest[loc[0]:loc[1]], ".,;:!?)]}'")
			plain.WriteString(rest[:loc[0]])
			if u, err := url.Parse(target); err == nil && (u.Host != "" || u.Opaque != "") {
				flush()
				segs = append(segs, &widget.HyperlinkSegment{Text: target, URL: u, OnTapped: func() {
					if open != nil {
						open(u)
					}
				}})
			} else {
				plain.WriteString(target)
			}
			rest = rest[loc[0]+len(target):]
		}
	}
	flush()
	return segs
}
