package pop3_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/pouchmail/pouch/pop3"
)

// Seeds shared by the line-parser fuzz targets; more live in testdata/fuzz.
var lineSeeds = []string{
	"+OK", "+OK ", "-ERR", "+OK 2 320", "-ERR [AUTH] bad", "-ERR [SYS/TEMP] x", "-ERR [", "-ERR [/]",
	"1 abc", "1 120", "0 x", "-1 5", "1 \x00", "TOP", "SASL PLAIN LOGIN", "EXPIRE 30 USER", "",
}

func FuzzParseStatus(f *testing.F) {
	for _, s := range lineSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		ok, code, text, err := pop3.ParseStatus(line)
		if err != nil {
			if ok || code != "" || text != "" {
				t.Errorf("ParseStatus(%q) returned values with an error", line)
			}
			return
		}
		for _, c := range code {
			if !(c >= 'A' && c <= 'Z' || c == '-' || c == '/') {
				t.Errorf("ParseStatus(%q) code %q has %q", line, code, c)
			}
		}
		if len(text) > len(line) {
			t.Errorf("ParseStatus(%q) text longer than the line", line)
		}
	})
}

func FuzzParseCapaLine(f *testing.F) {
	for _, s := range lineSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		name, args, reason := pop3.ParseCapaLine(line)
		if reason != "" {
			return
		}
		if name != strings.ToUpper(name) {
			t.Errorf("ParseCapaLine(%q) name %q not upper-cased", line, name)
		}
		if name == "" && len(args) > 0 {
			t.Errorf("ParseCapaLine(%q) args without a name", line)
		}
		for _, a := range append(args, name) {
			if strings.ContainsAny(a, " \t\r\n\x00") {
				t.Errorf("ParseCapaLine(%q) field %q has a separator or control char", line, a)
			}
		}
	})
}

func FuzzParseUIDLLine(f *testing.F) {
	for _, s := range lineSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		u, reason := pop3.ParseUIDLLine(line)
		if reason != "" {
			return
		}
		if u.ID <= 0 {
			t.Errorf("ParseUIDLLine(%q) ID = %d", line, u.ID)
		}
		if len(u.UID) == 0 || len(u.UID) > 512 {
			t.Errorf("ParseUIDLLine(%q) UID length %d", line, len(u.UID))
		}
		for i := 0; i < len(u.UID); i++ {
			if c := u.UID[i]; c < 0x21 || c > 0x7e {
				t.Errorf("ParseUIDLLine(%q) UID has byte %#x", line, c)
			}
		}
	})
}

func FuzzParseListLine(f *testing.F) {
	for _, s := range lineSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		m, reason := pop3.ParseListLine(line)
		if reason == "" && (m.ID <= 0 || m.Size < 0) {
			t.Errorf("ParseListLine(%q) = %+v", line, m)
		}
	})
}

// refUnstuff is the obvious, whole-buffer decoding of a multi-line reply: the
// body, and what follows its terminating line.
func refUnstuff(b []byte) (body, rest []byte, ok bool) {
	out := []byte{}
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			return nil, nil, false
		}
		line := b[:i+1]
		b = b[i+1:]
		if string(line) == ".\r\n" || string(line) == ".\n" {
			return out, b, true
		}
		if line[0] == '.' {
			line = line[1:]
		}
		out = append(out, line...)
	}
	return nil, nil, false
}

// FuzzRetr checks the streaming decoder against refUnstuff.
func FuzzRetr(f *testing.F) {
	for _, s := range []string{
		"a\r\n.\r\n", "..a\r\n.\r\n", ".\r\r\n.\r\n", "a\nb\r\n.\n", ".", "..", "x\r\n..", ".\r", "\r\n.\r\n",
	} {
		f.Add([]byte(s), false)
	}
	f.Fuzz(func(t *testing.T, body []byte, oneByte bool) {
		wire := append([]byte("+OK\r\n+OK\r\n"), body...)
		c, err := pop3.NewClient(newMemConn(wire), nil)
		if err != nil {
			t.Fatal(err)
		}
		var got []byte
		err = c.Retr(context.Background(), 1, func(r io.Reader) error {
			if oneByte {
				r = iotest.OneByteReader(r)
			}
			var err error
			got, err = io.ReadAll(r)
			return err
		})
		want, _, complete := refUnstuff(body)
		if complete != (err == nil) {
			t.Fatalf("Retr(%q) error = %v, want complete = %v", body, err, complete)
		}
		if complete && !bytes.Equal(got, want) {
			t.Errorf("Retr(%q) = %q, want %q", body, got, want)
		}
	})
}

// FuzzSession feeds arbitrary server bytes to a whole session: nothing may
// panic or hang, what the client returns is bounded by what it read (every
// capability, UIDL and LIST entry takes a line of its own), and a protocol
// error closes the client.
func FuzzSession(f *testing.F) {
	f.Add([]byte("+OK hi\r\n+OK\r\nTOP\r\n.\r\n+OK\r\n+OK\r\n+OK 1 5\r\n+OK\r\n1 a\r\n.\r\n+OK\r\n1 5\r\n.\r\n+OK\r\nhello\r\n.\r\n+OK\r\n+OK\r\n"))
	f.Add([]byte("+OK\r\n-ERR\r\n+OK\r\n-ERR [IN-USE] x\r\n"))
	f.Add([]byte("+OK\r\n+OK\r\n\x00\x01\r\n"))
	f.Fuzz(func(t *testing.T, server []byte) {
		c, err := pop3.NewClient(newMemConn(server), nil)
		if err != nil {
			return
		}
		defer c.Close()
		ctx := context.Background()
		lines := bytes.Count(server, []byte("\n"))
		entries, bodyLen := 0, 0
		check := func(what string, err error) {
			var pe *pop3.ProtocolError
			if errors.As(err, &pe) && !errors.Is(c.Noop(ctx), pop3.ErrClosed) {
				t.Fatalf("%s = %v, yet the client is not closed", what, err)
			}
		}
		caps, err := c.Capabilities(ctx)
		if err == nil {
			entries += len(caps.Raw)
		}
		check("Capabilities", err)
		check("Login", c.Login(ctx, "bob", "secret"))
		_, _, err = c.Stat(ctx)
		check("Stat", err)
		uidls, err := c.UIDLAll(ctx)
		check("UIDLAll", err)
		list, err := c.ListAll(ctx)
		check("ListAll", err)
		check("Retr", c.Retr(ctx, 1, func(r io.Reader) error {
			n, err := io.Copy(io.Discard, r)
			bodyLen = int(n)
			return err
		}))
		check("Dele", c.Dele(ctx, 1))
		check("Quit", c.Quit(ctx))
		if entries += len(uidls) + len(list); entries > lines || bodyLen > len(server) {
			t.Errorf("%d entries from %d lines, a %d-byte body from %d bytes", entries, lines, bodyLen, len(server))
		}
	})
}
