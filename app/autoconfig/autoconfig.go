// Package autoconfig finds an account's POP3 and SMTP settings from its email address, the way
// desktop mail clients do: a provider table bundled with Pouch, the provider's own autoconfig
// file (Thunderbird's format) and the ISPDB, the same for the domain of the MX host, RFC 6186
// SRV records, and last, guessed host names probed over TLS. It knows nothing of the window or
// the archive; the resolver, the HTTP client and the probes are injectable, so every step can
// be tested offline against a local DNS server and a local HTTPS server.
package autoconfig

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/mail"
	"os"
	"strings"
	"time"

	"golang.org/x/net/publicsuffix"
)

// Source says which step found the settings.
type Source string

const (
	SourceProviders  Source = "provider table"
	SourceAutoconfig Source = "autoconfig"
	SourceISPDB      Source = "ispdb"
	SourceSRV        Source = "srv"
	SourceGuess      Source = "guess"
)

// Security is how a connection is protected: implicit TLS or STARTTLS. Plaintext is never
// proposed.
type Security string

const (
	TLS      Security = "tls"
	StartTLS Security = "starttls"
)

// Server is one server's settings.
type Server struct {
	Host     string   `json:"host"`
	Port     int      `json:"port"`
	Security Security `json:"security"`
	User     string   `json:"user"`
}

// Settings is what discovery proposes for an address.
type Settings struct {
	Source Source  `json:"source"`
	From   string  `json:"from"` // where: the table's key, the URL, the SRV or host names
	POP3   Server  `json:"pop3"`
	SMTP   *Server `json:"smtp"`  // nil if none was found
	OAuth  string  `json:"oauth"` // the OAuth2 provider ("google", "microsoft"), "" if none
}

// ErrNotFound says no step found POP3 settings for the address.
var ErrNotFound = errors.New("no POP3 settings found for this address")

// NoPOP3Error says the provider is known but offers no POP3 at all.
type NoPOP3Error struct{ Provider string }

func (e *NoPOP3Error) Error() string {
	return fmt.Sprintf("%s does not offer POP3; Pouch cannot fetch mail from it", e.Provider)
}

// Options make discovery testable; the zero value is the production behaviour.
type Options struct {
	// Resolver answers MX, SRV and host lookups (and the HTTP client's, when HTTPClient is nil);
	// nil is the system resolver.
	Resolver *net.Resolver
	// HTTPClient fetches autoconfig files; nil builds one that resolves with Resolver and
	// verifies certificates against RootCAs.
	HTTPClient *http.Client
	// RootCAs verifies the servers' certificates (HTTPS and probes); nil is the system roots.
	RootCAs *x509.CertPool
	// ISPDBURL is the ISPDB's base URL; the domain is appended. "" is Thunderbird's.
	ISPDBURL string
	// StepTimeout bounds each step (a lookup, a download, a probe); 0 is 10 seconds.
	StepTimeout time.Duration
	// Probe checks that a guessed server answers with a certificate valid for its name; nil
	// is ProbePOP3/ProbeSMTP over Resolver.
	Probe func(ctx context.Context, proto string, s Server) error
}

// DefaultISPDBURL is the ISPDB that Thunderbird uses.
const DefaultISPDBURL = "https://autoconfig.thunderbird.net/v1.1/"

// OptionsFromEnv returns the options the command line and the window use: the DNS server in
// $POUCH_DNS_SERVER (host:port) instead of the system's, and the ISPDB at $POUCH_ISPDB_URL.
// They exist for tests and for networks with their own resolver.
func OptionsFromEnv() Options {
	var o Options
	if addr := os.Getenv("POUCH_DNS_SERVER"); addr != "" {
		o.Resolver = &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		}}
	}
	o.ISPDBURL = os.Getenv("POUCH_ISPDB_URL")
	return o
}

func (o *Options) resolver() *net.Resolver {
	if o.Resolver != nil {
		return o.Resolver
	}
	return net.DefaultResolver
}

func (o *Options) stepTimeout() time.Duration {
	if o.StepTimeout > 0 {
		return o.StepTimeout
	}
	return 10 * time.Second
}

func (o *Options) httpClient() *http.Client {
	if o.HTTPClient != nil {
		return o.HTTPClient
	}
	d := &net.Dialer{Timeout: o.stepTimeout(), Resolver: o.Resolver}
	return &http.Client{
		Timeout: o.stepTimeout(),
		Transport: &http.Transport{
			DialContext:     d.DialContext,
			TLSClientConfig: &tls.Config{RootCAs: o.RootCAs, MinVersion: tls.VersionTLS12},
			Proxy:           http.ProxyFromEnvironment,
		},
		// An autoconfig file may move, but never to plain HTTP.
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if req.URL.Scheme != "https" || len(via) > 5 {
				return errors.New("refusing the redirect")
			}
			return nil
		},
	}
}

