package pop3

import (
	"bytes"
	"errors"
	"strings"
)

// Limits on what the server may send. RFC 2449 caps a status line at 512
// octets; real servers occasionally exceed it, so allow 4096 before giving up.
const (
	maxLineLen = 4096
	// maxUIDLen tolerates servers that exceed RFC 1939's 70 octets.
	maxUIDLen = 512
	// maxID bounds message numbers so they fit an int on every platform.
	maxID = 1<<31 - 1
)

// maxListingEntries caps the lines in one UIDL/LIST/CAPA listing. A variable
// so tests can lower it.
var maxListingEntries = 10_000_000

// status is a parsed +OK/-ERR line.
type status struct {
	ok   bool
	code string // RFC 2449 response code without brackets; "" if none
	text string // the rest, after the code
}

// parseStatus parses a status line (without its line ending). The indicator
// is matched case-insensitively to tolerate sloppy servers; anything else is
// an error.
func parseStatus(line []byte) (status, error) {
	var st status
	var rest []byte
	switch {
	case hasPrefixFold(line, "+OK"):
		st.ok = true
		rest = line[3:]
	case hasPrefixFold(line, "-ERR"):
		rest = line[4:]
	default:
		return st, errBadStatus
	}
	if len(rest) > 0 {
		if rest[0] != ' ' && rest[0] != '\t' {
			return status{}, errBadStatus
		}
		rest = bytes.TrimLeft(rest, " \t")
	}
	st.code, rest = parseRespCode(rest)
	st.text = string(bytes.TrimRight(rest, " \t"))
	return st, nil
}

// errBadStatus is turned into a ProtocolError by the caller, which knows the
// command.
var errBadStatus = errors.New("status line is neither +OK nor -ERR")

func hasPrefixFold(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && strings.EqualFold(string(b[:len(prefix)]), prefix)
}

// parseRespCode splits "[SYS/TEMP] text" into "SYS/TEMP" and "text". Per RFC
// 2449 a code is one or more levels of upper-case letters and hyphens joined
// by "/"; bracketed text that doesn't fit is left as ordinary text.
func parseRespCode(b []byte) (string, []byte) {
	if len(b) == 0 || b[0] != '[' {
		return "", b
	}
	end := bytes.IndexByte(b, ']')
	if end < 0 {
		return "", b
	}
	code := b[1:end]
	if !validRespCode(code) {
		return "", b
	}
	return string(code), bytes.TrimLeft(b[end+1:], " \t")
}

func validRespCode(code []byte) bool {
	if len(code) == 0 {
		return false
	}
	levelLen := 0
	for _, c := range code {
		switch {
		case c >= 'A' && c <= 'Z', c == '-':
			levelLen++
		case c == '/':
			if levelLen == 0 {
				return false
			}
			levelLen = 0
		default:
			return false
		}
	}
	return levelLen > 0
}

// parseNumber parses a non-negative decimal without sign or spaces, up to max.
func parseNumber(s []byte, max int64) (int64, bool) {
	if len(s) == 0 || len(s) > 19 {
		return 0, false
	}
	var n int64
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := int64(c - '0')
		// Checked before multiplying: 19 digits can overflow int64.
		if n > (max-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}

func parseID(s []byte) (int, bool) {
	n, ok := parseNumber(s, maxID)
	if !ok || n == 0 {
		return 0, false
	}
	return int(n), true
}

const maxSize = 1<<63 - 1

// fields splits on runs of spaces and tabs. RFC 1939 says single spaces;
// tolerating more costs nothing.
func fields(b []byte) [][]byte {
	return bytes.FieldsFunc(b, func(r rune) bool { return r == ' ' || r == '\t' })
}

// parseStat parses the text of a STAT reply: "nn mm [anything]".
func parseStat(text string) (count int, size int64, ok bool) {
	f := fields([]byte(text))
	if len(f) < 2 {
		return 0, 0, false
	}
	c, ok1 := parseNumber(f[0], maxID)
	s, ok2 := parseNumber(f[1], maxSize)
	if !ok1 || !ok2 {
		return 0, 0, false
	}
	return int(c), s, true
}

// parseListLine parses one scan listing line, "n size". RFC 1939 allows
// servers to append more information after the size, which is ignored.
func parseListLine(line []byte) (MessageSize, string) {
	f := fields(line)
	if len(f) < 2 {
		return MessageSize{}, "malformed LIST line"
	}
	id, ok := parseID(f[0])
	if !ok {
		return MessageSize{}, "bad message number in LIST line"
	}
	size, ok := parseNumber(f[1], maxSize)
	if !ok {
		return MessageSize{}, "bad size in LIST line"
	}
	return MessageSize{ID: id, Size: size}, ""
}

// parseUIDLLine parses one unique-id listing line, "n uid". The UID must be
// printable ASCII without spaces (RFC 1939: 0x21-0x7E); the 70-octet limit is
// relaxed to maxUIDLen because some servers exceed it.
func parseUIDLLine(line []byte) (UIDL, string) {
	id, uid, reason := parseUIDLBytes(line)
	if reason != "" {
		return UIDL{}, reason
	}
	return UIDL{ID: id, UID: string(uid)}, ""
}

// parseUIDLBytes is parseUIDLLine leaving the unique-id in line, for a caller that keeps many.
func parseUIDLBytes(line []byte) (id int, uid []byte, reason string) {
	sp := bytes.IndexAny(line, " \t")
	if sp < 0 {
		return 0, nil, "malformed UIDL line"
	}
	id, ok := parseID(line[:sp])
	if !ok {
		return 0, nil, "bad message number in UIDL line"
	}
	uid = bytes.TrimLeft(line[sp+1:], " \t")
	uid = bytes.TrimRight(uid, " \t")
	if len(uid) == 0 {
		return 0, nil, "empty unique-id"
	}
	if len(uid) > maxUIDLen {
		return 0, nil, "unique-id too long"
	}
	for _, c := range uid {
		if c < 0x21 || c > 0x7e {
			return 0, nil, "unique-id contains a space, control or non-ASCII character"
		}
	}
	return id, uid, ""
}

// apopTimestamp extracts the RFC 1939 APOP timestamp ("<...@...>") from the
// greeting text, or "" if there is none or it looks malformed.
func apopTimestamp(text string) string {
	start := strings.IndexByte(text, '<')
	if start < 0 {
		return ""
	}
	end := strings.IndexByte(text[start:], '>')
	if end < 0 {
		return ""
	}
	ts := text[start : start+end+1]
	if len(ts) > 256 || !strings.Contains(ts, "@") {
		return ""
	}
	for i := 0; i < len(ts); i++ {
		if ts[i] < 0x21 || ts[i] > 0x7e {
			return ""
		}
	}
	return ts
}

// checkArg refuses arguments that would break command framing.
func checkArg(arg string) bool {
	return arg != "" && !strings.ContainsAny(arg, "\r\n\x00")
}
