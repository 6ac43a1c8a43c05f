package mailstore

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Query is a parsed search query. Every part must match (AND).
//
// Syntax, as typed in the CLI or the window's search field:
//
//	word            the word anywhere (subject, addresses, body text, attachment names)
//	"a phrase"      the words next to each other, in this order
//	pref*           words starting with pref
//	from:x to:x cc:x subject:x body:x     x (a word, "a phrase" or pref*) in that field only
//	has:attachment  messages with at least one attachment
//	is:unread is:read is:flagged is:unflagged   only messages in that state
//	after:2026-11-18  on or after that day (local time); before:2026-11-18  before that day
//	account:NAME    messages of that account
//	in:trash        search the Trash instead of the other messages
//	in:inbox in:sent in:outbox in:drafts   only that folder (fetched mail is in the inbox)
//	in:Work/Invoices  only that user folder (not its subfolders); in:"My folder" when it has spaces
//
// Matching ignores case and accents ("cafe" finds "café"). Anything else is taken as words:
// an unknown "foo:bar" searches for foo and bar, and punctuation only separates words, so no
// input can produce an FTS5 syntax error.
type Query struct {
	Terms         []Term
	Account       string
	HasAttachment bool
	After         time.Time // inclusive; zero = no bound
	Before        time.Time // exclusive; zero = no bound
	Trash         bool
	Folder        Folder // "" = every folder
	// Read, Unread, Flagged and Unflagged each keep only the messages in that state
	// (is:read, is:unread, is:flagged, is:unflagged).
	Read, Unread       bool
	Flagged, Unflagged bool
	// Unsearchable is set when the query held text with nothing to search for (only
	// punctuation or symbols): such a query matches nothing rather than everything.
	Unsearchable bool
}

// Term is one full-text condition.
type Term struct {
	Field  string // "" = any field; else "from", "to", "cc", "subject" or "body"
	Text   string // as typed, without quotes or the trailing *
	Phrase bool   // was quoted
	Prefix bool   // ended in *
}

// QueryError is a search query that cannot be understood, such as a bad date.
type QueryError struct {
	Query string
	Msg   string
}

func (e *QueryError) Error() string { return "search query: " + e.Msg }

// searchFields maps a query field to its FTS5 columns.
var searchFields = map[string]string{
	"from":    "from_addr",
	"to":      "to_addr",
	"cc":      "cc_addr",
	"subject": "subject",
	"body":    "body",
}

// maxQueryLen bounds what is parsed; longer input is an error rather than a huge expression.
const maxQueryLen = 4096

// ParseQuery parses s with dates in the local time zone.
func ParseQuery(s string) (Query, error) { return ParseQueryIn(s, time.Local) }

