package pop3_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"testing"

	"github.com/pouchmail/pouch/pop3"
)

func FuzzSASLChallenge(f *testing.F) {
	for _, s := range []string{"+", "+ ", "+ dGVzdA==", "+OK", "+  x ", "-ERR", "+\t", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		ch, ok := pop3.SASLChallenge(line)
		if !ok {
			if len(ch) != 0 {
				t.Errorf("SASLChallenge(%q) returned data without ok", line)
			}
			return
		}
		if len(line) == 0 || line[0] != '+' || len(ch) >= len(line) {
			t.Errorf("SASLChallenge(%q) = %q, ok", line, ch)
		}
		if bytes.HasPrefix(line, []byte("+OK")) {
			t.Errorf("SASLChallenge(%q) took a status line for a challenge", line)
		}
	})
}

// FuzzAuth runs every mechanism against arbitrary server bytes: no panic,
// no hang, no endless exchange, and no password on the wire (as sent or
// base64-encoded) unless a cleartext mechanism was named or the server had
// sent it first.
func FuzzAuth(f *testing.F) {
	f.Add([]byte("+OK <1.2@x>\r\n+OK\r\nSASL PLAIN LOGIN CRAM-MD5 SCRAM-SHA-1 SCRAM-SHA-256 XOAUTH2 OAUTHBEARER\r\nUSER\r\nUTF8\r\n.\r\n+OK\r\n+ dGVzdA==\r\n+ \r\n+OK\r\n"), uint8(0))
	f.Add([]byte("+OK\r\n+OK\r\nSASL SCRAM-SHA-256\r\n.\r\n+ cj1hYmMscz1RU1hDUitRNnNlazhiZjkyLGk9NDA5Ng==\r\n+ dj1hYmM=\r\n-ERR\r\n"), uint8(5))
	f.Add([]byte("+OK\r\n-ERR\r\n+ \r\n+ \r\n+ \r\n+ \r\n+ \r\n+ \r\n+ \r\n+ \r\n+ \r\n+ \r\n"), uint8(4))
	f.Add([]byte("+OK\r\n+OK\r\nSASL PLAIN\r\nUSER\r\n.\r\n+ \r\n+OK\r\n"), uint8(255))
	const password = "s3cret-Pw"
	f.Fuzz(func(t *testing.T, server []byte, mech uint8) {
		conn := newMemConn(server)
		c, err := pop3.NewClient(conn, nil)
		if err != nil {
			return
		}
		defer c.Close()
		m := ""
		if int(mech) < len(pop3.Mechanisms) {
			m = pop3.Mechanisms[mech]
		}
		c.Auth(context.Background(), "bob", password, m)
		switch m {
		case "PLAIN", "LOGIN", "USER", "XOAUTH2", "OAUTHBEARER":
			return // the secret goes as it is, by request
		}
		if sent := decoded(conn.sent.Bytes()); bytes.Contains(sent, []byte(password)) && !bytes.Contains(decoded(server), []byte(password)) {
			t.Errorf("Auth(%q) sent the password:\n%q", m, conn.sent.Bytes())
		}
	})
}

// decoded is b followed by the base64 decoding of each of its words that
// decodes.
func decoded(b []byte) []byte {
	out := bytes.Clone(b)
	for _, w := range bytes.Fields(b) {
		if d, err := base64.StdEncoding.DecodeString(string(w)); err == nil {
			out = append(append(out, '\n'), d...)
		}
	}
	return out
}

// FuzzRetrMany feeds arbitrary replies to a pipelined and a lockstep batch:
// the callback gets the ids in order, a prefix of those asked for, and each
// message it reads to the end equals a plain decoding of the server's bytes.
func FuzzRetrMany(f *testing.F) {
	f.Add([]byte("+OK\r\n+OK\r\nPIPELINING\r\n.\r\n+OK\r\na\r\n.\r\n-ERR x\r\n+OK\r\n..b\r\n.\r\n"), true)
	f.Add([]byte("+OK\r\n+OK\r\na\r\n.\r\n+OK\r\n.\r\n+OK\r\n.\r\n"), false)
	f.Fuzz(func(t *testing.T, server []byte, lockstep bool) {
		c, err := pop3.NewClient(newMemConn(server), &pop3.Options{ForceLockstep: lockstep})
		if err != nil {
			return
		}
		defer c.Close()
		ctx := context.Background()
		want := refRetrReplies(server, !lockstep)
		var ids []int
		var bodies [][]byte
		err = c.RetrMany(ctx, []int{1, 2, 3}, func(id int, r io.Reader) error {
			b, err := io.ReadAll(r)
			ids = append(ids, id)
			if err == nil {
				bodies = append(bodies, b)
			}
			return err
		})
		for i, id := range ids {
			if id != i+1 {
				t.Fatalf("callback ids %v, want a prefix of [1 2 3]", ids)
			}
		}
		if err == nil && len(bodies) != 3 {
			t.Fatalf("RetrMany() = nil after %d whole messages, want 3", len(bodies))
		}
		for i, b := range bodies {
			if i >= len(want) {
				t.Fatalf("message %d = %q, but the server sent only %d", i+1, b, len(want))
			}
			if !bytes.Equal(b, want[i]) {
				t.Fatalf("message %d = %q, want %q", i+1, b, want[i])
			}
		}
		c.DeleMany(ctx, []int{1, 2, 3})
		c.Top(ctx, 1, 0, func(r io.Reader) error { _, err := io.Copy(io.Discard, r); return err })
	})
}

// refRetrReplies decodes, the plain way, what a server sent after its
// greeting and, with capa, a CAPA reply: the bodies of the +OK replies up to
// the first one that is not.
func refRetrReplies(wire []byte, capa bool) [][]byte {
	status := func() bool {
		i := bytes.IndexByte(wire, '\n')
		if i < 0 {
			return false
		}
		ok, _, _, err := pop3.ParseStatus(bytes.TrimSuffix(wire[:i], []byte("\r")))
		wire = wire[i+1:]
		return ok && err == nil
	}
	status() // the greeting
	if capa && status() {
		if _, rest, ok := refUnstuff(wire); ok {
			wire = rest
		}
	}
	var bodies [][]byte
	for status() {
		body, rest, ok := refUnstuff(wire)
		if !ok {
			break
		}
		bodies, wire = append(bodies, body), rest
	}
	return bodies
}
