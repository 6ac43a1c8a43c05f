package autoconfig

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pouchmail/pouch/app/autoconfig/autoconfigtest"
	"github.com/pouchmail/pouch/pop3/pop3test"
)

// httpsSite serves autoconfig files over HTTPS with a certificate for the given names; the
// returned client reaches it for any https URL whose host resolves (through r) to loopback.
func httpsSite(t *testing.T, r *net.Resolver, files map[string]string, names ...string) *http.Client {
	t.Helper()
	cert, certPEM := pop3test.NewTLSCert(names...)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, ok := files[req.Host+req.URL.Path]
		if !ok {
			http.NotFound(w, req)
			return
		}
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprint(w, body)
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	o := Options{Resolver: r, RootCAs: pop3test.CertPool(certPEM), StepTimeout: 5 * time.Second}
	c := o.httpClient()
	tr := c.Transport.(*http.Transport)
	dialer := &net.Dialer{Resolver: r}
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		// Port 443 is the site's, once the name resolved to loopback through the test DNS.
		host, port, _ := net.SplitHostPort(addr)
		if port != "443" {
			return dialer.DialContext(ctx, network, addr)
		}
		ips, err := r.LookupHost(ctx, host)
		if err != nil {
			return nil, err
		}
		if len(ips) == 0 || ips[0] != "127.0.0.1" {
			return nil, fmt.Errorf("%s resolves to %v", host, ips)
		}
		return dialer.DialContext(ctx, network, srv.Listener.Addr().String())
	}
	return c
}

const tbConfig = `<?xml version="1.0"?>
<clientConfig version="1.1">
  <emailProvider id="%s">
    <incomingServer type="imap"><hostname>imap.%[1]s</hostname><port>993</port><socketType>SSL</socketType><username>%%EMAILADDRESS%%</username></incomingServer>
    <incomingServer type="pop3"><hostname>plain.%[1]s</hostname><port>110</port><socketType>plain</socketType><username>%%EMAILADDRESS%%</username></incomingServer>
    <incomingServer type="pop3"><hostname>pop.%[1]s</hostname><port>995</port><socketType>SSL</socketType><username>%%EMAILLOCALPART%%</username><authentication>password-cleartext</authentication></incomingServer>
    <outgoingServer type="smtp"><hostname>smtp.%[1]s</hostname><port>587</port><socketType>STARTTLS</socketType><username>%%EMAILADDRESS%%</username></outgoingServer>
  </emailProvider>
</clientConfig>`

func TestDiscoverSources(t *testing.T) {
	z := autoconfigtest.NewZone(t,
		"autoconfig.auto.test. 60 IN A 127.0.0.1",
		"wellknown.test. 60 IN A 127.0.0.1",
		"hosted.test. 60 IN MX 10 aspmx.l.google.com.",
		"custom.test. 60 IN MX 10 mx1.mailhost.test.",
		"autoconfig.mailhost.test. 60 IN A 127.0.0.1",
		"_pop3s._tcp.srv.test. 60 IN SRV 0 1 995 pop.srv.test.",
		"_submission._tcp.srv.test. 60 IN SRV 0 1 587 smtp.srv.test.",
		"_pop3s._tcp.none.test. 60 IN SRV 0 0 0 .",
		"_pop3._tcp.none.test. 60 IN SRV 0 1 110 pop.none.test.",
	)
	r := z.Resolver()
	site := httpsSite(t, r, map[string]string{
		"autoconfig.auto.test/mail/config-v1.1.xml":                  fmt.Sprintf(tbConfig, "auto.test"),
		"wellknown.test/.well-known/autoconfig/mail/config-v1.1.xml": fmt.Sprintf(tbConfig, "wellknown.test"),
		"autoconfig.mailhost.test/mail/config-v1.1.xml":              fmt.Sprintf(tbConfig, "mailhost.test"),
	}, "autoconfig.auto.test", "wellknown.test", "autoconfig.mailhost.test")
	ispdb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path != "/isp.test" {
			http.NotFound(w, req)
			return
		}
		fmt.Fprintf(w, tbConfig, "isp.test")
	}))
	t.Cleanup(ispdb.Close)
	noProbe := func(ctx context.Context, proto string, s Server) error { return errors.New("no") }
	opts := Options{Resolver: r, HTTPClient: site, ISPDBURL: ispdb.URL + "/", StepTimeout: 5 * time.Second, Probe: noProbe}

	cases := []struct {
		email      string
		source     Source
		pop3, smtp Server
		oauth      string
		from       string
	}{
		{"ann@gmail.com", SourceProviders, Server{"pop.gmail.com", 995, TLS, "ann@gmail.com"},
			Server{"smtp.gmail.com", 465, TLS, "ann@gmail.com"}, "google", "Gmail"},
		{"ann@free.fr", SourceProviders, Server{"pop.free.fr", 995, TLS, "ann"},
			Server{"smtp.free.fr", 465, TLS, "ann"}, "", "Free"},
		{"ann@auto.test", SourceAutoconfig, Server{"pop.auto.test", 995, TLS, "ann"},
			Server{"smtp.auto.test", 587, StartTLS, "ann@auto.test"}, "", "https://autoconfig.auto.test/"},
		{"ann@wellknown.test", SourceAutoconfig, Server{"pop.wellknown.test", 995, TLS, "ann"},
			Server{"smtp.wellknown.test", 587, StartTLS, "ann@wellknown.test"}, "", "https://wellknown.test/.well-known/"},
		{"ann@isp.test", SourceISPDB, Server{"pop.isp.test", 995, TLS, "ann"},
			Server{"smtp.isp.test", 587, StartTLS, "ann@isp.test"}, "", ispdb.URL},
		{"ann@hosted.test", SourceProviders, Server{"pop.gmail.com", 995, TLS, "ann@hosted.test"},
			Server{"smtp.gmail.com", 465, TLS, "ann@hosted.test"}, "google", "MX aspmx.l.google.com"},
		{"ann@custom.test", SourceAutoconfig, Server{"pop.mailhost.test", 995, TLS, "ann"},
			Server{"smtp.mailhost.test", 587, StartTLS, "ann@custom.test"}, "", "MX mx1.mailhost.test"},
		{"ann@srv.test", SourceSRV, Server{"pop.srv.test", 995, TLS, "ann@srv.test"},
			Server{"smtp.srv.test", 587, StartTLS, "ann@srv.test"}, "", "_pop3s._tcp.srv.test"},
		{"ann@none.test", SourceSRV, Server{"pop.none.test", 110, StartTLS, "ann@none.test"},
			Server{}, "", "_pop3._tcp.none.test"},
	}
	for _, c := range cases {
		t.Run(c.email, func(t *testing.T) {
			s, err := Discover(context.Background(), c.email, opts)
			if err != nil {
				t.Fatal(err)
			}
			if s.Source != c.source || s.POP3 != c.pop3 || s.OAuth != c.oauth || !strings.HasPrefix(s.From, c.from) {
				t.Errorf("Discover = %+v; want source %s from %s…, POP3 %+v, oauth %q", s, c.source, c.from, c.pop3, c.oauth)
			}
			switch {
			case c.smtp == Server{} && s.SMTP != nil:
				t.Errorf("SMTP = %+v, want none", s.SMTP)
			case c.smtp != Server{} && (s.SMTP == nil || *s.SMTP != c.smtp):
				t.Errorf("SMTP = %+v, want %+v", s.SMTP, c.smtp)
			}
		})
	}

	t.Run("no POP3 at the provider", func(t *testing.T) {
		_, err := Discover(context.Background(), "ann@icloud.com", opts)
		var np *NoPOP3Error
		if !errors.As(err, &np) || !strings.Contains(err.Error(), "iCloud") {
			t.Errorf("Discover(icloud) = %v, want a NoPOP3Error", err)
		}
	})
	t.Run("nothing found", func(t *testing.T) {
		_, err := Discover(context.Background(), "ann@nothing.test", opts)
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("Discover(nothing) = %v, want ErrNotFound", err)
		}
	})
	t.Run("not an address", func(t *testing.T) {
		for _, bad := range []string{"", "ann", "Ann <ann@x.test>", "ann@"} {
			if _, err := Discover(context.Background(), bad, opts); err == nil || errors.Is(err, ErrNotFound) {
				t.Errorf("Discover(%q) = %v, want an address error", bad, err)
			}
		}
	})
}