// ParseQueryIn parses s with dates in loc.
func ParseQueryIn(s string, loc *time.Location) (Query, error) {
	var q Query
	if len(s) > maxQueryLen {
		return q, &QueryError{Query: s, Msg: fmt.Sprintf("longer than %d bytes", maxQueryLen)}
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, " ")
	}
	// Control characters (NUL included) separate words like spaces do.
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	empty := true
	for _, tok := range tokenizeQuery(s) {
		empty = false
		if tok.quoted {
			q.addTerm(Term{Text: tok.text, Phrase: true})
			continue
		}
		key, val, ok := strings.Cut(tok.text, ":")
		key = strings.ToLower(key)
		if ok && (val != "" || tok.valueQuoted) {
			switch key {
			case "from", "to", "cc", "subject", "body":
				t := Term{Field: key, Text: val, Phrase: tok.valueQuoted}
				if !t.Phrase && strings.HasSuffix(val, "*") {
					t.Text, t.Prefix = strings.TrimRight(val, "*"), true
				}
				q.addTerm(t)
				continue
			case "has":
				switch strings.ToLower(val) {
				case "attachment", "attachments":
					q.HasAttachment = true
					continue
				}
				return q, &QueryError{Query: s, Msg: fmt.Sprintf("has:%s: only has:attachment is known", val)}
			case "is":
				switch strings.ToLower(val) {
				case "read":
					q.Read = true
				case "unread":
					q.Unread = true
				case "flagged":
					q.Flagged = true
				case "unflagged":
					q.Unflagged = true
				default:
					return q, &QueryError{Query: s, Msg: fmt.Sprintf("is:%s: only is:unread, is:read, is:flagged and is:unflagged are known", val)}
				}
				continue
			case "in":
				if strings.EqualFold(val, "trash") {
					q.Trash = true
					continue
				}
				f, err := ParseFolder(val)
				if err != nil {
					return q, &QueryError{Query: s, Msg: fmt.Sprintf("in:%s: %v", val, err)}
				}
				q.Folder = f
				continue
			case "account":
				q.Account = val
				continue
			case "before", "after":
				d, err := time.ParseInLocation("2006-01-02", val, loc)
				if err != nil {
					return q, &QueryError{Query: s, Msg: fmt.Sprintf("%s:%s: want a date like 2026-11-18", key, val)}
				}
				if key == "before" {
					q.Before = d
				} else {
					q.After = d
				}
				continue
			}
		}
		t := Term{Text: tok.text}
		if strings.HasSuffix(t.Text, "*") {
			t.Text, t.Prefix = strings.TrimRight(t.Text, "*"), true
		}
		q.addTerm(t)
	}
	if empty {
		return q, &QueryError{Query: s, Msg: "empty query"}
	}
	return q, nil
}

// addTerm keeps t if it has something the index can find: the tokenizer only indexes letters
// and digits, so a term of punctuation would be an empty phrase.
func (q *Query) addTerm(t Term) {
	if !searchable(t.Text) {
		q.Unsearchable = true
		return
	}
	q.Terms = append(q.Terms, t)
}

func searchable(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			return true
		}
	}
	return false
}

type queryToken struct {
	text        string
	quoted      bool // the whole token was "quoted"
	valueQuoted bool // field:"quoted value"
}

// tokenizeQuery splits s at spaces outside quotes. A quote not closed runs to the end.
func tokenizeQuery(s string) []queryToken {
	var toks []queryToken
	for {
		s = strings.TrimLeftFunc(s, unicode.IsSpace)
		if s == "" {
			return toks
		}
		if s[0] == '"' {
			text, rest := untilQuote(s[1:])
			toks = append(toks, queryToken{text: text, quoted: true})
			s = rest
			continue
		}
		end := strings.IndexFunc(s, unicode.IsSpace)
		if end < 0 {
			end = len(s)
		}
		word := s[:end]
		// field:"a phrase with spaces"
		if i := strings.Index(word, `:"`); i > 0 && !strings.ContainsAny(word[:i], `"`) {
			text, rest := untilQuote(s[i+2:])
			toks = append(toks, queryToken{text: s[:i+1] + text, valueQuoted: true})
			s = rest
			continue
		}
		toks = append(toks, queryToken{text: word})
		s = s[end:]
	}
}

// untilQuote returns the text before the next '"' and what follows it.
func untilQuote(s string) (text, rest string) {
	if i := strings.IndexByte(s, '"'); i >= 0 {
		return s[:i], s[i+1:]
	}
	return s, ""
}

// Match returns the FTS5 MATCH expression for the full-text terms, or "" if there are none.
// Every term is a quoted FTS5 string (quotes doubled), so user text is never FTS5 syntax.
func (q Query) Match() string {
	parts := make([]string, 0, len(q.Terms))
	for _, t := range q.Terms {
		var b strings.Builder
		if col := searchFields[t.Field]; col != "" {
			b.WriteString(col)
			b.WriteString(" : ")
		}
		b.WriteByte('"')
		b.WriteString(strings.ReplaceAll(t.Text, `"`, `""`))
		b.WriteByte('"')
		if t.Prefix {
			b.WriteByte('*')
		}
		parts = append(parts, b.String())
	}
	return strings.Join(parts, " AND ")
}
