package mimetext

import (
	"strings"
	"unicode/utf8"
)

// MaxMsgIDs bounds how many message ids MsgIDs returns: a References field can grow with every
// reply, and only the nearest ancestors matter for threading.
const MaxMsgIDs = 64

// maxMsgIDLen bounds one id; RFC 5322 sets no limit, but no real id is longer.
const maxMsgIDLen = 998

// MsgIDs returns the message ids of an In-Reply-To or References field, without angle
// brackets, in order, duplicates dropped, at most MaxMsgIDs (the last ones: the nearest
// ancestors). It is lenient, as mail clients write these fields loosely: every "<id>" is taken,
// text between them (phrases, comments, folding) is ignored, and a field with no brackets at
// all is read as one bare id when it is a single word with an "@". Nothing here fails.
func MsgIDs(field string) []string {
	var ids []string
	seen := map[string]bool{}
	add := func(id string) {
		id = clean(id)
		if id == "" || len(id) > maxMsgIDLen || strings.ContainsAny(id, " <>") || seen[id] {
			return
		}
		seen[id] = true
		ids = append(ids, id)
	}
	rest := field
	found := false
	for {
		i := strings.IndexByte(rest, '<')
		if i < 0 {
			break
		}
		j := strings.IndexByte(rest[i+1:], '>')
		if j < 0 {
			break
		}
		found = true
		add(rest[i+1 : i+1+j])
		rest = rest[i+1+j+1:]
	}
	if !found {
		if f := strings.Fields(field); len(f) == 1 && strings.Contains(f[0], "@") {
			add(f[0])
		}
	}
	if len(ids) > MaxMsgIDs {
		ids = ids[len(ids)-MaxMsgIDs:]
	}
	return ids
}

// replyPrefixes are the reply and forward markers mail clients put before a subject, in
// lower case, without the colon: English, German (AW, WG), Nordic (SV, VS), French (TR),
// Italian (R, RIF), Dutch (Antw, Doorst), Polish (Odp), Portuguese and Spanish (Res, Enc, RV),
// Finnish (VL), Turkish (YNT, İLT), Chinese and Japanese.
var replyPrefixes = map[string]bool{
	"re": true, "fwd": true, "fw": true, "aw": true, "wg": true, "sv": true, "vs": true,
	"tr": true, "r": true, "rif": true, "antw": true, "doorst": true, "odp": true, "res": true,
	"enc": true, "rv": true, "vl": true, "ynt": true, "ilt": true, "i̇lt": true, "回复": true,
	"回覆": true, "答复": true, "转发": true, "轉寄": true, "返信": true, "転送": true,
}

// maxListTag bounds a "[list-name]" tag that ThreadSubject drops.
const maxListTag = 64

// ThreadSubject returns the key under which a subject threads: reply and forward markers
// ("Re:", "AW:", "Fwd:", "Re[2]:", "Re^2:"), mailing-list tags ("[users]") and surrounding
// space removed, however they nest, space runs folded and letters lower-cased. reply says
// whether a reply or forward marker was found: only such a message may join a thread by its
// subject when its references name nothing stored.
func ThreadSubject(subject string) (key string, reply bool) {
	s := strings.Join(strings.Fields(clean(subject)), " ")
	for {
		s = strings.TrimSpace(s)
		if strings.HasPrefix(s, "[") {
			if end := strings.IndexByte(s, ']'); end > 0 && end <= maxListTag {
				s = s[end+1:]
				continue
			}
		}
		word, ok := cutReplyPrefix(s)
		if !ok {
			break
		}
		s = word
		reply = true
	}
	return strings.ToLower(s), reply
}

// cutReplyPrefix removes one reply marker from the start of s: a known prefix, an optional
// counter ("[2]", "(2)", "^2"), and a colon (ASCII or full-width).
func cutReplyPrefix(s string) (string, bool) {
	colon := strings.IndexAny(s, ":：")
	if colon <= 0 || colon > 16 {
		return s, false
	}
	word := strings.ToLower(strings.TrimSpace(s[:colon]))
	if i := strings.IndexAny(word, "[(^"); i > 0 {
		counter := strings.Trim(word[i:], "[]()^ ")
		for _, r := range counter {
			if r < '0' || r > '9' {
				return s, false
			}
		}
		word = strings.TrimSpace(word[:i])
	}
	if !replyPrefixes[word] {
		return s, false
	}
	_, size := utf8.DecodeRuneInString(s[colon:])
	return s[colon+size:], true
}
