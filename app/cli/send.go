package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pouchmail/pouch/app/compose"
	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/mailstore"
)

// Sending from the command line: send, reply, forward and outbox. Each message goes to the
// outbox first (durably), then to the server; the command exits 0 only when the server
// accepted it, and the exact bytes are then in Sent.

// listFlag collects a repeatable flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ", ") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

func init() {
	register(&command{name: "send", run: runSend, usage: []string{
		"send --account NAME --to ADDR [--to ADDR]... [--cc ADDR]... [--bcc ADDR]...",
		"     --subject S [--body-file F] [--attach FILE]... [--json]"}, help: `
Writes a message from the account's identity (the text from standard input without
--body-file), commits it to the Outbox, and submits it to the account's SMTP server. Exits 0
only when the server accepted it; the exact bytes are then in Sent. A temporary refusal leaves
it in the Outbox, retried by the window's poller or pouch outbox retry.`})
	register(&command{name: "reply", run: runReply, usage: []string{"reply ID [--all] [--body-file F] [--attach FILE]... [--json]"}, help: `
Replies to message ID (--all: to every recipient but your own addresses), quoting it, with the
threading headers set, and sends like pouch send.`})
	register(&command{name: "forward", run: runForward, usage: []string{"forward ID --to ADDR [--body-file F] [--json]"}, help: `
Forwards message ID inline, with its attachments, and sends like pouch send.`})
	register(&command{name: "outbox", run: runOutbox, usage: []string{"outbox [list [--account NAME] | retry ID | discard ID | sent ID] [--json]"}, help: `
Lists the messages waiting to be sent, with their state and the server's last answer; retry
sends one now, discard deletes it, and sent records that one marked "may have been sent" went.`})
}

// sendJSON is the shape of send, reply and forward --json.
type sendJSON struct {
	ID          int64      `json:"id"`
	Account     string     `json:"account"`
	State       string     `json:"state"` // sent, queued, failed, maybe-sent
	MessageID   string     `json:"message_id"`
	Reply       string     `json:"reply"`        // the server's text on acceptance
	Error       *string    `json:"error"`        // why it is not sent
	NextAttempt *time.Time `json:"next_attempt"` // when queued
}

func runSend(ctx context.Context, env *Env, g *globals, args []string) error {
	fs := newFlagSet("send", g)
	name := fs.String("account", "", "the account to send from")
	var to, cc, bcc, attach listFlag
	fs.Var(&to, "to", "recipient (repeatable)")
	fs.Var(&cc, "cc", "copy recipient (repeatable)")
	fs.Var(&bcc, "bcc", "blind copy recipient (repeatable)")
	fs.Var(&attach, "attach", "file to attach (repeatable)")
	subject := fs.String("subject", "", "subject")
	bodyFile := fs.String("body-file", "", "the text (default: standard input)")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("send", pos); err != nil {
		return err
	}
	set := visited(fs)
	if *name == "" || len(to)+len(cc)+len(bcc) == 0 || !set["subject"] {
		return usagef("send: --account, --subject and at least one --to, --cc or --bcc are required")
	}
	atts, err := readAttachments(attach)
	if err != nil {
		return err
	}
	return withEngine(ctx, env, g, func(e *engine.Engine) error {
		d := engine.Draft{Account: *name, To: to, Cc: cc, Bcc: bcc, Subject: *subject, Attachments: atts}
		// Addresses and the account are checked before the body is read: a mistake queues nothing.
		if _, err := e.Compose(ctx, d); err != nil {
			return sendUsage("send", err)
		}
		if d.Body, err = readBody(ctx, env, *bodyFile); err != nil {
			return err
		}
		m, err := e.Compose(ctx, d)
		if err != nil {
			return sendUsage("send", err)
		}
		return queueAndSend(ctx, env, e, *name, m, *asJSON)
	})
}

func runReply(ctx context.Context, env *Env, g *globals, args []string) error {
	fs := newFlagSet("reply", g)
	all := fs.Bool("all", false, "reply to the sender and every recipient")
	var attach listFlag
	fs.Var(&attach, "attach", "file to attach (repeatable)")
	bodyFile := fs.String("body-file", "", "the text (default: standard input)")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("reply", pos, "ID"); err != nil {
		return err
	}
	id, err := parseID("reply", pos[0])
	if err != nil {
		return err
	}
	atts, err := readAttachments(attach)
	if err != nil {
		return err
	}
	return withEngine(ctx, env, g, func(e *engine.Engine) error {
		if _, _, err := e.ComposeReply(ctx, id, *all, ""); err != nil {
			return sendUsage("reply", err)
		}
		body, err := readBody(ctx, env, *bodyFile)
		if err != nil {
			return err
		}
		m, account, err := e.ComposeReply(ctx, id, *all, body)
		if err != nil {
			return sendUsage("reply", err)
		}
		m.Attachments = append(m.Attachments, atts...)
		return queueAndSend(ctx, env, e, account, m, *asJSON)
	})
}

