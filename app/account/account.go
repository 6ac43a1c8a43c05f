// Package account holds the defaults and validation rules for account settings, shared by the
// command line and the window so that both accept exactly the same accounts.
package account

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/pouchmail/pouch/app/oauth"
	"github.com/pouchmail/pouch/mailstore"
	"github.com/pouchmail/pouch/pop3"
)

// Defaults for a new account.
const (
	// DefaultKeepForever: a new account leaves its mail on the server unless the user chooses
	// otherwise, as Thunderbird does (delete_by_age_from_server is false by default): people
	// read the same mailbox on a phone or in webmail, and a deletion there cannot be undone.
	DefaultKeepForever = true
	// DefaultLeaveDays is the number of days proposed when the user chooses to delete mail
	// from the server after a while (Thunderbird proposes 14 too). It applies only when
	// KeepForever is off.
	DefaultLeaveDays = 14
	DefaultInterval  = 10 * time.Minute
	DefaultSecurity  = mailstore.SecurityTLS

	// MinInterval keeps Pouch from hammering a server; servers may ask for more (LOGIN-DELAY).
	MinInterval = time.Minute
	MaxInterval = 7 * 24 * time.Hour
	// MaxLeaveDays is a sanity bound (100 years); "keep forever" is its own setting.
	MaxLeaveDays = 36500
	// MaxSizeLimit bounds the size limit: no message is stored above 1 GiB anyway.
	MaxSizeLimit = 1 << 30
)

// FieldError says which setting is wrong and what to do about it.
type FieldError struct {
	Field   string // the setting's name as the CLI spells it: "name", "host", "port", ...
	Problem string
}

func (e *FieldError) Error() string { return fmt.Sprintf("account %s: %s", e.Field, e.Problem) }

// DefaultPort is the port a security mode uses unless told otherwise.
func DefaultPort(sec mailstore.Security) int {
	if sec == mailstore.SecurityTLS {
		return 995
	}
	return 110
}

// ParseSecurity accepts the CLI and UI spellings of a security mode.
func ParseSecurity(s string) (mailstore.Security, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "tls", "ssl", "implicit":
		return mailstore.SecurityTLS, nil
	case "starttls", "stls":
		return mailstore.SecurityStartTLS, nil
	case "none", "plain":
		return mailstore.SecurityNone, nil
	}
	return "", &FieldError{Field: "security", Problem: fmt.Sprintf("%q is not one of tls, starttls, none", s)}
}

// New returns an account with the defaults filled in.
func New(name, host, user string) *mailstore.Account {
	return &mailstore.Account{
		Name:        name,
		Host:        host,
		Port:        DefaultPort(DefaultSecurity),
		Security:    DefaultSecurity,
		Username:    user,
		LeaveDays:   DefaultLeaveDays,
		KeepForever: DefaultKeepForever,
		Interval:    DefaultInterval,
	}
}

// Validate checks every setting and returns the first problem as a *FieldError.
func Validate(a *mailstore.Account) error {
	switch {
	case strings.TrimSpace(a.Name) == "":
		return &FieldError{"name", "must not be empty"}
	case len(a.Name) > 64:
		return &FieldError{"name", "must be at most 64 characters"}
	case hasControl(a.Name):
		return &FieldError{"name", "must not contain control characters"}
	}
	if a.Local {
		return nil // no server: a name is all it has
	}
	if err := validateHost(a.Host); err != nil {
		return err
	}
	if a.Port < 1 || a.Port > 65535 {
		return &FieldError{"port", fmt.Sprintf("%d is not a port number (1-65535)", a.Port)}
	}
	switch a.Security {
	case mailstore.SecurityTLS, mailstore.SecurityStartTLS, mailstore.SecurityNone:
	default:
		return &FieldError{"security", fmt.Sprintf("%q is not one of tls, starttls, none", a.Security)}
	}
	switch {
	case a.Username == "":
		return &FieldError{"user", "must not be empty"}
	case hasControl(a.Username) || len(a.Username) > 255:
		// CR/LF here would let a user name inject POP3 commands.
		return &FieldError{"user", "must be at most 255 characters without control characters"}
	}
	if !a.KeepForever && (a.LeaveDays < 0 || a.LeaveDays > MaxLeaveDays) {
		return &FieldError{"leave-days", fmt.Sprintf("%d is out of range (0-%d; use keep forever to never delete)", a.LeaveDays, MaxLeaveDays)}
	}
	if a.SizeLimit < 0 || a.SizeLimit > MaxSizeLimit {
		return &FieldError{"size-limit", fmt.Sprintf("%d is out of range (0 for no limit, at most %d bytes)", a.SizeLimit, int64(MaxSizeLimit))}
	}
	if a.Interval < MinInterval || a.Interval > MaxInterval {
		return &FieldError{"interval", fmt.Sprintf("%s is out of range (%s to %s)", a.Interval, MinInterval, MaxInterval)}
	}
	if len(a.CACertPEM) > 0 {
		if _, err := ParseCertificates(a.CACertPEM); err != nil {
			return &FieldError{"ca-file", err.Error()}
		}
	}
	if m, err := ParseAuthMethod(a.AuthMethod); err != nil {
		return err
	} else if m != a.AuthMethod {
		return &FieldError{"auth", fmt.Sprintf("%q is not in canonical form %q", a.AuthMethod, m)}
	}
	if a.PinnedCertSHA256 != "" {
		if f, err := ParseFingerprint(a.PinnedCertSHA256); err != nil {
			return err
		} else if f != a.PinnedCertSHA256 {
			return &FieldError{"tls-fingerprint", "must be 64 lower-case hex digits"}
		}
	}
	if err := validateSMTP(a); err != nil {
		return err
	}
	return validateOAuth(a)
}

