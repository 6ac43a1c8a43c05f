// Package pop3 is a POP3 client (RFC 1939) with CAPA, PIPELINING and
// response codes (RFC 2449, RFC 3206), STLS (RFC 2595), implicit TLS
// (RFC 8314), SASL authentication (RFC 5034: PLAIN, LOGIN, CRAM-MD5,
// SCRAM-SHA-1, SCRAM-SHA-256, XOAUTH2, OAUTHBEARER), APOP and UTF8
// (RFC 6856).
//
// A session is Dial*, Auth, then listing and retrieval commands, then Quit:
//
//	c, err := pop3.DialTLS(ctx, "pop.example.com:995", nil)
//	...
//	err = c.Auth(ctx, user, pass, "") // strongest mechanism offered
//	uidls, err := c.UIDLAll(ctx)
//	err = c.RetrMany(ctx, ids, func(id int, r io.Reader) error { ... })
//	err = c.DeleMany(ctx, ids)
//	err = c.Quit(ctx)
//
// RetrMany and DeleMany pipeline their commands when the server offers
// PIPELINING (a bounded window, written from a second goroutine so that
// neither side's socket buffer can deadlock the other), and run in lockstep
// otherwise or with Options.ForceLockstep; the bytes are the same.
//
// Deletion is transactional on the server side: Dele only marks a message,
// and the server removes marked messages when it receives QUIT and answers
// +OK. Close, a network failure or a timeout leaves every message in place.
//
// Everything read from the network is treated as hostile: lines are bounded,
// listings are validated and capped in lines, bytes and total time
// (Options.MaxListingBytes, Options.ListingTimeout), message numbers and
// sizes reported by the server are never used to size allocations, and a
// malformed reply, or a pipelined reply to a command not yet sent, is a
// *ProtocolError that closes the connection. Every command and every read
// has a deadline (Options.Timeout, or the context's deadline if sooner), and
// so does every message and every pipelined reply as a whole, growing with
// its bytes (Options.MinRate after a grace of Timeout): a server that
// trickles a message in ends with a *SlowReplyError, a big message on a slow
// link does not. Cancelling the context interrupts a blocked read, or the
// wait for another command to finish, and a blocked read leaves the client
// closed. After STLS
// nothing said in plaintext is used: capabilities are read again and the
// greeting's APOP timestamp is dropped. After any network or protocol error the Client is closed and
// further calls return an error wrapping ErrClosed; a -ERR reply (*Error)
// leaves it usable.
package pop3
