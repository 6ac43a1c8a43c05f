package popdrain

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pouchmail/pouch/internal/testenv"
)

// TestDrainDovecot checks the reader against the real server the benchmark uses: every message,
// every byte (Dovecot sends LF as CRLF), over implicit TLS.
func TestDrainDovecot(t *testing.T) {
	d := testenv.Dovecot(t, nil)
	var want int64
	const n = 40
	for i := range n {
		body := fmt.Sprintf("Subject: m%d\n\n%s\n.starts with a dot\n", i, strings.Repeat("line\n", i*50))
		if err := d.Deliver("alice", fmt.Sprintf("m%02d", i), []byte(body)); err != nil {
			t.Fatal(err)
		}
		want += int64(len(body) + strings.Count(body, "\n"))
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(d.CertPEM)
	cfg := Config{Addr: d.TLSAddr, TLS: &tls.Config{RootCAs: pool, ServerName: "localhost"}, User: "alice", Password: "secret-pw"}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	w, err := Warm(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if w.Messages != n || w.Octets != want {
		t.Errorf("Warm = %+v, want %d messages, %d octets", w, n, want)
	}
	res, err := Drain(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Messages != n || res.Bytes != want {
		t.Errorf("Drain = %+v, want %d messages, %d bytes", res, n, want)
	}
}
