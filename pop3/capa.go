package pop3

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Bounds on a CAPA reply. It is read before login, and with STLS before
// TLS, so anyone on the path can send one; real ones have a dozen or two
// short lines.
const (
	maxCapaLines = 256
	maxCapaBytes = 64 << 10
)

// Capabilities is the server's CAPA reply (RFC 2449). A server without CAPA
// yields an empty Capabilities.
type Capabilities struct {
	// Raw maps each capability name, upper-cased, to its arguments as sent.
	Raw map[string][]string

	Top          bool // TOP
	User         bool // USER: USER/PASS login is allowed
	UIDL         bool // UIDL
	Pipelining   bool // PIPELINING
	STLS         bool // STLS (RFC 2595)
	RespCodes    bool // RESP-CODES: -ERR replies may carry [CODE]
	AuthRespCode bool // AUTH-RESP-CODE (RFC 3206)
	UTF8         bool // UTF8 (RFC 6856)

	// SASL lists the SASL mechanisms, upper-cased (e.g. "PLAIN", "LOGIN").
	SASL []string
	// Implementation is the free-form IMPLEMENTATION text.
	Implementation string
	// Expire is the server's retention policy, nil if not advertised or
	// malformed.
	Expire *ExpirePolicy
	// LoginDelay is the minimum time between logins (LOGIN-DELAY); 0 if not
	// advertised. LoginDelayPerUser means the value may differ per user and
	// is only final after login.
	LoginDelay        time.Duration
	LoginDelayPerUser bool
}

// ExpirePolicy is the EXPIRE capability: how long the server keeps messages
// that have been retrieved.
type ExpirePolicy struct {
	// Never means messages are kept until deleted by the client.
	Never bool
	// Days is the retention in days when !Never. 0 means the server may
	// delete a message as soon as it has been retrieved.
	Days int
	// PerUser ("USER") means the policy may differ per user and is only
	// final after login.
	PerUser bool
}

func (e ExpirePolicy) String() string {
	s := "NEVER"
	if !e.Never {
		s = strconv.Itoa(e.Days)
	}
	if e.PerUser {
		s += " USER"
	}
	return s
}

// Has reports whether the capability name (any case) was advertised.
func (c *Capabilities) Has(name string) bool {
	if c == nil {
		return false
	}
	_, ok := c.Raw[strings.ToUpper(name)]
	return ok
}

func (c *Capabilities) clone() *Capabilities {
	n := *c
	n.Raw = make(map[string][]string, len(c.Raw))
	for k, v := range c.Raw {
		n.Raw[k] = slices.Clone(v)
	}
	n.SASL = slices.Clone(c.SASL)
	if c.Expire != nil {
		e := *c.Expire
		n.Expire = &e
	}
	return &n
}

// Capabilities returns the server's capabilities (CAPA). The reply is cached
// until STLS or login, after which the server may advertise others. If the
// server does not support CAPA, the result is an empty Capabilities and no
// error.
func (c *Client) Capabilities(ctx context.Context) (*Capabilities, error) {
	caps, _, err := c.capabilities(ctx)
	return caps, err
}

// capabilities is Capabilities plus the APOP timestamp, read under the same
// lock so that both describe the same side of an STLS.
func (c *Client) capabilities(ctx context.Context) (_ *Capabilities, apop string, _ error) {
	end, err := c.start(ctx, "CAPA")
	if err != nil {
		return nil, "", err
	}
	defer end()
	if c.caps != nil {
		return c.caps.clone(), c.apop, nil
	}
	if err := c.send(ctx, "CAPA"); err != nil {
		return nil, "", err
	}
	if _, err := c.readStatus(ctx, "CAPA"); err != nil {
		var e *Error
		if errors.As(err, &e) {
			c.caps = &Capabilities{Raw: map[string][]string{}}
			return c.caps.clone(), c.apop, nil
		}
		return nil, "", err
	}
	caps := &Capabilities{Raw: map[string][]string{}}
	lim := listingLimits{lines: maxCapaLines, bytes: maxCapaBytes, within: c.timeout, why: "Options.Timeout"}
	err = c.readListing(ctx, "CAPA", lim, func(line []byte) string {
		name, args, reason := parseCapaLine(line)
		if reason != "" {
			return reason
		}
		if name != "" {
			caps.add(name, args, line)
		}
		return ""
	})
	if err != nil {
		return nil, "", err
	}
	c.caps = caps
	return caps.clone(), c.apop, nil
}

// parseCapaLine splits a CAPA line into its upper-cased name and arguments.
// A blank line gives name "". Control characters mean the reply is garbage.
func parseCapaLine(line []byte) (name string, args []string, reason string) {
	for _, b := range line {
		if (b < 0x20 && b != '\t') || b == 0x7f {
			return "", nil, "control character in CAPA line"
		}
	}
	f := fields(line)
	if len(f) == 0 {
		return "", nil, ""
	}
	name = strings.ToUpper(string(f[0]))
	args = make([]string, 0, len(f)-1)
	for _, a := range f[1:] {
		args = append(args, string(a))
	}
	return name, args, ""
}

// add records one capability. Malformed arguments of a known capability are
// kept in Raw but leave its typed field unset: capabilities are advisory, so
// they are not worth failing a session over.
func (c *Capabilities) add(name string, args []string, line []byte) {
	c.Raw[name] = args
	switch name {
	case "TOP":
		c.Top = true
	case "USER":
		c.User = true
	case "UIDL":
		c.UIDL = true
	case "PIPELINING":
		c.Pipelining = true
	case "STLS":
		c.STLS = true
	case "RESP-CODES":
		c.RespCodes = true
	case "AUTH-RESP-CODE":
		c.AuthRespCode = true
	case "UTF8":
		c.UTF8 = true
	case "SASL":
		c.SASL = make([]string, len(args))
		for i, a := range args {
			c.SASL[i] = strings.ToUpper(a)
		}
	case "IMPLEMENTATION":
		// Keep the text as sent, spaces included.
		rest := bytes.TrimLeft(line, " \t")
		rest = rest[len("IMPLEMENTATION"):]
		c.Implementation = string(bytes.TrimSpace(rest))
	case "EXPIRE":
		c.Expire = parseExpire(args)
	case "LOGIN-DELAY":
		c.LoginDelay, c.LoginDelayPerUser = 0, false
		if len(args) == 0 || len(args) > 2 || (len(args) == 2 && !strings.EqualFold(args[1], "USER")) {
			return
		}
		secs, ok := parseNumber([]byte(args[0]), maxID)
		if !ok {
			return
		}
		c.LoginDelay = time.Duration(secs) * time.Second
		c.LoginDelayPerUser = len(args) == 2
	}
}

// parseExpire parses "EXPIRE NEVER" or "EXPIRE days [USER]".
func parseExpire(args []string) *ExpirePolicy {
	switch {
	case len(args) == 1 && strings.EqualFold(args[0], "NEVER"):
		return &ExpirePolicy{Never: true}
	case len(args) == 1 || (len(args) == 2 && strings.EqualFold(args[1], "USER")):
		days, ok := parseNumber([]byte(args[0]), maxID)
		if !ok {
			return nil
		}
		return &ExpirePolicy{Days: int(days), PerUser: len(args) == 2}
	}
	return nil
}
