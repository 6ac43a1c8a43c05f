package cli

import (
	"flag"

	"github.com/pouchmail/pouch/app/account"
	"github.com/pouchmail/pouch/app/autoconfig"
	"github.com/pouchmail/pouch/app/compose"
	"github.com/pouchmail/pouch/app/submit"
	"github.com/pouchmail/pouch/mailstore"
)

// smtpFlags are account add's sending settings.
type smtpFlags struct {
	host, security, user, auth, from, signature *string
	port                                        *int
}

func addSMTPFlags(fs *flag.FlagSet) *smtpFlags {
	return &smtpFlags{
		host:      fs.String("smtp-host", "", "SMTP submission server (none = the account sends no mail)"),
		port:      fs.Int("smtp-port", 0, "SMTP port (default 465 for tls, 587 for starttls)"),
		security:  fs.String("smtp-security", "tls", "tls or starttls (never plain text)"),
		user:      fs.String("smtp-user", "", "SMTP user name (default: the POP3 user)"),
		auth:      fs.String("smtp-auth", "", "SMTP authentication: auto, PLAIN, LOGIN, CRAM-MD5, XOAUTH2, OAUTHBEARER"),
		from:      fs.String("from", "", `the sender, "Name <address>" (default: the --email address or the user name)`),
		signature: fs.String("signature", "", "text added below new messages"),
	}
}

// apply sets a's sending settings from the flags given (set), else from discovery (found).
func (f *smtpFlags) apply(a *mailstore.Account, found *autoconfig.Settings, set map[string]bool) error {
	if found != nil && found.SMTP != nil && !set["smtp-host"] &&
		(found.SMTP.Security == autoconfig.TLS || found.SMTP.Security == autoconfig.StartTLS) {
		a.SMTPHost, a.SMTPPort, a.SMTPSecurity = found.SMTP.Host, found.SMTP.Port, mailstore.Security(found.SMTP.Security)
		if found.SMTP.User != "" && found.SMTP.User != a.Username {
			a.SMTPUser = found.SMTP.User
		}
	}
	if set["smtp-host"] {
		a.SMTPHost = *f.host
	}
	if a.SMTPHost != "" {
		if set["smtp-security"] || a.SMTPSecurity == "" {
			sec, err := account.ParseSMTPSecurity(*f.security)
			if err != nil {
				return usagef("account add: %v", err)
			}
			a.SMTPSecurity = sec
			if !set["smtp-port"] {
				a.SMTPPort = submit.DefaultPort(string(sec))
			}
		}
		if set["smtp-port"] {
			a.SMTPPort = *f.port
		}
		if set["smtp-user"] {
			a.SMTPUser = *f.user
		}
		if set["smtp-auth"] {
			m, err := account.ParseSMTPAuth(*f.auth)
			if err != nil {
				return usagef("account: %v", err)
			}
			a.SMTPAuth = m
		}
	} else if set["smtp-port"] || set["smtp-user"] || set["smtp-auth"] || set["smtp-security"] {
		return usagef("account add: --smtp-port, --smtp-security, --smtp-user and --smtp-auth need --smtp-host")
	}
	if set["from"] {
		addr, err := compose.ParseAddress("from", *f.from)
		if err != nil {
			return usagef("account add: %v", err)
		}
		a.DisplayName, a.Address = addr.Name, addr.Address
	}
	if set["signature"] {
		a.Signature = *f.signature
	}
	return nil
}
