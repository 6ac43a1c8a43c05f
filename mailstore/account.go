package mailstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Security is how a connection to the POP3 server is protected.
type Security string

const (
	SecurityTLS      Security = "tls"      // implicit TLS (port 995)
	SecurityStartTLS Security = "starttls" // plain connection upgraded with STLS
	SecurityNone     Security = "none"     // no encryption
)

// Account holds one POP3 account's settings. No secret is ever stored: the
// password lives in the OS keyring.
type Account struct {
	ID          int64
	Name        string // unique, user-chosen
	Host        string
	Port        int
	Security    Security
	Username    string
	LeaveDays   int           // days to leave a message on the server; 0 = delete right after download
	KeepForever bool          // never delete from the server (LeaveDays ignored)
	CACertPEM   []byte        // extra trusted certificate(s), PEM; nil if none
	Interval    time.Duration // poll interval, stored in whole seconds
	Created     time.Time

	DisplayName      string // the user's name, for display
	Address          string // the user's email address, for display
	AuthMethod       string // "" = strongest offered; else a mechanism name such as "USER", "APOP", "SCRAM-SHA-256"
	DeleteOnServer   bool   // deleting a message here queues its deletion on the server
	SizeLimit        int64  // bytes; larger messages are fetched as headers only; 0 = no limit
	PinnedCertSHA256 string // hex SHA-256 of a certificate the user chose to trust; "" = none

	// OAuth2 sign-in; OAuthProvider "" = a password. The refresh token is in the keyring.
	OAuthProvider string // "google", "microsoft", "custom"
	OAuthClientID string // "" = the build's client ID for the provider
	OAuthAuthURL  string // "" = the provider's authorization endpoint
	OAuthTokenURL string // "" = the provider's token endpoint
	OAuthScopes   string // space-separated; "" = the provider's

	// Sending (SMTP submission); SMTPHost "" = the account sends no mail.
	SMTPHost        string
	SMTPPort        int
	SMTPSecurity    Security // SecurityTLS or SecurityStartTLS only: never plain text
	SMTPUser        string   // "" = Username
	SMTPAuth        string   // "" = the strongest offered; else PLAIN, LOGIN, CRAM-MD5, XOAUTH2, OAUTHBEARER
	SMTPOwnPassword bool     // the SMTP password has its own keyring entry; else the POP3 password
	Signature       string   // appended to new messages after "-- "; "" = none

	// Local: the account has no server (mail imported into it); nothing ever connects for it.
	Local bool
}

// SendsMail reports whether the account has an SMTP server.
func (a *Account) SendsMail() bool { return a.SMTPHost != "" }

const accountColumns = `id, name, host, port, security, username, leave_days, keep_forever, ca_cert_pem, interval_s, created,
	display_name, address, auth_method, delete_on_server, size_limit, pinned_cert_sha256,
	oauth_provider, oauth_client_id, oauth_auth_url, oauth_grant_url, oauth_scopes,
	smtp_host, smtp_port, smtp_security, smtp_user, smtp_auth, smtp_own_keyring_entry, signature, local`

func scanAccount(sc interface{ Scan(...any) error }) (Account, error) {
	var (
		a        Account
		sec      string
		keep     bool
		interval int64
		created  int64
		smtpSec  string
	)
	err := sc.Scan(&a.ID, &a.Name, &a.Host, &a.Port, &sec, &a.Username, &a.LeaveDays, &keep, &a.CACertPEM, &interval, &created,
		&a.DisplayName, &a.Address, &a.AuthMethod, &a.DeleteOnServer, &a.SizeLimit, &a.PinnedCertSHA256,
		&a.OAuthProvider, &a.OAuthClientID, &a.OAuthAuthURL, &a.OAuthTokenURL, &a.OAuthScopes,
		&a.SMTPHost, &a.SMTPPort, &smtpSec, &a.SMTPUser, &a.SMTPAuth, &a.SMTPOwnPassword, &a.Signature, &a.Local)
	if err != nil {
		return Account{}, err
	}
	a.Security = Security(sec)
	a.SMTPSecurity = Security(smtpSec)
	a.KeepForever = keep
	a.Interval = time.Duration(interval) * time.Second
	a.Created = time.Unix(created, 0)
	return a, nil
}