func runForward(ctx context.Context, env *Env, g *globals, args []string) error {
	fs := newFlagSet("forward", g)
	var to listFlag
	fs.Var(&to, "to", "recipient (repeatable)")
	bodyFile := fs.String("body-file", "", "the text above the forwarded message (default: standard input)")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("forward", pos, "ID"); err != nil {
		return err
	}
	id, err := parseID("forward", pos[0])
	if err != nil {
		return err
	}
	if len(to) == 0 {
		return usagef("forward: at least one --to is required")
	}
	var rcpts []*compose.Address
	for _, s := range to {
		as, err := compose.ParseAddressList("to", s)
		if err != nil {
			return usagef("forward: %v", err)
		}
		rcpts = append(rcpts, as...)
	}
	return withEngine(ctx, env, g, func(e *engine.Engine) error {
		if _, _, err := e.ComposeForward(ctx, id, ""); err != nil {
			return sendUsage("forward", err)
		}
		body, err := readBody(ctx, env, *bodyFile)
		if err != nil {
			return err
		}
		m, account, err := e.ComposeForward(ctx, id, body)
		if err != nil {
			return sendUsage("forward", err)
		}
		m.To = rcpts
		return queueAndSend(ctx, env, e, account, m, *asJSON)
	})
}

// sendUsage makes the mistakes a user fixes on the command line usage errors (exit 2):
// addresses, an account that cannot send, an unknown message or account.
func sendUsage(cmd string, err error) error {
	var (
		ae *compose.AddressError
		ns *engine.NoSMTPError
		ni *engine.NoIdentityError
		nf *engine.NotFoundError
	)
	if errors.As(err, &ae) || errors.As(err, &ns) || errors.As(err, &ni) || errors.As(err, &nf) || errors.Is(err, compose.ErrNoRecipient) {
		return usagef("%s: %v", cmd, err)
	}
	return err
}

// queueAndSend commits m to the outbox, submits it, and reports. It fails (exit 1) unless the
// server accepted the message; the message then stays in the outbox.
func queueAndSend(ctx context.Context, env *Env, e *engine.Engine, account string, m *compose.Message, asJSON bool) error {
	id, err := e.Queue(ctx, account, m, 0)
	if err != nil {
		return sendUsage("send", err)
	}
	res, err := e.SendNow(ctx, id)
	if err != nil {
		return fmt.Errorf("message %d is in the outbox, not sent: %w", id, err)
	}
	j := sendJSON{ID: id, Account: account, State: string(res.State), MessageID: m.MessageID, Reply: res.Reply}
	if res.State == mailstore.SendQueued && !res.Next.IsZero() {
		n := res.Next.UTC()
		j.NextAttempt = &n
	}
	var failure error
	if res.State != mailstore.SendSent {
		failure = notSent(id, res)
		msg := oneLine(failure.Error())
		j.Error = &msg
	}
	if asJSON {
		if err := writeJSON(env.Stdout, j); err != nil {
			return err
		}
	} else if failure == nil {
		fmt.Fprintf(env.Stdout, "Sent message %d from %s; a copy is in Sent. The server said: %s\n", id, account, res.Reply)
	}
	return failure
}

// notSent says why message id is not sent and what the user can do.
func notSent(id int64, res *engine.SendResult) error {
	reason := "unknown"
	if res.Err != nil {
		reason = res.Err.Error()
	}
	switch res.State {
	case mailstore.SendQueued:
		return fmt.Errorf("message %d not sent yet: %s; it stays in the outbox and is tried again (now: pouch outbox retry %d)", id, reason, id)
	case mailstore.SendFailed:
		return fmt.Errorf("message %d was refused: %s; it stays in the outbox (pouch outbox retry %d, or discard %d)", id, reason, id, id)
	case mailstore.SendMaybeSent:
		return fmt.Errorf("message %d may have been sent: %s; it will not be sent again unless you say so (pouch outbox retry %d, sent %d or discard %d)", id, reason, id, id, id)
	}
	return fmt.Errorf("message %d is %s: %s", id, res.State, reason)
}

// outboxJSON is one element of `outbox list --json`.
type outboxJSON struct {
	ID          int64      `json:"id"`
	Account     string     `json:"account"`
	State       string     `json:"state"` // queued, submitting, failed, maybe-sent
	Subject     string     `json:"subject"`
	From        string     `json:"from"`
	To          []string   `json:"to"` // the envelope: Bcc recipients included
	Size        int64      `json:"size"`
	Attempts    int        `json:"attempts"`
	NextAttempt *time.Time `json:"next_attempt"` // when queued
	Error       string     `json:"error"`        // the server's text or the last failure
	Queued      time.Time  `json:"queued"`
}

