package pop3

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// uidlChunk is how many bytes of unique-ids UIDLAll keeps in one string (each is at most
// maxUIDLen).
const uidlChunk = 64 << 10

// UIDL is one line of a unique-id listing: a message number, valid for this
// session only, and the message's persistent unique id.
type UIDL struct {
	ID  int
	UID string
}

// MessageSize is one line of a scan listing. Size is the server's figure in
// octets (with CRLF line ends); treat it as a hint.
type MessageSize struct {
	ID   int
	Size int64
}

// Login authenticates with USER and PASS (RFC 1939). A refusal is an *Error;
// its Action tells bad credentials from a mailbox that is busy or a server
// that is failing. Credentials go in the clear
// unless the connection uses TLS.
func (c *Client) Login(ctx context.Context, user, pass string) error {
	// Check both before sending either, so a bad password never leaves
	// a half-done login behind.
	if !checkArg(user) || !checkArg(pass) {
		return fmt.Errorf("%w: user name or password empty or contains CR, LF or NUL", ErrInvalidArgument)
	}
	end, err := c.start(ctx, "USER")
	if err != nil {
		return err
	}
	defer end()
	if err := c.send(ctx, "USER", user); err != nil {
		return err
	}
	if _, err := c.readStatus(ctx, "USER"); err != nil {
		return err
	}
	if err := c.send(ctx, "PASS", pass); err != nil {
		return err
	}
	if _, err := c.readStatus(ctx, "PASS"); err != nil {
		return err
	}
	// RFC 2449: capabilities may differ after authentication.
	c.caps = nil
	return nil
}

// Stat returns the number of messages and the total size of the maildrop.
// Both are hints and must not be trusted for allocation.
func (c *Client) Stat(ctx context.Context) (count int, size int64, err error) {
	end, err := c.start(ctx, "STAT")
	if err != nil {
		return 0, 0, err
	}
	defer end()
	if err := c.send(ctx, "STAT"); err != nil {
		return 0, 0, err
	}
	st, err := c.readStatus(ctx, "STAT")
	if err != nil {
		return 0, 0, err
	}
	count, size, ok := parseStat(st.text)
	if !ok {
		return 0, 0, c.fail(protoErr("STAT", "malformed STAT reply", []byte(st.text)))
	}
	return count, size, nil
}

// UIDLAll returns the unique-id listing of all messages not marked deleted.
// Each UID is 1-70 (tolerated up to 512) printable ASCII characters; a listing
// with an invalid UID or a duplicate message number is a *ProtocolError. A UID
// listed for more than one message cannot tell them apart across sessions:
// those messages are left out, and the rest of the listing is returned with a
// *DuplicateUIDLError naming them, so a caller can go on without them.
func (c *Client) UIDLAll(ctx context.Context) ([]UIDL, error) {
	end, err := c.start(ctx, "UIDL")
	if err != nil {
		return nil, err
	}
	defer end()
	if err := c.send(ctx, "UIDL"); err != nil {
		return nil, err
	}
	if _, err := c.readStatus(ctx, "UIDL"); err != nil {
		return nil, err
	}
	// 100,000 messages left on a server are listed on every poll, in bounded memory: the
	// unique-ids are read into a reused buffer and become substrings of one string per
	// uidlChunk, the listing grows by doubling (append's gentler growth would copy it many times
	// over), and duplicates are found by sorting the listing's indexes (message numbers only
	// when they are not ascending, as servers send them).
	var (
		list  []UIDL
		buf   = make([]byte, 0, uidlChunk)
		ends  []int // where each unique-id of list[first:] ends in buf
		first int
		ids   map[int]struct{} // from the first message number not above its predecessor
	)
	flush := func() {
		all, start := string(buf), 0
		for i, end := range ends {
			list[first+i].UID = all[start:end]
			start = end
		}
		buf, ends, first = buf[:0], ends[:0], len(list)
	}
	err = c.readListing(ctx, "UIDL", c.listing, func(line []byte) string {
		id, uid, reason := parseUIDLBytes(line)
		if reason != "" {
			return reason
		}
		if n := len(list); ids == nil && n > 0 && id <= list[n-1].ID {
			ids = make(map[int]struct{}, n)
			for _, u := range list {
				ids[u.ID] = struct{}{}
			}
		}
		if ids != nil {
			if _, dup := ids[id]; dup {
				return "duplicate message number"
			}
			ids[id] = struct{}{}
		}
		if len(buf)+len(uid) > cap(buf) {
			flush()
		}
		buf = append(buf, uid...)
		if len(list) == cap(list) {
			list = slices.Grow(list, max(len(list), 256))
		}
		list = append(list, UIDL{ID: id})
		ends = append(ends, len(buf))
		return ""
	})
	if err != nil {
		return nil, err
	}
	flush()
	order := make([]int32, len(list))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(x, y int32) int { return strings.Compare(list[x].UID, list[y].UID) })
	uids := map[string]int{} // UID → messages listed under it, for those listed more than once
	for i := 1; i < len(order); i++ {
		if u := list[order[i]].UID; u == list[order[i-1]].UID {
			uids[u] = max(uids[u], 1) + 1
		}
	}
	if len(uids) == 0 {
		return list, nil
	}
	dup := &DuplicateUIDLError{}
	kept := list[:0]
	for _, u := range list {
		if uids[u.UID] > 1 {
			dup.Messages = append(dup.Messages, u)
			continue
		}
		kept = append(kept, u)
	}
	return kept, dup
}