// validateOAuth checks the OAuth2 settings. A missing client ID is left to sign-in time: it is a
// build setting, and an account saved under another build must still be editable.
func validateOAuth(a *mailstore.Account) error {
	if a.OAuthProvider == "" {
		if a.OAuthClientID != "" || a.OAuthAuthURL != "" || a.OAuthTokenURL != "" || a.OAuthScopes != "" {
			return &FieldError{"oauth", "OAuth2 settings without a provider"}
		}
		return nil
	}
	switch a.AuthMethod {
	case "", "XOAUTH2", "OAUTHBEARER":
	default:
		return &FieldError{"auth", fmt.Sprintf("an OAuth2 account logs in with XOAUTH2 or OAUTHBEARER, not %s", a.AuthMethod)}
	}
	for field, v := range map[string]string{"oauth-client-id": a.OAuthClientID, "oauth-scope": a.OAuthScopes} {
		if hasControl(v) || len(v) > 2048 {
			return &FieldError{field, "must be at most 2048 characters without control characters"}
		}
	}
	_, err := oauth.Resolve(OAuthSettings(a))
	var cerr *oauth.ConfigError
	switch {
	case errors.As(err, &cerr) && cerr.Field == "oauth-client-id":
		return nil
	case errors.As(err, &cerr):
		return &FieldError{cerr.Field, cerr.Problem}
	}
	return err
}

// OAuthSettings is the sign-in part of a's settings.
func OAuthSettings(a *mailstore.Account) oauth.Settings {
	return oauth.Settings{Provider: a.OAuthProvider, ClientID: a.OAuthClientID,
		AuthURL: a.OAuthAuthURL, TokenURL: a.OAuthTokenURL, Scopes: strings.Fields(a.OAuthScopes)}
}

// ParseAuthMethod accepts an authentication mechanism name in any case and
// returns it upper-cased; "" (or "auto") means the strongest the server
// offers.
func ParseAuthMethod(s string) (string, error) {
	m := strings.ToUpper(strings.TrimSpace(s))
	if m == "" || m == "AUTO" {
		return "", nil
	}
	if !pop3.KnownMechanism(m) {
		return "", &FieldError{"auth", fmt.Sprintf("%q is not one of auto, %s", s, strings.Join(pop3.Mechanisms, ", "))}
	}
	return m, nil
}

// ParseFingerprint accepts a certificate's SHA-256 fingerprint as people
// copy it (colons, either case) and returns 64 lower-case hex digits.
func ParseFingerprint(s string) (string, error) {
	f, err := pop3.NormalizeFingerprint(s)
	if err != nil {
		return "", &FieldError{"tls-fingerprint", "must be a SHA-256 fingerprint: 64 hex digits, colons allowed"}
	}
	return f, nil
}

// ParseCertificates reads every certificate of a PEM bundle; it fails when there is none.
func ParseCertificates(pemData []byte) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	for rest := pemData; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("bad certificate in PEM: %v", err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("no PEM certificate found")
	}
	return certs, nil
}

func validateHost(h string) error {
	switch {
	case h == "":
		return &FieldError{"host", "must not be empty"}
	case strings.Contains(h, "://"):
		return &FieldError{"host", "is a host name, not a URL (drop the scheme)"}
	case len(h) > 253:
		return &FieldError{"host", "is too long"}
	}
	for _, r := range h {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == '/' {
			return &FieldError{"host", fmt.Sprintf("%q is not a host name", h)}
		}
	}
	return nil
}

func hasControl(s string) bool {
	return strings.IndexFunc(s, unicode.IsControl) >= 0
}

// ParseSize reads a size limit as people write it: bytes ("10485760"), or a number with K, M
// or G (1024-based, as the window's KB field; "KB", "KiB", "MB", "MiB" … too). "0" is no limit.
func ParseSize(s string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	t = strings.TrimSuffix(strings.TrimSuffix(t, "B"), "I")
	mult := int64(1)
	if t != "" {
		switch t[len(t)-1] {
		case 'K':
			mult = 1 << 10
		case 'M':
			mult = 1 << 20
		case 'G':
			mult = 1 << 30
		}
		if mult > 1 {
			t = strings.TrimSpace(t[:len(t)-1])
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 0 || n > MaxSizeLimit/mult {
		return 0, &FieldError{"size-limit", fmt.Sprintf("%q is not a size (bytes, or a number with K, M or G; at most 1G)", s)}
	}
	return n * mult, nil
}
