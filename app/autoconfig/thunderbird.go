package autoconfig

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// clientConfig is Thunderbird's autoconfig format (config-v1.1.xml), as far as Pouch reads it.
type clientConfig struct {
	Provider struct {
		Incoming []tbServer `xml:"incomingServer"`
		Outgoing []tbServer `xml:"outgoingServer"`
	} `xml:"emailProvider"`
}

type tbServer struct {
	Type       string   `xml:"type,attr"`
	Hostname   string   `xml:"hostname"`
	Port       int      `xml:"port"`
	SocketType string   `xml:"socketType"`
	Username   string   `xml:"username"`
	Auth       []string `xml:"authentication"`
}

// maxConfigSize bounds an autoconfig download: real files are a few KB.
const maxConfigSize = 1 << 20

// parseConfig reads a config-v1.1.xml and picks its first POP3 server (and first SMTP server)
// protected by TLS or STARTTLS; plaintext entries are skipped.
func parseConfig(r io.Reader) (pop3 Server, smtp *Server, oauth bool, err error) {
	var cc clientConfig
	dec := xml.NewDecoder(io.LimitReader(r, maxConfigSize))
	dec.Strict = false
	if err := dec.Decode(&cc); err != nil {
		return Server{}, nil, false, fmt.Errorf("autoconfig: %w", err)
	}
	found := false
	for _, s := range cc.Provider.Incoming {
		sec, ok := socketType(s.SocketType)
		if !ok || !strings.EqualFold(s.Type, "pop3") || !validHost(s.Hostname) || s.Port <= 0 || s.Port > 65535 {
			continue
		}
		pop3 = Server{Host: strings.ToLower(s.Hostname), Port: s.Port, Security: sec, User: s.Username}
		for _, a := range s.Auth {
			if strings.EqualFold(strings.TrimSpace(a), "OAuth2") {
				oauth = true
			}
		}
		found = true
		break
	}
	if !found {
		return Server{}, nil, false, errors.New("autoconfig: no POP3 server over TLS")
	}
	for _, s := range cc.Provider.Outgoing {
		sec, ok := socketType(s.SocketType)
		if !ok || !strings.EqualFold(s.Type, "smtp") || !validHost(s.Hostname) || s.Port <= 0 || s.Port > 65535 {
			continue
		}
		smtp = &Server{Host: strings.ToLower(s.Hostname), Port: s.Port, Security: sec, User: s.Username}
		break
	}
	return pop3, smtp, oauth, nil
}

func socketType(s string) (Security, bool) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "SSL", "TLS":
		return TLS, true
	case "STARTTLS":
		return StartTLS, true
	}
	return "", false
}

// validHost accepts a DNS name (no placeholders, no URL pieces).
func validHost(h string) bool {
	if h == "" || len(h) > 253 || strings.ContainsAny(h, "%/:@ \t") {
		return false
	}
	return true
}

// fetchConfig downloads and parses one autoconfig URL.
func fetchConfig(ctx context.Context, o *Options, u string, source Source) (*Settings, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := o.httpClient().Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("autoconfig: %s: %s", u, resp.Status)
	}
	pop3, smtp, oauth, err := parseConfig(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", u, err)
	}
	s := &Settings{Source: source, From: u, POP3: pop3, SMTP: smtp}
	if oauth {
		s.OAuth = oauthByHost(pop3.Host)
	}
	return s, nil
}

// oauthByHost names the OAuth2 provider of a server that the table knows.
func oauthByHost(host string) string {
	for _, p := range providers() {
		if p.POP3 != nil && p.POP3.Host == host {
			return p.OAuth
		}
	}
	return ""
}

// fetchAutoconfig tries the provider's own autoconfig locations for domain, both at once,
// preferring the autoconfig host.
func fetchAutoconfig(ctx context.Context, o *Options, email, domain string) (*Settings, error) {
	urls := []string{
		"https://autoconfig." + domain + "/mail/config-v1.1.xml?emailaddress=" + url.QueryEscape(email),
		"https://" + domain + "/.well-known/autoconfig/mail/config-v1.1.xml",
	}
	type result struct {
		s   *Settings
		err error
	}
	res := make([]chan result, len(urls))
	for i, u := range urls {
		res[i] = make(chan result, 1)
		go func() {
			s, err := fetchConfig(ctx, o, u, SourceAutoconfig)
			res[i] <- result{s, err}
		}()
	}
	var errs []error
	for _, ch := range res {
		r := <-ch
		if r.s != nil {
			return r.s, nil
		}
		errs = append(errs, r.err)
	}
	return nil, errors.Join(errs...)
}

// fetchISPDB asks the ISPDB about domain.
func fetchISPDB(ctx context.Context, o *Options, domain string) (*Settings, error) {
	base := o.ISPDBURL
	if base == "" {
		base = DefaultISPDBURL
	}
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	return fetchConfig(ctx, o, base+url.PathEscape(domain), SourceISPDB)
}

// portString is strconv.Itoa, named for what it makes.
func portString(p int) string { return strconv.Itoa(p) }