// ListAll returns the scan listing (message number and size) of all messages
// not marked deleted.
func (c *Client) ListAll(ctx context.Context) ([]MessageSize, error) {
	end, err := c.start(ctx, "LIST")
	if err != nil {
		return nil, err
	}
	defer end()
	if err := c.send(ctx, "LIST"); err != nil {
		return nil, err
	}
	if _, err := c.readStatus(ctx, "LIST"); err != nil {
		return nil, err
	}
	var list []MessageSize
	ids := make(map[int]struct{})
	err = c.readListing(ctx, "LIST", c.listing, func(line []byte) string {
		m, reason := parseListLine(line)
		if reason != "" {
			return reason
		}
		if _, dup := ids[m.ID]; dup {
			return "duplicate message number"
		}
		ids[m.ID] = struct{}{}
		list = append(list, m)
		return ""
	})
	if err != nil {
		return nil, err
	}
	return list, nil
}

// Dele marks message id as deleted. The server removes it only when Quit
// succeeds; Rset or Close (or a dropped connection) keeps it.
func (c *Client) Dele(ctx context.Context, id int) error {
	if id <= 0 {
		return fmt.Errorf("%w: DELE message number %d", ErrInvalidArgument, id)
	}
	_, err := c.simple(ctx, "DELE", strconv.Itoa(id))
	return err
}

// Noop does nothing but keep the session alive.
func (c *Client) Noop(ctx context.Context) error {
	_, err := c.simple(ctx, "NOOP")
	return err
}

// Rset unmarks all messages marked deleted in this session.
func (c *Client) Rset(ctx context.Context) error {
	_, err := c.simple(ctx, "RSET")
	return err
}

// Quit ends the session and closes the connection. Only a +OK reply to QUIT
// means the server entered the UPDATE state and removed the messages marked
// with Dele; any error means they may still be there (an *Error if the
// server refused, e.g. because removal failed). The connection is closed in
// every case.
func (c *Client) Quit(ctx context.Context) error {
	end, err := c.start(ctx, "QUIT")
	if err != nil {
		return err
	}
	defer end()
	if err := c.send(ctx, "QUIT"); err != nil {
		return err
	}
	_, err = c.readStatus(ctx, "QUIT")
	if c.markClosed() {
		c.conn().Close()
	}
	return err
}
