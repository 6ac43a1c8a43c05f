// Package latencyproxy is a TCP proxy that delays every byte by a fixed one-way latency in each
// direction without limiting throughput: each chunk read is stamped with its arrival time and
// written once arrival+delay has passed, while reading goes on. That models a long link, not a
// slow one, and keeps byte order. TLS passes through untouched (it only forwards bytes).
package latencyproxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// chunkSize is the largest read forwarded as one unit.
const chunkSize = 32 << 10

// queueChunks bounds the chunks in flight per direction (about 32 MB at most), so a sender far
// ahead of its receiver is held back by TCP rather than by unbounded memory.
const queueChunks = 1024

// Proxy forwards connections accepted on Addr to a target with a one-way delay each way.
type Proxy struct {
	Addr   string // 127.0.0.1:port the proxy listens on
	target string
	delay  time.Duration
	ln     net.Listener
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	mu     sync.Mutex
	conns  map[net.Conn]struct{}
}

// Start listens on a free loopback port and forwards to target, delaying each direction by
// delay. Close stops it.
func Start(target string, delay time.Duration) (*Proxy, error) {
	if delay < 0 {
		return nil, fmt.Errorf("latencyproxy: negative delay %v", delay)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("latencyproxy: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &Proxy{Addr: ln.Addr().String(), target: target, delay: delay, ln: ln, ctx: ctx, cancel: cancel,
		conns: make(map[net.Conn]struct{})}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Close stops accepting, closes every open connection and waits for the forwarding goroutines.
func (p *Proxy) Close() error {
	p.cancel()
	err := p.ln.Close()
	p.mu.Lock()
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
	return err
}

func (p *Proxy) track(c net.Conn, add bool) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if add {
		if p.ctx.Err() != nil {
			return false
		}
		p.conns[c] = struct{}{}
	} else {
		delete(p.conns, c)
	}
	return true
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return // closed
		}
		p.wg.Add(1)
		go p.serve(client)
	}
}

func (p *Proxy) serve(client net.Conn) {
	defer p.wg.Done()
	d := net.Dialer{Timeout: 10 * time.Second}
	server, err := d.DialContext(p.ctx, "tcp", p.target)
	if err != nil {
		client.Close()
		return
	}
	if !p.track(client, true) || !p.track(server, true) {
		client.Close()
		server.Close()
		return
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); p.pipe(server, client) }()
	go func() { defer wg.Done(); p.pipe(client, server) }()
	wg.Wait()
	client.Close()
	server.Close()
	p.track(client, false)
	p.track(server, false)
}

type chunk struct {
	data []byte
	due  time.Time
}

// pipe copies src to dst, each chunk delayed by p.delay from the moment it was read. At EOF the
// write side of dst is closed (after the delay), so half-closes travel through too.
func (p *Proxy) pipe(dst, src net.Conn) {
	q := make(chan chunk, queueChunks)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for c := range q {
			if wait := time.Until(c.due); wait > 0 {
				time.Sleep(wait)
			}
			if c.data == nil { // end of stream
				if cw, ok := dst.(interface{ CloseWrite() error }); ok {
					_ = cw.CloseWrite()
				}
				continue
			}
			if _, err := dst.Write(c.data); err != nil {
				src.Close() // unblock the reader; the peer is gone
				for range q {
				}
				return
			}
		}
	}()
	for {
		buf := make([]byte, chunkSize)
		n, err := src.Read(buf)
		now := time.Now()
		if n > 0 {
			data := buf[:n:n]
			if n < chunkSize/8 { // a command line or a short reply: do not pin 32 KB for it
				data = append([]byte(nil), buf[:n]...)
			}
			q <- chunk{data: data, due: now.Add(p.delay)}
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				q <- chunk{due: now.Add(p.delay)}
			} else {
				dst.Close() // reset: the other direction ends too
			}
			break
		}
	}
	close(q)
	<-done
}
