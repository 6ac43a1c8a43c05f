package oauth_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/pouchmail/pouch/app/oauth/oauthtest"
	"github.com/pouchmail/pouch/pop3"
	"github.com/pouchmail/pouch/pop3/pop3test"
)

// oauthDovecot starts the local authorization server and a Dovecot that checks its tokens.
func oauthDovecot(t *testing.T, opts oauthtest.Options) (*oauthtest.Server, *pop3test.Dovecot) {
	t.Helper()
	as := oauthtest.NewServer(t, opts)
	d := pop3test.NewDovecot(t, &pop3test.DovecotOptions{OAuth2IntrospectionURL: as.IntrospectURL})
	return as, d
}

// login logs in to Dovecot's plain port with mech and a bearer token.
func login(ctx context.Context, t *testing.T, d *pop3test.Dovecot, user, token, mech string) error {
	t.Helper()
	c, err := pop3.Dial(ctx, d.PlainAddr, &pop3.Options{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Auth(ctx, user, token, mech); err != nil {
		return err
	}
	if _, _, err := c.Stat(ctx); err != nil {
		t.Fatalf("STAT after %s login: %v", mech, err)
	}
	return nil
}

func isAuthRefusal(err error) bool {
	var perr *pop3.Error
	return errors.As(err, &perr) && perr.Action() == pop3.ActionReauthenticate
}

// Dovecot accepts the local server's tokens with both mechanisms, and refuses them with [AUTH]
// once they expired (Dovecot asks the introspection endpoint, so expiry is real time), once
// revoked, and for another user; passwords still work beside them.
func TestDovecotChecksTokens(t *testing.T) {
	ctx := t.Context()
	as, d := oauthDovecot(t, oauthtest.Options{})
	for _, mech := range []string{"XOAUTH2", "OAUTHBEARER"} {
		t.Run(mech, func(t *testing.T) {
			tok := as.IssueAccessToken("alice", time.Hour)
			if err := login(ctx, t, d, "alice", tok, mech); err != nil {
				t.Fatalf("valid token refused: %v\n%s", err, d.Log())
			}
			if err := login(ctx, t, d, "bob", tok, mech); !isAuthRefusal(err) {
				t.Errorf("alice's token as bob: %v, want an [AUTH] refusal", err)
			}
			if err := login(ctx, t, d, "alice", "not-a-token", mech); !isAuthRefusal(err) {
				t.Errorf("unknown token: %v, want an [AUTH] refusal", err)
			}
			short := as.IssueAccessToken("alice", 2*time.Second)
			if err := login(ctx, t, d, "alice", short, mech); err != nil {
				t.Fatalf("fresh short-lived token refused: %v", err)
			}
			time.Sleep(2500 * time.Millisecond)
			if err := login(ctx, t, d, "alice", short, mech); !isAuthRefusal(err) {
				t.Errorf("expired token: %v, want an [AUTH] refusal", err)
			}
			as.RevokeAll("alice")
			if err := login(ctx, t, d, "alice", tok, mech); !isAuthRefusal(err) {
				t.Errorf("revoked token: %v, want an [AUTH] refusal", err)
			}
		})
	}
	if err := login(ctx, t, d, "alice", "secret-pw", "PLAIN"); err != nil {
		t.Errorf("password login beside OAuth2: %v", err)
	}
	if _, _, n, _ := as.Counts(); n == 0 {
		t.Error("Dovecot never asked the introspection endpoint")
	}
}
