package mailstore

import (
	"context"
	"fmt"
	"net/mail"
	"sort"
	"strings"
)

// Correspondent is an address seen in the archive's From, To and Cc fields, with how often.
type Correspondent struct {
	Name    string // the display name seen most recently; "" = none
	Address string
	Count   int // messages naming it
}

// String is "Name <address>" as people type it (the name quoted only when it must be), or the
// address alone.
func (c Correspondent) String() string {
	return FormatAddress(c.Name, c.Address)
}

// FormatAddress writes a mailbox as people type it: "Name <address>", the name quoted only when
// it holds characters that need it, or the address alone.
func FormatAddress(name, address string) string {
	switch {
	case name == "":
		return address
	case strings.ContainsAny(name, `()<>[]:;@\,."`) || !isASCII(name):
		return (&mail.Address{Name: name, Address: address}).String()
	}
	return name + " <" + address + ">"
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 || s[i] < 0x20 {
			return false
		}
	}
	return true
}

// Correspondents lists the addresses of stored messages (From, To and Cc, the Trash left out),
// most used first, then alphabetically; limit 0 = all. For address completion.
func (s *Store) Correspondents(ctx context.Context, limit int) ([]Correspondent, error) {
	rows, err := s.db.QueryContext(ctx,
		`SELECT from_addr, to_addr, cc_addr FROM messages WHERE trashed_at IS NULL ORDER BY id DESC`)
	if err != nil {
		return nil, fmt.Errorf("mailstore: correspondents: %w", err)
	}
	defer rows.Close()
	byAddr := map[string]*Correspondent{}
	for rows.Next() {
		var fields [3]string
		if err := rows.Scan(&fields[0], &fields[1], &fields[2]); err != nil {
			return nil, fmt.Errorf("mailstore: correspondents: %w", err)
		}
		seen := map[string]bool{}
		for _, f := range fields {
			for _, a := range parseAddresses(f) {
				k := strings.ToLower(a.Address)
				if seen[k] || !strings.Contains(k, "@") || strings.HasSuffix(k, "@invalid") {
					continue
				}
				seen[k] = true
				c := byAddr[k]
				if c == nil {
					// Newest first: the first name seen is the latest one.
					c = &Correspondent{Name: a.Name, Address: a.Address}
					byAddr[k] = c
				} else if c.Name == "" {
					c.Name = a.Name
				}
				c.Count++
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("mailstore: correspondents: %w", err)
	}
	out := make([]Correspondent, 0, len(byAddr))
	for _, c := range byAddr {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return strings.ToLower(out[i].Address) < strings.ToLower(out[j].Address)
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// parseAddresses reads a stored (decoded) address field; one that does not parse as a whole is
// read address by address, skipping what is not one.
func parseAddresses(s string) []*mail.Address {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	if as, err := mail.ParseAddressList(s); err == nil {
		return as
	}
	var out []*mail.Address
	for _, part := range strings.Split(s, ",") {
		if a, err := mail.ParseAddress(strings.TrimSpace(part)); err == nil {
			out = append(out, a)
		}
	}
	return out
}
