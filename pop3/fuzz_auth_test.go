package pop3_test

import (
	"bytes"
	"context"
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
// no hang, no endless exchange.
func FuzzAuth(f *testing.F) {
	f.Add([]byte("+OK <1.2@x>\r\n+OK\r\nSASL PLAIN LOGIN CRAM-MD5 SCRAM-SHA-1 SCRAM-SHA-256 XOAUTH2 OAUTHBEARER\r\nUSER\r\nUTF8\r\n.\r\n+OK\r\n+ dGVzdA==\r\n+ \r\n+OK\r\n"), uint8(0))
	f.Add([]byte("+OK\r\n+OK\r\nSASL SCRAM-SHA-256\r\n.\r\n+ cj1hYmMscz1RU1hDUitRNnNlazhiZjkyLGk9NDA5Ng==\r\n+ dj1hYmM=\r\n-ERR\r\n"), uint8(5))
	f.Add([]byte("+OK\r\n-ERR\r\n+ \r\n+ \r\n+ \r\n+ \r\n+ \r\n+ \r\n+ \r\n+ \r\n+ \r\n+ \r\n"), uint8(4))
	f.Fuzz(func(t *testing.T, server []byte, mech uint8) {
		c, err := pop3.NewClient(newMemConn(server), nil)
		if err != nil {
			return
		}
		defer c.Close()
		m := ""
		if int(mech) < len(pop3.Mechanisms) {
			m = pop3.Mechanisms[mech]
		}
		c.Auth(context.Background(), "bob", "secret", m)
	})
}

// FuzzRetrMany feeds arbitrary replies to a pipelined and a lockstep batch.
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
		c.RetrMany(ctx, []int{1, 2, 3}, func(id int, r io.Reader) error {
			_, err := io.Copy(io.Discard, r)
			return err
		})
		c.DeleMany(ctx, []int{1, 2, 3})
		c.Top(ctx, 1, 0, func(r io.Reader) error { _, err := io.Copy(io.Discard, r); return err })
	})
}