// pem returns the certificate column value: NULL when empty.
func (a *Account) pem() any {
	if len(a.CACertPEM) == 0 {
		return nil
	}
	return a.CACertPEM
}

// CreateAccount inserts a and sets a.ID and a.Created. A name already in use
// gives an error wrapping ErrExists.
func (s *Store) CreateAccount(ctx context.Context, a *Account) error {
	created := time.Now()
	res, err := s.db.ExecContext(ctx, `INSERT INTO accounts
		(name, host, port, security, username, leave_days, keep_forever, ca_cert_pem, interval_s, created,
		 display_name, address, auth_method, delete_on_server, size_limit, pinned_cert_sha256,
		 oauth_provider, oauth_client_id, oauth_auth_url, oauth_grant_url, oauth_scopes,
		 smtp_host, smtp_port, smtp_security, smtp_user, smtp_auth, smtp_own_keyring_entry, signature, local)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.Name, a.Host, a.Port, string(a.Security), a.Username, a.LeaveDays, a.KeepForever, a.pem(),
		int64(a.Interval/time.Second), created.Unix(),
		a.DisplayName, a.Address, a.AuthMethod, a.DeleteOnServer, a.SizeLimit, a.PinnedCertSHA256,
		a.OAuthProvider, a.OAuthClientID, a.OAuthAuthURL, a.OAuthTokenURL, a.OAuthScopes,
		a.SMTPHost, a.SMTPPort, string(a.SMTPSecurity), a.SMTPUser, a.SMTPAuth, a.SMTPOwnPassword, a.Signature, a.Local)
	if isUnique(err) {
		return fmt.Errorf("mailstore: create account %q: %w", a.Name, ErrExists)
	}
	if err != nil {
		return fmt.Errorf("mailstore: create account %q: %w", a.Name, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return fmt.Errorf("mailstore: create account %q: %w", a.Name, err)
	}
	a.ID = id
	a.Created = time.Unix(created.Unix(), 0)
	return nil
}

// UpdateAccount stores every field of a except ID and Created. Renaming to
// a name already in use gives an error wrapping ErrExists.
func (s *Store) UpdateAccount(ctx context.Context, a *Account) error {
	wrap := func(err error) error { return fmt.Errorf("mailstore: update account %q: %w", a.Name, err) }
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return wrap(err)
	}
	defer tx.Rollback()
	// The ledger describes one mailbox. Pointed at another (host or user changed), UIDLs the
	// two mailboxes share would pass for downloaded and later be deleted unseen, so the ledger
	// starts afresh: everything listed is downloaded (bytes already stored are linked, not
	// stored twice) and nothing is deleted before that.
	if _, err := tx.ExecContext(ctx, `DELETE FROM ledger WHERE account_id = ? AND EXISTS (SELECT 1 FROM accounts
		WHERE id = ? AND (lower(host) <> lower(?) OR username <> ?))`, a.ID, a.ID, a.Host, a.Username); err != nil {
		return wrap(err)
	}
	res, err := tx.ExecContext(ctx, `UPDATE accounts SET
		name = ?, host = ?, port = ?, security = ?, username = ?, leave_days = ?,
		keep_forever = ?, ca_cert_pem = ?, interval_s = ?,
		display_name = ?, address = ?, auth_method = ?, delete_on_server = ?, size_limit = ?, pinned_cert_sha256 = ?,
		oauth_provider = ?, oauth_client_id = ?, oauth_auth_url = ?, oauth_grant_url = ?, oauth_scopes = ?,
		smtp_host = ?, smtp_port = ?, smtp_security = ?, smtp_user = ?, smtp_auth = ?, smtp_own_keyring_entry = ?, signature = ?, local = ?
		WHERE id = ?`,
		a.Name, a.Host, a.Port, string(a.Security), a.Username, a.LeaveDays,
		a.KeepForever, a.pem(), int64(a.Interval/time.Second),
		a.DisplayName, a.Address, a.AuthMethod, a.DeleteOnServer, a.SizeLimit, a.PinnedCertSHA256,
		a.OAuthProvider, a.OAuthClientID, a.OAuthAuthURL, a.OAuthTokenURL, a.OAuthScopes,
		a.SMTPHost, a.SMTPPort, string(a.SMTPSecurity), a.SMTPUser, a.SMTPAuth, a.SMTPOwnPassword, a.Signature, a.Local, a.ID)
	if isUnique(err) {
		return wrap(ErrExists)
	}
	if err != nil {
		return wrap(err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("mailstore: update account %d: %w", a.ID, ErrNotFound)
	}
	if err := tx.Commit(); err != nil {
		return wrap(err)
	}
	return nil
}

// Accounts returns all accounts ordered by name.
func (s *Store) Accounts(ctx context.Context) ([]Account, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+accountColumns+` FROM accounts ORDER BY name, id`)
	if err != nil {
		return nil, fmt.Errorf("mailstore: accounts: %w", err)
	}
	defer rows.Close()
	var as []Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, fmt.Errorf("mailstore: accounts: %w", err)
		}
		as = append(as, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("mailstore: accounts: %w", err)
	}
	return as, nil
}

// AccountByName returns the account called name, or an error wrapping
// ErrNotFound.
func (s *Store) AccountByName(ctx context.Context, name string) (*Account, error) {
	a, err := scanAccount(s.db.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("mailstore: account %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("mailstore: account %q: %w", name, err)
	}
	return &a, nil
}

// Account returns the account with the given id, or an error wrapping
// ErrNotFound.
func (s *Store) Account(ctx context.Context, id int64) (*Account, error) {
	a, err := scanAccount(s.db.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("mailstore: account %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("mailstore: account %d: %w", id, err)
	}
	return &a, nil
}

// DeleteAccount removes an account's settings and its UIDL ledger, in one transaction. With
// withMessages every message downloaded for it goes too (only the local copies: nothing here
// touches the server); otherwise they stay in the archive, their AccountID becomes 0 and they
// keep showing the account's name.
func (s *Store) DeleteAccount(ctx context.Context, id int64, withMessages bool) error {
	wrap := func(err error) error { return fmt.Errorf("mailstore: delete account %d: %w", id, err) }
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return wrap(err)
	}
	defer tx.Rollback()
	// Messages kept record the name they were saved under; refresh it to the current one so a
	// renamed account's mail does not change label now.
	q := `UPDATE messages SET account_name = (SELECT name FROM accounts WHERE id = ?1) WHERE account_id = ?1`
	if withMessages {
		q = `DELETE FROM messages WHERE account_id = ?1`
	}
	if _, err := tx.ExecContext(ctx, q, id); err != nil {
		return wrap(err)
	}
	// Foreign keys do the rest: ledger rows cascade, messages kept get NULL.
	res, err := tx.ExecContext(ctx, `DELETE FROM accounts WHERE id = ?`, id)
	if err != nil {
		return wrap(err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return wrap(ErrNotFound)
	}
	if err := tx.Commit(); err != nil {
		return wrap(err)
	}
	return nil
}

// RemovedAccount is a removed account whose messages were kept: the name they keep, how many
// there are (in every folder and the Trash) and how many of its inbox are unread.
type RemovedAccount struct {
	Name     string
	Messages int
	Unread   int
}

// RemovedAccounts lists the removed accounts whose messages were kept, by name. A name that is
// an account again is listed as well: its old messages stay apart from the new account's.
func (s *Store) RemovedAccounts(ctx context.Context) ([]RemovedAccount, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT account_name, count(*),
		coalesce(sum(read = 0 AND trashed_at IS NULL AND folder = 'inbox'), 0)
		FROM messages WHERE account_id IS NULL GROUP BY account_name ORDER BY account_name`)
	if err != nil {
		return nil, fmt.Errorf("mailstore: removed accounts: %w", err)
	}
	defer rows.Close()
	var out []RemovedAccount
	for rows.Next() {
		var r RemovedAccount
		if err := rows.Scan(&r.Name, &r.Messages, &r.Unread); err != nil {
			return nil, fmt.Errorf("mailstore: removed accounts: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("mailstore: removed accounts: %w", err)
	}
	return out, nil
}
