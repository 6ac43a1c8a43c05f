package autoconfig

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
)

// provider is one entry of the bundled table (providers.json).
type provider struct {
	Name    string   `json:"name"`
	Domains []string `json:"domains"` // the addresses' domains
	MX      []string `json:"mx"`      // registered domains of its MX hosts, for hosted domains
	POP3    *Server  `json:"pop3"`
	SMTP    *Server  `json:"smtp"`
	OAuth   string   `json:"oauth"`
	NoPOP3  bool     `json:"nopop3"` // known, and known to offer no POP3
}

//go:embed providers.json
var providersJSON []byte

// providers parses the table once. The table is part of the build and a test checks it, so a
// broken table is a programming error.
var providers = sync.OnceValue(func() []provider {
	var ps []provider
	if err := json.Unmarshal(providersJSON, &ps); err != nil {
		panic(fmt.Sprintf("autoconfig: providers.json: %v", err))
	}
	return ps
})

func providerByDomain(domain string) (*provider, bool) {
	for i, p := range providers() {
		if slices.Contains(p.Domains, domain) {
			return &providers()[i], true
		}
	}
	return nil, false
}

func providerByMX(host, mxDomain string) (*provider, bool) {
	for i, p := range providers() {
		if slices.Contains(p.MX, mxDomain) {
			return &providers()[i], true
		}
	}
	return nil, false
}

// settings is the entry as discovery's answer (user names not yet expanded).
func (p *provider) settings(key string) (*Settings, error) {
	if p.NoPOP3 || p.POP3 == nil {
		return nil, &NoPOP3Error{Provider: p.Name}
	}
	s := &Settings{Source: SourceProviders, From: p.Name + " (" + key + ")", POP3: *p.POP3, OAuth: p.OAuth}
	if p.SMTP != nil {
		smtp := *p.SMTP
		s.SMTP = &smtp
	}
	return s, nil
}

// OAuthProviders lists the OAuth2 provider names the table uses.
func OAuthProviders() []string {
	var out []string
	for _, p := range providers() {
		if p.OAuth != "" && !slices.Contains(out, p.OAuth) {
			out = append(out, p.OAuth)
		}
	}
	return out
}