func runOutbox(ctx context.Context, env *Env, g *globals, args []string) error {
	fs := newFlagSet("outbox", g)
	asJSON := fs.Bool("json", false, "print JSON")
	name := fs.String("account", "", "only this account")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	cmd := "list"
	if len(pos) > 0 {
		cmd, pos = pos[0], pos[1:]
	}
	switch cmd {
	case "list":
		if err := wantArgs("outbox list", pos); err != nil {
			return err
		}
		return withEngine(ctx, env, g, func(e *engine.Engine) error {
			box, err := e.Outbox(ctx, *name)
			if err != nil {
				return err
			}
			if *asJSON {
				out := make([]outboxJSON, 0, len(box))
				for _, s := range box {
					j := outboxJSON{ID: s.MessageID, Account: s.Account, State: string(s.State), Subject: s.Subject, From: s.From,
						To: s.To, Size: s.Size, Attempts: s.Attempts, Error: s.LastError, Queued: s.QueuedAt.UTC()}
					if s.State == mailstore.SendQueued {
						n := s.NextAttempt.UTC()
						j.NextAttempt = &n
					}
					out = append(out, j)
				}
				return writeJSON(env.Stdout, out)
			}
			tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSTATE\tTO\tSUBJECT\tERROR")
			for _, s := range box {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", s.MessageID, s.State, clip(strings.Join(s.To, ", "), 40), clip(s.Subject, 40), clip(s.LastError, 60))
			}
			return tw.Flush()
		})
	case "retry", "discard", "sent":
		if err := wantArgs("outbox "+cmd, pos, "ID"); err != nil {
			return err
		}
		id, err := parseID("outbox "+cmd, pos[0])
		if err != nil {
			return err
		}
		return withEngine(ctx, env, g, func(e *engine.Engine) error {
			switch cmd {
			case "discard":
				if err := e.DiscardOutgoing(ctx, id); err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "Discarded message %d.\n", id)
				return nil
			case "sent":
				if err := e.ConfirmSent(ctx, id); err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "Message %d moved to Sent.\n", id)
				return nil
			}
			if err := e.RetrySend(ctx, id); err != nil {
				return err
			}
			res, err := e.SendNow(ctx, id)
			if err != nil {
				return err
			}
			j := sendJSON{ID: id, Account: res.Account, State: string(res.State), Reply: res.Reply}
			var failure error
			if res.State != mailstore.SendSent {
				failure = notSent(id, res)
				msg := oneLine(failure.Error())
				j.Error = &msg
			}
			if *asJSON {
				if err := writeJSON(env.Stdout, j); err != nil {
					return err
				}
			} else if failure == nil {
				fmt.Fprintf(env.Stdout, "Sent message %d; a copy is in Sent. The server said: %s\n", id, res.Reply)
			}
			return failure
		})
	}
	return usagef("outbox: unknown sub-command %q (want list, retry, discard or sent)", cmd)
}

func parseID(cmd, s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, usagef("%s: %q is not a message ID (see pouch list)", cmd, s)
	}
	return id, nil
}

func visited(fs *flag.FlagSet) map[string]bool {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}

// readAttachments reads every file; a missing one is a usage error and nothing is queued.
func readAttachments(paths []string) ([]compose.Attachment, error) {
	var out []compose.Attachment
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, usagef("--attach: %v", err)
		}
		out = append(out, compose.NewAttachment(p, data))
	}
	return out, nil
}

// maxBody bounds the text read for a message.
const maxBody = 64 << 20

// readBody reads the text from --body-file, or standard input.
func readBody(ctx context.Context, env *Env, file string) (string, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", usagef("--body-file: %v", err)
		}
		return string(b), nil
	}
	if env.Stdin == nil {
		return "", nil
	}
	type result struct {
		b   []byte
		err error
	}
	ch := make(chan result, 1)
	go func() {
		b, err := io.ReadAll(io.LimitReader(env.Stdin, maxBody+1))
		ch <- result{b, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			return "", fmt.Errorf("reading the text from standard input: %v", r.err)
		}
		if len(r.b) > maxBody {
			return "", fmt.Errorf("the text is larger than %d bytes", maxBody)
		}
		return string(r.b), nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// identity is the account's sender as "Name <address>", or "" when it has none.
func identity(a *mailstore.Account) string {
	switch {
	case a.Address == "":
		return ""
	case a.DisplayName == "":
		return a.Address
	}
	return a.DisplayName + " <" + a.Address + ">"
}
