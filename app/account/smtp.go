package account

import (
	"fmt"
	"strings"

	"github.com/pouchmail/pouch/app/submit"
	"github.com/pouchmail/pouch/mailstore"
)

// DefaultSMTPPort is the submission port for sec: 465 for implicit TLS, 587 for STARTTLS.
func DefaultSMTPPort(sec mailstore.Security) int { return submit.DefaultPort(string(sec)) }

// ParseSMTPSecurity accepts the spellings of an SMTP security mode: implicit TLS or STARTTLS.
// There is no plain-text mode for sending.
func ParseSMTPSecurity(s string) (mailstore.Security, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "tls", "ssl", "implicit":
		return mailstore.SecurityTLS, nil
	case "starttls":
		return mailstore.SecurityStartTLS, nil
	}
	return "", &FieldError{Field: "smtp-security", Problem: fmt.Sprintf("%q is not one of tls, starttls (mail is never sent unencrypted)", s)}
}

// ParseSMTPAuth accepts an SMTP mechanism name in any case; "" or "auto" = the strongest offered.
func ParseSMTPAuth(s string) (string, error) {
	m := strings.ToUpper(strings.TrimSpace(s))
	if m == "" || m == "AUTO" {
		return "", nil
	}
	if !submit.KnownMechanism(m) {
		return "", &FieldError{Field: "smtp-auth", Problem: fmt.Sprintf("%q is not one of auto, %s", s, strings.Join(submit.Mechanisms, ", "))}
	}
	return m, nil
}

// validateSMTP checks the sending settings; an account without an SMTP host sends no mail.
func validateSMTP(a *mailstore.Account) error {
	if a.SMTPHost == "" {
		if a.SMTPPort != 0 || a.SMTPUser != "" || a.SMTPAuth != "" {
			return &FieldError{Field: "smtp-host", Problem: "SMTP settings without an SMTP host"}
		}
		return nil
	}
	if err := validateHost(a.SMTPHost); err != nil {
		return &FieldError{Field: "smtp-host", Problem: err.(*FieldError).Problem}
	}
	if a.SMTPPort < 1 || a.SMTPPort > 65535 {
		return &FieldError{Field: "smtp-port", Problem: fmt.Sprintf("%d is not a port number (1-65535)", a.SMTPPort)}
	}
	if a.SMTPSecurity != mailstore.SecurityTLS && a.SMTPSecurity != mailstore.SecurityStartTLS {
		return &FieldError{Field: "smtp-security", Problem: fmt.Sprintf("%q is not one of tls, starttls", a.SMTPSecurity)}
	}
	if hasControl(a.SMTPUser) || len(a.SMTPUser) > 255 {
		return &FieldError{Field: "smtp-user", Problem: "must be at most 255 characters without control characters"}
	}
	if m, err := ParseSMTPAuth(a.SMTPAuth); err != nil {
		return err
	} else if m != a.SMTPAuth {
		return &FieldError{Field: "smtp-auth", Problem: fmt.Sprintf("%q is not in canonical form %q", a.SMTPAuth, m)}
	}
	if a.OAuthProvider != "" && a.SMTPAuth != "" && a.SMTPAuth != "XOAUTH2" && a.SMTPAuth != "OAUTHBEARER" {
		return &FieldError{Field: "smtp-auth", Problem: "an OAuth2 account sends with XOAUTH2 or OAUTHBEARER"}
	}
	if hasControl(a.Address) || hasControl(a.DisplayName) || strings.ContainsAny(a.Address, "<> ") {
		return &FieldError{Field: "from", Problem: "the sender must be \"Name <address>\" without control characters"}
	}
	if len(a.Signature) > 16<<10 {
		return &FieldError{Field: "signature", Problem: "must be at most 16 KiB"}
	}
	return nil
}
