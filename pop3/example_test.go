package pop3_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log"
	"time"

	"github.com/pouchmail/pouch/pop3"
)

// A complete session: connect with implicit TLS, authenticate with the
// strongest mechanism offered, list the unique ids, download the messages
// (pipelined when the server allows it) as streams, delete them, and commit
// the deletions with Quit.
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	c, err := pop3.DialTLS(ctx, "pop.example.com:995", &pop3.Options{Timeout: 30 * time.Second})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close() // after a successful Quit this does nothing

	if err := c.Auth(ctx, "alice", "password", ""); err != nil {
		log.Fatal(err)
	}
	uidls, err := c.UIDLAll(ctx)
	if err != nil {
		log.Fatal(err)
	}
	ids := make([]int, len(uidls))
	uid := make(map[int]string, len(uidls))
	for i, u := range uidls {
		ids[i], uid[u.ID] = u.ID, u.UID
	}
	var stored []int
	err = c.RetrMany(ctx, ids, func(id int, r io.Reader) error {
		h := sha256.New()
		if _, err := io.Copy(h, r); err != nil { // store the raw bytes instead
			return err
		}
		fmt.Printf("%s %x\n", uid[id], h.Sum(nil))
		stored = append(stored, id)
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	// Only delete what is stored durably: the server removes it at Quit.
	if err := c.DeleMany(ctx, stored); err != nil {
		log.Fatal(err) // Close without Quit keeps everything
	}
	if err := c.Quit(ctx); err != nil {
		log.Fatal(err) // the marked messages may still be on the server
	}
}

// Forcing a mechanism, and what the typed errors say.
func ExampleClient_Auth() {
	ctx := context.Background()
	c, err := pop3.DialStartTLS(ctx, "pop.example.com:110", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	err = c.Auth(ctx, "alice", "password", "SCRAM-SHA-256")
	var perr *pop3.Error
	switch {
	case err == nil:
	case errors.Is(err, pop3.ErrMechanismUnsupported):
		fmt.Println("choose another mechanism:", err)
	case errors.As(err, &perr):
		switch perr.Action() {
		case pop3.ActionRetryLater:
			fmt.Println("busy, try later:", perr.Text)
		case pop3.ActionReauthenticate:
			fmt.Println("wrong user name or password")
		case pop3.ActionStop:
			fmt.Println("the provider says:", perr.Text)
		}
	default:
		log.Fatal(err)
	}
}

// Trusting one self-signed certificate by its fingerprint, as a user
// accepted it after a TLSUnknownAuthority error.
func ExampleOptions_pinnedSHA256() {
	ctx := context.Background()
	_, err := pop3.DialTLS(ctx, "pop.example.com:995", nil)
	var te *pop3.TLSError
	if !errors.As(err, &te) || len(te.Certificates) == 0 {
		log.Fatal(err)
	}
	pin := pop3.CertificateSHA256(te.Certificates[0]) // show it, ask the user, store it
	c, err := pop3.DialTLS(ctx, "pop.example.com:995", &pop3.Options{PinnedSHA256: pin})
	if errors.As(err, &te) && te.Kind == pop3.TLSPinMismatch {
		log.Fatal("the server's certificate changed since it was trusted")
	}
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
}

// Connecting on port 110 and requiring STLS: the session never continues in
// plaintext.
func ExampleDialStartTLS() {
	ctx := context.Background()
	c, err := pop3.DialStartTLS(ctx, "pop.example.com:110", nil)
	switch {
	case errors.Is(err, pop3.ErrSTLSUnsupported):
		log.Fatal("the server does not offer STLS; use port 995 or another server")
	case err != nil:
		log.Fatal(err)
	}
	defer c.Close()
	caps, err := c.Capabilities(ctx)
	if err != nil {
		log.Fatal(err)
	}
	if caps.Expire != nil && !caps.Expire.Never {
		fmt.Printf("server deletes retrieved mail after %d days\n", caps.Expire.Days)
	}
}

// Telling apart the reasons a login can fail.
func ExampleClient_Login() {
	ctx := context.Background()
	c, err := pop3.DialTLS(ctx, "pop.example.com:995", nil)
	if err != nil {
		var te *pop3.TLSError
		if errors.As(err, &te) && te.Kind == pop3.TLSUnknownAuthority && len(te.Certificates) > 0 {
			fmt.Println("untrusted certificate for", te.Certificates[0].Subject)
		}
		log.Fatal(err)
	}
	defer c.Close()

	err = c.Login(ctx, "alice", "password")
	var perr *pop3.Error
	switch {
	case err == nil:
	case errors.As(err, &perr) && perr.Temporary():
		fmt.Println("mailbox busy, try again later:", perr.Text)
	case errors.As(err, &perr) && perr.AuthFailed():
		fmt.Println("wrong user name or password")
	default:
		log.Fatal(err)
	}
}
