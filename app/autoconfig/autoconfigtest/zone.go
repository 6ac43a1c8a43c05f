// Package autoconfigtest runs a DNS server on loopback for tests of account discovery (and of
// anything else that resolves through $POUCH_DNS_SERVER).
package autoconfigtest

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// Zone is a DNS server (github.com/miekg/dns) on 127.0.0.1 answering from records given as
// zone-file lines; other names get NXDOMAIN. It stops at the end of the test.
type Zone struct {
	Addr string // host:port of the server, for $POUCH_DNS_SERVER
	rrs  []dns.RR
}

// NewZone starts a server for records such as "pop.example.test. 60 IN A 127.0.0.1".
func NewZone(t testing.TB, records ...string) *Zone {
	t.Helper()
	z := &Zone{}
	for _, r := range records {
		rr, err := dns.NewRR(r)
		if err != nil {
			t.Fatalf("autoconfigtest: record %q: %v", r, err)
		}
		z.rrs = append(z.rrs, rr)
	}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("autoconfigtest: %v", err)
	}
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(z.serve)}
	go srv.ActivateAndServe()
	t.Cleanup(func() { srv.Shutdown() })
	z.Addr = pc.LocalAddr().String()
	return z
}

func (z *Zone) serve(w dns.ResponseWriter, req *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(req)
	m.Authoritative = true
	for _, q := range req.Question {
		for _, rr := range z.rrs {
			h := rr.Header()
			if strings.EqualFold(h.Name, q.Name) && h.Rrtype == q.Qtype {
				m.Answer = append(m.Answer, rr)
			}
		}
	}
	if len(m.Answer) == 0 {
		m.Rcode = dns.RcodeNameError
	}
	w.WriteMsg(m)
}

// Resolver resolves through the zone only.
func (z *Zone) Resolver() *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", z.Addr)
	}}
}
