package latencyproxy

import (
	"bytes"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"sync"
	"testing"
	"time"
)

// echoServer echoes every connection until the client half-closes.
func echoServer(t *testing.T) string {
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
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				_, _ = io.Copy(c, c)
			}()
		}
	}()
	return ln.Addr().String()
}

func startProxy(t *testing.T, delay time.Duration) *Proxy {
	t.Helper()
	p, err := Start(echoServer(t), delay)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func dial(t *testing.T, p *Proxy) *net.TCPConn {
	t.Helper()
	c, err := net.Dial("tcp", p.Addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(20 * time.Second))
	return c.(*net.TCPConn)
}

// TestRoundTripDelay: every round trip through the proxy takes at least twice the delay, and
// the fastest of five less than two and a half times it plus 100 ms of scheduling slack. The
// fastest, not each: under -race on a busy machine any one round trip may be late.
func TestRoundTripDelay(t *testing.T) {
	for _, delay := range []time.Duration{0, 10 * time.Millisecond, 100 * time.Millisecond} {
		t.Run(delay.String(), func(t *testing.T) {
			c := dial(t, startProxy(t, delay))
			buf := make([]byte, 4)
			best := time.Duration(math.MaxInt64)
			for range 5 {
				start := time.Now()
				if _, err := c.Write([]byte("ping")); err != nil {
					t.Fatal(err)
				}
				if _, err := io.ReadFull(c, buf); err != nil {
					t.Fatal(err)
				}
				rtt := time.Since(start)
				if rtt < 2*delay {
					t.Errorf("round trip %v, want at least %v", rtt, 2*delay)
				}
				best = min(best, rtt)
			}
			if limit := 5*delay/2 + 100*time.Millisecond; best >= limit {
				t.Errorf("fastest of five round trips %v, want about %v (under %v)", best, 2*delay, limit)
			}
		})
	}
}

// TestPreservesBytes sends a large random stream and reads the echo back concurrently: every
// byte arrives, in order, and the half-close travels through.
func TestPreservesBytes(t *testing.T) {
	c := dial(t, startProxy(t, 5*time.Millisecond))
	data := make([]byte, 8<<20)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	errc := make(chan error, 1)
	go func() {
		// Irregular write sizes, so chunk boundaries differ between reads and writes.
		rest := data
		for len(rest) > 0 {
			n := min(len(rest), 1+r.IntN(70_000))
			if _, err := c.Write(rest[:n]); err != nil {
				errc <- err
				return
			}
			rest = rest[n:]
		}
		errc <- c.CloseWrite()
	}()
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) {
		t.Fatalf("echo through the proxy differs: got %d bytes, want %d", len(got), len(data))
	}
}

// TestDelayIsNotPerRead checks that chunks are delayed in parallel: many small writes spaced
// 2 ms apart through a 40 ms proxy arrive after about 40 ms + the sending time, not 40 ms each.
func TestDelayIsNotPerRead(t *testing.T) {
	const delay, writes = 40 * time.Millisecond, 40
	c := dial(t, startProxy(t, delay))
	start := time.Now()
	go func() {
		for range writes {
			c.Write([]byte("x"))
			time.Sleep(2 * time.Millisecond)
		}
	}()
	buf := make([]byte, writes)
	if _, err := io.ReadFull(c, buf); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	if serial := writes * delay; took > serial/3 {
		t.Errorf("%d writes took %v through the proxy, want about %v (serial delays would be %v)",
			writes, took, 2*delay+writes*2*time.Millisecond, serial)
	}
	if took < 2*delay {
		t.Errorf("took %v, want at least the round trip %v", took, 2*delay)
	}
}

func TestCloseEndsConnections(t *testing.T) {
	p := startProxy(t, time.Millisecond)
	c := dial(t, p)
	if _, err := c.Write([]byte("a")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1)
	if _, err := io.ReadFull(c, buf); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- p.Close() }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return with a connection open")
	}
	if _, err := c.Read(buf); err == nil {
		t.Error("read after Close succeeded, want the connection closed")
	}
}

func TestNegativeDelay(t *testing.T) {
	if _, err := Start("127.0.0.1:1", -time.Second); err == nil {
		t.Error("Start with a negative delay succeeded")
	}
}
