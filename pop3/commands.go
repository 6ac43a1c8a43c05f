package pop3

import (
	"context"
	"fmt"
	"strconv"
)

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
	var list []UIDL
	uids := make(map[string]int) // UID → messages listed under it
	ids := make(map[int]struct{})
	err = c.readListing(ctx, "UIDL", c.listing, func(line []byte) string {
		u, reason := parseUIDLLine(line)
		if reason != "" {
			return reason
		}
		if _, dup := ids[u.ID]; dup {
			return "duplicate message number"
		}
		uids[u.UID]++
		ids[u.ID] = struct{}{}
		list = append(list, u)
		return ""
	})
	if err != nil {
		return nil, err
	}
	if len(uids) == len(list) {
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
