package autoconfig

import (
	"context"
	"crypto/tls"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/pouchmail/pouch/app/autoconfig/autoconfigtest"
	"github.com/pouchmail/pouch/pop3/pop3test"
)

// TestProbeDovecot: the probes against the real Dovecot, over TLS and STARTTLS; a name the
// certificate does not cover is reported, never accepted.
func TestProbeDovecot(t *testing.T) {
	d := pop3test.NewDovecot(t, nil)
	z := autoconfigtest.NewZone(t, "pop.guess.test. 60 IN A 127.0.0.1")
	roots := pop3test.CertPool(d.CertPEM)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, tlsPort := pop3test.HostPort(d.TLSAddr)
	_, plainPort := pop3test.HostPort(d.PlainAddr)
	for _, s := range []Server{{Host: "localhost", Port: tlsPort, Security: TLS}, {Host: "localhost", Port: plainPort, Security: StartTLS}} {
		if err := ProbePOP3(ctx, z.Resolver(), roots, s); err != nil {
			t.Errorf("ProbePOP3(%+v) = %v", s, err)
		}
	}
	for _, s := range []Server{{Host: "pop.guess.test", Port: tlsPort, Security: TLS}, {Host: "pop.guess.test", Port: plainPort, Security: StartTLS}} {
		err := ProbePOP3(ctx, z.Resolver(), roots, s)
		var ce *CertificateError
		if !errors.As(err, &ce) {
			t.Errorf("ProbePOP3(%+v) = %v, want a CertificateError", s, err)
		}
	}
}

// TestGuess: the first guessed name that answers with a valid certificate wins; one with a
// certificate for another name is passed over (and reported when nothing else answers).
func TestGuess(t *testing.T) {
	z := autoconfigtest.NewZone(t, "pop.guess.test. 60 IN A 127.0.0.1", "pop3.guess.test. 60 IN A 127.0.0.1", "mail.guess.test. 60 IN A 127.0.0.1")
	serve := func(name string) string {
		cert, _ := pop3test.NewTLSCert(name)
		srv := pop3test.NewServer(t, pop3test.StartTLS(&tls.Config{Certificates: []tls.Certificate{cert}}).AllowError(),
			pop3test.Reply("+OK ready").AllowError(), pop3test.Exchange("QUIT", "+OK bye").AllowError())
		return srv.Addr()
	}
	certA, pemA := pop3test.NewTLSCert("pop3.guess.test")
	wrong := serve("elsewhere.test")
	right := func() string {
		srv := pop3test.NewServer(t, pop3test.StartTLS(&tls.Config{Certificates: []tls.Certificate{certA}}),
			pop3test.Reply("+OK ready"), pop3test.Exchange("QUIT", "+OK bye"))
		return srv.Addr()
	}()
	route := map[string]string{"pop.guess.test:995": wrong, "pop3.guess.test:995": right}
	pool := pop3test.CertPool(pemA)
	probe := func(ctx context.Context, proto string, s Server) error {
		addr, ok := route[s.Host+":"+strconv.Itoa(s.Port)]
		if !ok {
			return errors.New("connection refused")
		}
		_, port := pop3test.HostPort(addr)
		s.Port = port
		return ProbePOP3(ctx, z.Resolver(), pool, s)
	}
	s, err := guess(context.Background(), &Options{Resolver: z.Resolver(), Probe: probe, StepTimeout: 10 * time.Second}, "guess.test")
	if err != nil {
		t.Fatal(err)
	}
	if s.Source != SourceGuess || s.POP3 != (Server{Host: "pop3.guess.test", Port: 995, Security: TLS}) || s.SMTP != nil {
		t.Errorf("guess = %+v, want pop3.guess.test:995 over TLS and no SMTP", s)
	}
	delete(route, "pop3.guess.test:995")
	route["pop.guess.test:995"] = serve("elsewhere.test")
	_, err = guess(context.Background(), &Options{Resolver: z.Resolver(), Probe: probe, StepTimeout: 10 * time.Second}, "guess.test")
	var ge *GuessError
	if !errors.As(err, &ge) || len(ge.Certificates) != 1 || !errors.Is(err, ErrNotFound) {
		t.Errorf("guess with only a wrong certificate = %v, want a GuessError reporting it", err)
	}
}
