package autoconfig

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/pouchmail/pouch/pop3"
)

// lookupSRV reads RFC 6186 records: _pop3s (implicit TLS) before _pop3 (STARTTLS), and
// _submissions before _submission. A target of "." says the service is not offered.
func lookupSRV(ctx context.Context, o *Options, domain string) (*Settings, error) {
	type rec struct {
		service string
		sec     Security
	}
	first := func(recs []rec) (*Server, string) {
		for _, r := range recs {
			_, addrs, err := o.resolver().LookupSRV(ctx, r.service, "tcp", domain)
			if err != nil {
				continue
			}
			for _, a := range addrs {
				host := strings.ToLower(strings.TrimSuffix(a.Target, "."))
				if host == "" || a.Port == 0 || !validHost(host) {
					continue
				}
				return &Server{Host: host, Port: int(a.Port), Security: r.sec}, "_" + r.service + "._tcp." + domain
			}
		}
		return nil, ""
	}
	in, from := first([]rec{{"pop3s", TLS}, {"pop3", StartTLS}})
	if in == nil {
		return nil, ErrNotFound
	}
	s := &Settings{Source: SourceSRV, From: from, POP3: *in}
	s.SMTP, _ = first([]rec{{"submissions", TLS}, {"submission", StartTLS}})
	return s, nil
}

// CertificateError says a server answered with a certificate not valid for its name (or not
// trusted): reported, never accepted.
type CertificateError struct {
	Host string
	Err  error
}

func (e *CertificateError) Error() string {
	return fmt.Sprintf("%s answers, but its certificate is not valid for it: %v", e.Host, e.Err)
}
func (e *CertificateError) Unwrap() error { return e.Err }

// GuessError says no guessed server answered; Certificates lists those that answered with a
// certificate Pouch could not accept.
type GuessError struct {
	Domain       string
	Certificates []*CertificateError
}

func (e *GuessError) Error() string {
	if len(e.Certificates) > 0 {
		return fmt.Sprintf("no POP3 server found for %s: %v", e.Domain, e.Certificates[0])
	}
	return fmt.Sprintf("no POP3 server found for %s (tried pop., pop3. and mail.%s)", e.Domain, e.Domain)
}
func (e *GuessError) Unwrap() error { return ErrNotFound }

// guess probes the usual host names: POP3 over TLS (995), then STARTTLS (110), on pop., pop3.
// and mail.; SMTP on smtp. and mail. (465, then 587). All probes run at once; the first
// candidate in that order that answers wins.
func guess(ctx context.Context, o *Options, domain string) (*Settings, error) {
	probe := o.Probe
	if probe == nil {
		probe = func(ctx context.Context, proto string, s Server) error {
			if proto == "smtp" {
				return ProbeSMTP(ctx, o.resolver(), o.RootCAs, s)
			}
			return ProbePOP3(ctx, o.resolver(), o.RootCAs, s)
		}
	}
	var pop3s, smtps []Server
	for _, sec := range []struct {
		s    Security
		port int
	}{{TLS, 995}, {StartTLS, 110}} {
		for _, h := range []string{"pop.", "pop3.", "mail."} {
			pop3s = append(pop3s, Server{Host: h + domain, Port: sec.port, Security: sec.s})
		}
	}
	for _, sec := range []struct {
		s    Security
		port int
	}{{TLS, 465}, {StartTLS, 587}} {
		for _, h := range []string{"smtp.", "mail."} {
			smtps = append(smtps, Server{Host: h + domain, Port: sec.port, Security: sec.s})
		}
	}
	all := append(append([]Server{}, pop3s...), smtps...)
	errs := make([]error, len(all))
	ctx, cancel := context.WithTimeout(ctx, o.stepTimeout())
	defer cancel()
	var wg sync.WaitGroup
	for i, s := range all {
		proto := "pop3"
		if i >= len(pop3s) {
			proto = "smtp"
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = probe(ctx, proto, s)
		}()
	}
	wg.Wait()
	ge := &GuessError{Domain: domain}
	for i, err := range errs {
		var ce *CertificateError
		if errors.As(err, &ce) {
			ge.Certificates = append(ge.Certificates, ce)
			continue
		}
		if err == nil && i < len(pop3s) {
			s := &Settings{Source: SourceGuess, From: all[i].Host + ":" + portString(all[i].Port), POP3: all[i]}
			for j := len(pop3s); j < len(all); j++ {
				if errs[j] == nil {
					smtp := all[j]
					s.SMTP = &smtp
					break
				}
			}
			return s, nil
		}
	}
	return nil, ge
}

// dial connects to s through the resolver, within ctx.
func dial(ctx context.Context, r *net.Resolver, s Server) (net.Conn, error) {
	d := net.Dialer{Resolver: r}
	conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(s.Host, portString(s.Port)))
	if err != nil {
		return nil, err
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	} else {
		conn.SetDeadline(time.Now().Add(30 * time.Second))
	}
	return conn, nil
}

// certErr turns a verification failure into a *CertificateError.
func certErr(host string, err error) error {
	var (
		hn  x509.HostnameError
		ua  x509.UnknownAuthorityError
		inv x509.CertificateInvalidError
		ve  *tls.CertificateVerificationError
	)
	if errors.As(err, &hn) || errors.As(err, &ua) || errors.As(err, &inv) || errors.As(err, &ve) {
		return &CertificateError{Host: host, Err: err}
	}
	var te *pop3.TLSError
	if errors.As(err, &te) {
		return &CertificateError{Host: host, Err: err}
	}
	return err
}

// ProbePOP3 checks that a POP3 server answers at s over TLS (or STLS) with a certificate valid
// for s.Host, then says goodbye without logging in.
func ProbePOP3(ctx context.Context, r *net.Resolver, roots *x509.CertPool, s Server) error {
	conn, err := dial(ctx, r, s)
	if err != nil {
		return err
	}
	cfg := &tls.Config{ServerName: s.Host, RootCAs: roots, MinVersion: tls.VersionTLS12}
	if s.Security == TLS {
		tc := tls.Client(conn, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return certErr(s.Host, err)
		}
		conn = tc
	}
	c, err := pop3.NewClient(conn, &pop3.Options{TLSConfig: cfg})
	if err != nil {
		conn.Close()
		return err
	}
	defer c.Close()
	if s.Security == StartTLS {
		if err := c.StartTLS(ctx, cfg); err != nil {
			return certErr(s.Host, err)
		}
	}
	return c.Quit(ctx)
}

// ProbeSMTP checks that an SMTP submission server answers at s over TLS (or STARTTLS) with a
// certificate valid for s.Host.
func ProbeSMTP(ctx context.Context, r *net.Resolver, roots *x509.CertPool, s Server) error {
	conn, err := dial(ctx, r, s)
	if err != nil {
		return err
	}
	cfg := &tls.Config{ServerName: s.Host, RootCAs: roots, MinVersion: tls.VersionTLS12}
	var c *smtp.Client
	if s.Security == TLS {
		tc := tls.Client(conn, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return certErr(s.Host, err)
		}
		c = smtp.NewClient(tc)
	} else {
		c, err = smtp.NewClientStartTLS(conn, cfg)
		if err != nil {
			conn.Close()
			return certErr(s.Host, err)
		}
	}
	defer c.Close()
	return c.Quit()
}
