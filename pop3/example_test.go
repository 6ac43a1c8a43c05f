package pop3_test

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"time"

	"github.com/pouchmail/pouch/pop3"
	"github.com/pouchmail/pouch/pop3/pop3test"
)

// exampleServer stands in for a provider's server, pop.example.com: it keeps
// two messages for alice (password "password") and speaks TLS, implicit (as
// on port 995) or after STLS (port 110), with a self-signed certificate that
// trust trusts. A real server needs no trust: nil means the system's roots.
func exampleServer(implicitTLS bool) (addr string, trust *tls.Config, stop func()) {
	cert, certPEM := pop3test.NewTLSCert()
	drop := pop3test.NewMaildrop()
	drop.Add("uid-1", []byte("Subject: one\n\nfirst\n"))
	drop.Add("uid-2", []byte("Subject: two\n\nsecond\n"))
	srv, err := pop3test.StartMaildrop(drop, "alice", "password", &pop3test.MaildropOptions{
		TLS: &tls.Config{Certificates: []tls.Certificate{cert}}, ImplicitTLS: implicitTLS})
	if err != nil {
		log.Fatal(err)
	}
	return srv.Addr(), &tls.Config{RootCAs: pop3test.CertPool(certPEM)}, srv.Close
}

// A complete session: connect with implicit TLS, authenticate with the
// strongest mechanism offered, list the unique ids, download the messages
// (pipelined when the server allows it) as streams, delete them, and commit
// the deletions with Quit.
func Example() {
	addr, trust, stop := exampleServer(true) // "pop.example.com:995"
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	c, err := pop3.DialTLS(ctx, addr, &pop3.Options{Timeout: 30 * time.Second, TLSConfig: trust})
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
	// Output:
	// uid-1 d61978663abe798efcf4a3d2d83845278159aa8cfd88fdb21648646343625e4b
	// uid-2 74c5b7a694a2a43287ee85ea9070844ced06c4728d49d281086251d67405f9ab
}

// Forcing a mechanism, and what the typed errors say.
func ExampleClient_Auth() {
	addr, trust, stop := exampleServer(false) // "pop.example.com:110"
	defer stop()
	ctx := context.Background()
	c, err := pop3.DialStartTLS(ctx, addr, &pop3.Options{TLSConfig: trust})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	err = c.Auth(ctx, "alice", "password", "SCRAM-SHA-256")
	var perr *pop3.Error
	switch {
	case err == nil:
	case errors.Is(err, pop3.ErrMechanismUnsupported):
		fmt.Println("the server does not offer SCRAM-SHA-256: choose another mechanism")
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
	// Output:
	// the server does not offer SCRAM-SHA-256: choose another mechanism
}

// Trusting one self-signed certificate by its fingerprint, as a user
// accepted it after a TLSUnknownAuthority error.
func ExampleOptions_pinnedSHA256() {
	addr, _, stop := exampleServer(true) // "pop.example.com:995"
	defer stop()
	ctx := context.Background()
	_, err := pop3.DialTLS(ctx, addr, nil)
	var te *pop3.TLSError
	if !errors.As(err, &te) || te.Kind != pop3.TLSUnknownAuthority || len(te.Certificates) == 0 {
		log.Fatal(err)
	}
	pin := pop3.CertificateSHA256(te.Certificates[0]) // show it, ask the user, store it
	c, err := pop3.DialTLS(ctx, addr, &pop3.Options{PinnedSHA256: pin})
	if errors.As(err, &te) && te.Kind == pop3.TLSPinMismatch {
		log.Fatal("the server's certificate changed since it was trusted")
	}
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	fmt.Println("connected to the pinned server")
	// Output:
	// connected to the pinned server
}

// Connecting on port 110 and requiring STLS: the session never continues in
// plaintext.
func ExampleDialStartTLS() {
	addr, trust, stop := exampleServer(false) // "pop.example.com:110"
	defer stop()
	ctx := context.Background()
	c, err := pop3.DialStartTLS(ctx, addr, &pop3.Options{TLSConfig: trust})
	switch {
	case errors.Is(err, pop3.ErrSTLSUnsupported):
		log.Fatal("the server does not offer STLS; use port 995 or another server")
	case err != nil:
		log.Fatal(err)
	}
	defer c.Close()
	_, encrypted := c.TLSConnectionState()
	fmt.Println("encrypted:", encrypted)
	caps, err := c.Capabilities(ctx)
	if err != nil {
		log.Fatal(err)
	}
	if caps.Expire != nil && !caps.Expire.Never {
		fmt.Printf("server deletes retrieved mail after %d days\n", caps.Expire.Days)
	}
	// Output:
	// encrypted: true
}

// Telling apart the reasons a login can fail.
func ExampleClient_Login() {
	addr, trust, stop := exampleServer(true) // "pop.example.com:995"
	defer stop()
	ctx := context.Background()
	c, err := pop3.DialTLS(ctx, addr, &pop3.Options{TLSConfig: trust})
	if err != nil {
		var te *pop3.TLSError
		if errors.As(err, &te) && te.Kind == pop3.TLSUnknownAuthority && len(te.Certificates) > 0 {
			fmt.Println("untrusted certificate for", te.Certificates[0].Subject)
		}
		log.Fatal(err)
	}
	defer c.Close()

	err = c.Login(ctx, "alice", "not the password")
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
	// Output:
	// wrong user name or password
}
