package popdrain

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeServer serves a fixed mailbox over plain TCP with just the commands popdrain sends. It
// reads commands independently of replying, as a pipelining server does.
func fakeServer(t *testing.T, msgs []string, password string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		r, w := bufio.NewReader(c), bufio.NewWriter(c)
		fmt.Fprint(w, "+OK ready\r\n")
		w.Flush()
		total := 0
		for _, m := range msgs {
			total += len(m)
		}
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			f := strings.Fields(line)
			switch {
			case f[0] == "USER":
				fmt.Fprint(w, "+OK\r\n")
			case f[0] == "PASS" && f[1] == password:
				fmt.Fprint(w, "+OK logged in\r\n")
			case f[0] == "PASS":
				fmt.Fprint(w, "-ERR [AUTH] no\r\n")
			case f[0] == "STAT":
				fmt.Fprintf(w, "+OK %d %d\r\n", len(msgs), total)
			case f[0] == "UIDL" || f[0] == "LIST":
				fmt.Fprint(w, "+OK\r\n")
				for i, m := range msgs {
					fmt.Fprintf(w, "%d %d\r\n", i+1, len(m))
				}
				fmt.Fprint(w, ".\r\n")
			case f[0] == "RETR":
				var i int
				fmt.Sscan(f[1], &i)
				if i < 1 || i > len(msgs) {
					fmt.Fprint(w, "-ERR no such message\r\n")
					break
				}
				fmt.Fprint(w, "+OK\r\n")
				for _, l := range strings.SplitAfter(msgs[i-1], "\r\n") {
					if strings.HasPrefix(l, ".") {
						w.WriteString(".")
					}
					w.WriteString(l)
				}
				fmt.Fprint(w, ".\r\n")
			case f[0] == "QUIT":
				fmt.Fprint(w, "+OK bye\r\n")
				w.Flush()
				return
			default:
				fmt.Fprint(w, "-ERR unknown\r\n")
			}
			if r.Buffered() == 0 {
				w.Flush()
			}
		}
	}()
	return ln.Addr().String()
}

func TestDrain(t *testing.T) {
	var msgs []string
	var want int64
	for i := range 300 {
		m := fmt.Sprintf("Subject: %d\r\n\r\n%s\r\n.dot line\r\n", i, strings.Repeat("x", i*37))
		msgs = append(msgs, m)
		want += int64(len(m))
	}
	addr := fakeServer(t, msgs, "pw")
	res, err := Drain(context.Background(), Config{Addr: addr, User: "u", Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Messages != len(msgs) || res.Bytes != want || res.Octets != want {
		t.Errorf("Drain = %+v, want %d messages, %d bytes", res, len(msgs), want)
	}
}

func TestListing(t *testing.T) {
	addr := fakeServer(t, []string{"a\r\n", "bb\r\n", "ccc\r\n"}, "pw")
	res, err := Listing(context.Background(), Config{Addr: addr, User: "u", Password: "pw"})
	if err != nil || res.Messages != 3 {
		t.Errorf("Listing = %+v, %v; want 3 messages", res, err)
	}
}

func TestWarm(t *testing.T) {
	addr := fakeServer(t, []string{"a\r\n", "bb\r\n"}, "pw")
	res, err := Warm(context.Background(), Config{Addr: addr, User: "u", Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Messages != 2 || res.Octets != 7 {
		t.Errorf("Warm = %+v, want 2 messages, 7 octets", res)
	}
}

func TestBadPassword(t *testing.T) {
	addr := fakeServer(t, nil, "pw")
	_, err := Drain(context.Background(), Config{Addr: addr, User: "u", Password: "wrong"})
	var serr *ServerError
	if !errors.As(err, &serr) || serr.Command != "PASS" {
		t.Fatalf("Drain with a wrong password = %v, want a *ServerError for PASS", err)
	}
	if strings.Contains(err.Error(), "wrong") {
		t.Errorf("error %q contains the password", err)
	}
}

func TestCancel(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() { // accepts and never greets
		c, err := ln.Accept()
		if err == nil {
			time.Sleep(3 * time.Second)
			c.Close()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := Drain(ctx, Config{Addr: ln.Addr().String()}); err == nil {
		t.Fatal("Drain against a silent server succeeded")
	}
	if time.Since(start) > 2*time.Second {
		t.Errorf("Drain took %v after the context ended", time.Since(start))
	}
}
