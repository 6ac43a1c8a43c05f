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

// A complete session: connect with implicit TLS, log in, list the unique
// ids, download each message as a stream, delete it, and commit the
// deletions with Quit.
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	c, err := pop3.DialTLS(ctx, "pop.example.com:995", &pop3.Options{Timeout: 30 * time.Second})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close() // after a successful Quit this does nothing

	if err := c.Login(ctx, "alice", "password"); err != nil {
		log.Fatal(err)
	}
	uidls, err := c.UIDLAll(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, u := range uidls {
		h := sha256.New()
		err := c.Retr(ctx, u.ID, func(r io.Reader) error {
			_, err := io.Copy(h, r) // store the raw bytes instead
			return err
		})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s %x\n", u.UID, h.Sum(nil))
		// Only delete what is stored durably: the server removes it at Quit.
		if err := c.Dele(ctx, u.ID); err != nil {
			log.Fatal(err)
		}
	}
	if err := c.Quit(ctx); err != nil {
		log.Fatal(err) // the marked messages may still be on the server
	}
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