// TestDiscoverStepTimeout: a DNS server that never answers and an autoconfig host that never
// replies cost one step timeout each, not forever.
func TestDiscoverStepTimeout(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close() // a black hole: reads nothing, answers nothing
	r := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", pc.LocalAddr().String())
	}}
	done := make(chan error, 1)
	go func() {
		_, err := Discover(context.Background(), "ann@slow.test", Options{Resolver: r, StepTimeout: 200 * time.Millisecond,
			ISPDBURL: "http://127.0.0.1:1/"})
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("Discover = %v, want ErrNotFound", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Discover did not end on its step timeouts")
	}
}

func TestProvidersTable(t *testing.T) {
	seen := map[string]string{}
	for _, p := range providers() {
		if p.Name == "" || (p.POP3 == nil) != p.NoPOP3 {
			t.Errorf("provider %+v: needs a name and either POP3 settings or nopop3", p)
		}
		for _, d := range p.Domains {
			if other, dup := seen[d]; dup {
				t.Errorf("domain %s in %s and %s", d, other, p.Name)
			}
			seen[d] = p.Name
		}
		for _, s := range []*Server{p.POP3, p.SMTP} {
			if s != nil && (!validHost(s.Host) || (s.Security != TLS && s.Security != StartTLS) || s.Port <= 0) {
				t.Errorf("provider %s: server %+v", p.Name, s)
			}
		}
	}
	for _, want := range []string{"gmail.com", "outlook.com", "yahoo.com", "icloud.com", "gmx.net", "web.de", "mail.ru", "yandex.ru", "fastmail.com", "zoho.com"} {
		if _, ok := seen[want]; !ok {
			t.Errorf("the table lacks %s", want)
		}
	}
}

func FuzzParseConfig(f *testing.F) {
	f.Add(fmt.Sprintf(tbConfig, "x.test"))
	f.Add(`<clientConfig><emailProvider><incomingServer type="pop3"><hostname>a</hostname><port>99999</port><socketType>SSL</socketType></incomingServer></emailProvider></clientConfig>`)
	f.Fuzz(func(t *testing.T, doc string) {
		pop3, smtp, _, err := parseConfig(strings.NewReader(doc))
		if err != nil {
			return
		}
		// Whatever the document, only TLS servers with a plain host name and a real port.
		for _, s := range []*Server{&pop3, smtp} {
			if s == nil {
				continue
			}
			if !validHost(s.Host) || s.Port < 1 || s.Port > 65535 || (s.Security != TLS && s.Security != StartTLS) {
				t.Fatalf("parseConfig accepted %+v", s)
			}
		}
	})
}
