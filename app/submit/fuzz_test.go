package submit_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/pouchmail/pouch/app/submit"
)

// FuzzPlainStage plays any bytes as a server's side of a STARTTLS connection: the client must
// never panic, never hang past its deadline, and never send anything but EHLO, STARTTLS and
// QUIT before TLS: no AUTH, no password, no mail in plain text.
func FuzzPlainStage(f *testing.F) {
	f.Add("220 ok\r\n250-x\r\n250 AUTH PLAIN\r\n")
	f.Add("220 ok\r\n250-x\r\n250 STARTTLS\r\n220 go\r\n")
	f.Add("220-a\r\n220 b\r\n250-x\r\n250-STARTTLS\r\n250 SIZE 10\r\n454 no\r\n")
	f.Add("220 ok\r\n250-x\r\n251 STARTTLS\r\n")
	f.Add("220 " + strings.Repeat("x", 3000) + "\r\n")
	f.Add("220 ok\r\n250 STARTTLS\r\n220 go\r\n250 AUTH PLAIN\r\n")
	f.Fuzz(func(t *testing.T, server string) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Skip(err)
		}
		defer ln.Close()
		got := make(chan string, 1)
		go func() {
			c, err := ln.Accept()
			if err != nil {
				got <- ""
				return
			}
			defer c.Close()
			go func() {
				c.Write([]byte(server))
				// The script ends: the client sees the end of the stream at once, not a timeout.
				c.(*net.TCPConn).CloseWrite()
			}()
			c.SetReadDeadline(time.Now().Add(2 * time.Second))
			var b strings.Builder
			buf := make([]byte, 4096)
			for {
				n, err := c.Read(buf)
				b.Write(buf[:n])
				// The first bytes of a TLS handshake end the plain-text stage.
				if err != nil || strings.Contains(b.String(), "\x16\x03") {
					break
				}
			}
			got <- b.String()
		}()
		cfg := submit.Config{Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port, Security: submit.SecurityStartTLS,
			Username: "alice", Secret: "secret-pw", Timeout: time.Second}
		start := time.Now()
		cl, err := submit.Dial(context.Background(), cfg)
		if err == nil {
			cl.Abort()
			t.Fatalf("Dial succeeded against a server that cannot do TLS")
		}
		if d := time.Since(start); d > 4*time.Second {
			t.Fatalf("Dial took %v", d)
		}
		sent := <-got
		if i := strings.Index(sent, "\x16\x03"); i >= 0 {
			sent = sent[:i]
		}
		for _, l := range strings.Split(strings.TrimSuffix(sent, "\r\n"), "\r\n") {
			switch l {
			case "", "EHLO localhost", "STARTTLS", "QUIT":
			default:
				t.Fatalf("sent %q in plain text", l)
			}
		}
	})
}