// address splits an email address into its local part and its (lower-cased) domain.
func address(email string) (local, domain string, err error) {
	a, err := mail.ParseAddress(email)
	if err != nil || a.Name != "" || a.Address != strings.TrimSpace(email) {
		return "", "", fmt.Errorf("%q is not an email address", email)
	}
	at := strings.LastIndexByte(a.Address, '@')
	return a.Address[:at], strings.ToLower(a.Address[at+1:]), nil
}

// Discover finds POP3 (and, if it can, SMTP) settings for email, trying each step in turn and
// stopping at the first that yields POP3 settings. Steps that need the network are started
// together and waited for in order, each within Options.StepTimeout.
func Discover(ctx context.Context, email string, opts Options) (*Settings, error) {
	local, domain, err := address(email)
	if err != nil {
		return nil, err
	}
	fill := func(s *Settings) *Settings {
		s.POP3.User = expand(s.POP3.User, email, local, domain)
		if s.SMTP != nil {
			s.SMTP.User = expand(s.SMTP.User, email, local, domain)
		}
		return s
	}
	// 1. The provider table, by domain.
	if p, ok := providerByDomain(domain); ok {
		s, err := p.settings(domain)
		if err != nil {
			return nil, err
		}
		return fill(s), nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Everything that needs the network starts now; results are taken in priority order.
	mxHost := make(chan string, 1)
	go func() {
		mxHost <- lookupMX(ctx, &opts, domain)
	}()
	auto := startStep(ctx, &opts, func(ctx context.Context) (*Settings, error) {
		return fetchAutoconfig(ctx, &opts, email, domain)
	})
	srv := startStep(ctx, &opts, func(ctx context.Context) (*Settings, error) {
		return lookupSRV(ctx, &opts, domain)
	})
	// 2. The provider's own autoconfig, then the ISPDB.
	if s, _ := auto.wait(); s != nil {
		return fill(s), nil
	}
	if s, _ := runStep(ctx, &opts, func(ctx context.Context) (*Settings, error) {
		return fetchISPDB(ctx, &opts, domain)
	}); s != nil {
		return fill(s), nil
	}
	// 1 and 2 again for the domain of the MX host (a domain hosted by a large provider).
	if host := <-mxHost; host != "" {
		if mxDomain, err := publicsuffix.EffectiveTLDPlusOne(host); err == nil && mxDomain != domain {
			if p, ok := providerByMX(host, mxDomain); ok {
				s, err := p.settings(mxDomain)
				if err != nil {
					return nil, err
				}
				s.From = "MX " + host + " → " + s.From
				return fill(s), nil
			}
			for _, f := range []func(context.Context) (*Settings, error){
				func(ctx context.Context) (*Settings, error) { return fetchAutoconfig(ctx, &opts, email, mxDomain) },
				func(ctx context.Context) (*Settings, error) { return fetchISPDB(ctx, &opts, mxDomain) },
			} {
				if s, _ := runStep(ctx, &opts, f); s != nil {
					s.From = "MX " + host + " → " + s.From
					return fill(s), nil
				}
			}
		}
	}
	// 3. SRV records.
	if s, _ := srv.wait(); s != nil {
		return fill(s), nil
	}
	// 4. Guesses, probed.
	s, err := guess(ctx, &opts, domain)
	if err != nil {
		return nil, err
	}
	return fill(s), nil
}

// expand replaces Thunderbird's placeholders in a user name.
func expand(user, email, local, domain string) string {
	if user == "" {
		return email
	}
	r := strings.NewReplacer("%EMAILADDRESS%", email, "%EMAILLOCALPART%", local, "%EMAILDOMAIN%", domain)
	return r.Replace(user)
}

// step is a discovery step running on its own goroutine.
type step struct {
	done chan struct{}
	s    *Settings
	err  error
}

func startStep(ctx context.Context, o *Options, f func(context.Context) (*Settings, error)) *step {
	st := &step{done: make(chan struct{})}
	go func() {
		defer close(st.done)
		st.s, st.err = runStep(ctx, o, f)
	}()
	return st
}

func (st *step) wait() (*Settings, error) {
	<-st.done
	return st.s, st.err
}

// runStep runs f within the step timeout.
func runStep(ctx context.Context, o *Options, f func(context.Context) (*Settings, error)) (*Settings, error) {
	ctx, cancel := context.WithTimeout(ctx, o.stepTimeout())
	defer cancel()
	return f(ctx)
}

// lookupMX returns the preferred MX host of domain without its final dot, or "".
func lookupMX(ctx context.Context, o *Options, domain string) string {
	ctx, cancel := context.WithTimeout(ctx, o.stepTimeout())
	defer cancel()
	mxs, err := o.resolver().LookupMX(ctx, domain)
	if err != nil || len(mxs) == 0 {
		return ""
	}
	return strings.ToLower(strings.TrimSuffix(mxs[0].Host, "."))
}
