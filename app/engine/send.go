package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pouchmail/pouch/app/compose"
	"github.com/pouchmail/pouch/app/submit"
	"github.com/pouchmail/pouch/mailstore"
)

// Sending: composing with the account's identity, the outbox, and submission. A message is
// first committed to the archive's outbox with its exact bytes (durably); submission then marks
// it "submitting" (durably) before the end of DATA, and the server's 250 moves it to Sent with
// those bytes. A 4xx or a network failure before the end puts it back in the queue with a
// back-off the poller honours; a 5xx stops it with the server's text. A message found
// "submitting" when a run starts (its process died before the answer) becomes "may have been
// sent", and only the user sends it again.

// Checkpoints of a submission, for the crash tests (Options.Checkpoint).
const (
	// CheckpointSMTPSubmitting: "submitting" is committed; the final dot is not yet sent.
	CheckpointSMTPSubmitting = "smtp-submitting"
	// CheckpointSMTPDataSent: the server accepted the message (250); Sent not yet recorded.
	CheckpointSMTPDataSent = "smtp-data-sent"
)

// NoSMTPError says an account has no SMTP server to send through.
type NoSMTPError struct{ Account string }

func (e *NoSMTPError) Error() string {
	return fmt.Sprintf("account %q has no SMTP server (set one with --smtp-host)", e.Account)
}

// NoIdentityError says an account has no sender address.
type NoIdentityError struct{ Account string }

func (e *NoIdentityError) Error() string {
	return fmt.Sprintf("account %q has no sender address (set one with --from \"Name <address>\")", e.Account)
}

// sendLockWait bounds the wait for another Pouch's submission run of the same account.
var sendLockWait = 30 * time.Second

// Identity is the account's sender: "Name <address>".
func (e *Engine) Identity(a *mailstore.Account) (*compose.Address, error) {
	addr := a.Address
	if addr == "" && strings.Contains(a.Username, "@") {
		addr = a.Username
	}
	if addr == "" {
		return nil, &NoIdentityError{Account: a.Name}
	}
	return &compose.Address{Name: a.DisplayName, Address: addr}, nil
}

// sendingAccount returns the named account, checked for sending.
func (e *Engine) sendingAccount(ctx context.Context, name string) (*mailstore.Account, *compose.Address, error) {
	a, err := e.Account(ctx, name)
	if err != nil {
		return nil, nil, err
	}
	if !a.SendsMail() {
		return nil, nil, &NoSMTPError{Account: a.Name}
	}
	from, err := e.Identity(a)
	if err != nil {
		return nil, nil, err
	}
	return a, from, nil
}

// Draft is what the user writes: addresses as typed, comma-separated or one per element.
type Draft struct {
	Account     string
	To, Cc, Bcc []string
	Subject     string
	Body        string // without the signature: Compose adds it
	Attachments []compose.Attachment
}

// Compose turns a draft into a message from the account's identity, with its signature.
// Address mistakes are *compose.AddressError.
func (e *Engine) Compose(ctx context.Context, d Draft) (*compose.Message, error) {
	a, from, err := e.sendingAccount(ctx, d.Account)
	if err != nil {
		return nil, err
	}
	m := &compose.Message{From: from, Subject: d.Subject, Text: compose.WithSignature(d.Body, a.Signature), Attachments: d.Attachments}
	for _, f := range []struct {
		name string
		in   []string
		out  *[]*compose.Address
	}{{"to", d.To, &m.To}, {"cc", d.Cc, &m.Cc}, {"bcc", d.Bcc, &m.Bcc}} {
		for _, s := range f.in {
			as, err := compose.ParseAddressList(f.name, s)
			if err != nil {
				return nil, err
			}
			*f.out = append(*f.out, as...)
		}
	}
	if len(m.To)+len(m.Cc)+len(m.Bcc) == 0 {
		return nil, compose.ErrNoRecipient
	}
	return m, nil
}

// ComposeReply answers stored message id from the account it came to: to its sender, or with
// all to every recipient but the user; quoted, threaded, signed.
func (e *Engine) ComposeReply(ctx context.Context, id int64, all bool, body string) (*compose.Message, string, error) {
	a, from, o, err := e.original(ctx, id)
	if err != nil {
		return nil, "", err
	}
	own := []string{from.Address, a.Address}
	if strings.Contains(a.Username, "@") {
		own = append(own, a.Username)
	}
	m := compose.Reply(o, compose.ReplyOptions{From: from, Own: own, All: all, Body: compose.WithSignature(body, a.Signature)})
	if len(m.To)+len(m.Cc) == 0 {
		return nil, "", fmt.Errorf("message %d has no one to reply to", id)
	}
	return m, a.Name, nil
}

// ComposeForward forwards stored message id inline, with its attachments, from the account it
// came to; the caller adds the recipients.
func (e *Engine) ComposeForward(ctx context.Context, id int64, body string) (*compose.Message, string, error) {
	a, from, o, err := e.original(ctx, id)
	if err != nil {
		return nil, "", err
	}
	m, err := compose.Forward(o, from, compose.WithSignature(body, a.Signature))
	return m, a.Name, err
}

// original reads stored message id for an answer: the account it came to, that account's
// identity and the message.
func (e *Engine) original(ctx context.Context, id int64) (*mailstore.Account, *compose.Address, *compose.Original, error) {
	msg, err := e.store.Message(ctx, id)
	if err != nil {
		return nil, nil, nil, messageErr(id, err)
	}
	if msg.AccountID == 0 {
		return nil, nil, nil, fmt.Errorf("message %d belongs to a removed account (%s): nothing to send it from", id, msg.Account)
	}
	a, err := e.store.Account(ctx, msg.AccountID)
	if err != nil {
		return nil, nil, nil, err
	}
	if !a.SendsMail() {
		return nil, nil, nil, &NoSMTPError{Account: a.Name}
	}
	from, err := e.Identity(a)
	if err != nil {
		return nil, nil, nil, err
	}
	raw, err := e.store.Raw(ctx, id)
	if err != nil {
		return nil, nil, nil, messageErr(id, err)
	}
	o, err := compose.ReadOriginal(raw)
	return a, from, o, err
}

// Queue builds m and commits its exact bytes to the account's outbox, durably, to go at once;
// draftID (0 = none) is a draft it replaces. It returns the message's id. Nothing is sent yet:
// SendNow or the poller does it.
func (e *Engine) Queue(ctx context.Context, accountName string, m *compose.Message, draftID int64) (int64, error) {
	a, err := e.Account(ctx, accountName)
	if err != nil {
		return 0, err
	}
	if !a.SendsMail() {
		return 0, &NoSMTPError{Account: a.Name}
	}
	raw, err := m.Build()
	if err != nil {
		return 0, err
	}
	from, to := m.Envelope()
	return e.store.SaveOutgoing(ctx, a.ID, raw, mailstore.OutgoingOptions{Folder: mailstore.FolderOutbox,
		Envelope: &mailstore.Envelope{From: from, To: to}, DraftID: draftID}, e.opts.Now())
}

// SaveDraft stores m (built as it stands) as a draft of the account: a new one when id is 0,
// else it replaces draft id's bytes. The window calls it as the user types (debounced).
func (e *Engine) SaveDraft(ctx context.Context, accountName string, id int64, m *compose.Message) (int64, error) {
	a, err := e.Account(ctx, accountName)
	if err != nil {
		return 0, err
	}
	raw, err := buildDraft(m)
	if err != nil {
		return 0, err
	}
	return e.store.SaveDraft(ctx, a.ID, id, raw, e.opts.Now())
}

// draftPlaceholder stands in for the recipients of a draft that has none yet.
const draftPlaceholder = "undisclosed-recipients@invalid"

// buildDraft builds m (Bcc kept: compose.BuildDraft) even without recipients: a draft may not
// have any yet.
func buildDraft(m *compose.Message) ([]byte, error) {
	if len(m.To)+len(m.Cc)+len(m.Bcc) > 0 {
		return m.BuildDraft()
	}
	c := *m
	c.To = []*compose.Address{{Address: draftPlaceholder}}
	raw, err := c.BuildDraft()
	m.Date, m.MessageID = c.Date, c.MessageID
	return raw, err
}

// Drafts lists the drafts (of the account; "" = all), newest first.
func (e *Engine) Drafts(ctx context.Context, accountName string) ([]mailstore.Message, error) {
	return e.Folder(ctx, accountName, mailstore.FolderDrafts)
}

// Folder lists the messages of a folder ("" = every folder but the Trash; a user folder's
// path; trash) of the account ("" = all), newest first. List reads them a page at a time.
func (e *Engine) Folder(ctx context.Context, accountName string, f mailstore.Folder) ([]mailstore.Message, error) {
	filter := mailstore.Filter{Folder: f}
	if accountName != "" {
		a, err := e.Account(ctx, accountName)
		if err != nil {
			return nil, err
		}
		filter.AccountID = a.ID
	}
	return e.List(ctx, filter)
}

// DiscardOutgoing deletes a draft, or a message of the outbox that is not being sent now.
func (e *Engine) DiscardOutgoing(ctx context.Context, id int64) error {
	return messageErr(id, e.store.DiscardOutgoing(ctx, id))
}

// Outbox lists the outbox (of the account; "" = all), oldest first. Messages left
// "submitting" by a Pouch that died become "may have been sent" first, for every account no
// other Pouch is sending from right now.
func (e *Engine) Outbox(ctx context.Context, accountName string) ([]mailstore.Submission, error) {
	accts, err := e.selectAccounts(ctx, accountName)
	if err != nil {
		return nil, err
	}
	for i := range accts {
		if unlock, err := e.lockSend(&accts[i]); err == nil {
			_, err = e.store.RecoverSubmitting(ctx, accts[i].ID)
			unlock()
			if err != nil {
				return nil, err
			}
		}
	}
	var id int64
	if accountName != "" && len(accts) == 1 {
		id = accts[0].ID
	}
	return e.store.Outbox(ctx, id)
}

// RetrySend queues message id (failed, may have been sent, or waiting) to go now: the user's
// decision. A message that may have been sent can then arrive twice.
func (e *Engine) RetrySend(ctx context.Context, id int64) error {
	return messageErr(id, e.store.Requeue(ctx, id, e.opts.Now()))
}

// ConfirmSent moves a message that may have been sent to Sent: the user says it went.
func (e *Engine) ConfirmSent(ctx context.Context, id int64) error {
	return messageErr(id, e.store.ConfirmSent(ctx, id, e.opts.Now()))
}

// SendResult is what happened to one message in a submission run.
type SendResult struct {
	ID      int64
	Account string
	State   mailstore.SendState // sent, queued (to retry at Next), failed, maybe-sent
	Reply   string              // the server's text on acceptance
	Next    time.Time           // the next attempt, when queued
	Err     error               // why it is not sent; nil when sent
}

// SetSMTPPassword gives the account's SMTP login a password of its own in the keyring (else
// the POP3 password is used).
func (e *Engine) SetSMTPPassword(ctx context.Context, name, password string) error {
	a, err := e.Account(ctx, name)
	if err != nil {
		return err
	}
	if password == "" {
		return errors.New("the password must not be empty")
	}
	if err := e.secrets.Set(SMTPSecretKey(a.Name), password); err != nil {
		return err
	}
	if !a.SMTPOwnPassword {
		a.SMTPOwnPassword = true
		return e.store.UpdateAccount(ctx, a)
	}
	return nil
}

// SendNow submits message id (queued) at once, whatever its back-off, and returns what
// happened. It waits for another run of the same account to end.
func (e *Engine) SendNow(ctx context.Context, id int64) (*SendResult, error) {
	sub, err := e.store.Submission(ctx, id)
	if err != nil {
		return nil, messageErr(id, err)
	}
	if sub.AccountID == 0 {
		return nil, fmt.Errorf("message %d belongs to a removed account", id)
	}
	a, err := e.store.Account(ctx, sub.AccountID)
	if err != nil {
		return nil, err
	}
	rs, err := e.sendRun(ctx, a, id)
	if err != nil {
		return nil, err
	}
	for i := range rs {
		if rs[i].ID == id {
			return &rs[i], nil
		}
	}
	// Not queued any more (recovered as maybe-sent, discarded, sent by another Pouch).
	sub, err = e.store.Submission(ctx, id)
	if err != nil {
		return nil, messageErr(id, err)
	}
	r := &SendResult{ID: id, Account: a.Name, State: sub.State}
	if sub.State != mailstore.SendSent {
		r.Err = fmt.Errorf("message %d is %s, not waiting to be sent: %s", id, sub.State, sub.LastError)
	}
	return r, nil
}

// SendDue submits the account's queued messages whose next attempt is due.
func (e *Engine) SendDue(ctx context.Context, a *mailstore.Account) ([]SendResult, error) {
	return e.sendRun(ctx, a, 0)
}

// sendRun runs under the account's send lock: it turns messages left "submitting" into
// "may have been sent", then submits the one message only (id ≠ 0, if queued) or every due
// one, over one connection while it lasts.
func (e *Engine) sendRun(ctx context.Context, a *mailstore.Account, only int64) ([]SendResult, error) {
	unlock, err := e.lockSendWait(ctx, a, sendLockWait)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if _, err := e.store.RecoverSubmitting(ctx, a.ID); err != nil {
		return nil, err
	}
	var subs []mailstore.Submission
	if only != 0 {
		sub, err := e.store.Submission(ctx, only)
		if err != nil {
			return nil, messageErr(only, err)
		}
		if sub.State == mailstore.SendQueued && sub.Folder == mailstore.FolderOutbox {
			subs = append(subs, *sub)
		}
	} else if subs, err = e.store.DueSubmissions(ctx, a.ID, e.opts.Now()); err != nil {
		return nil, err
	}
	if len(subs) == 0 {
		return nil, nil
	}
	if !a.SendsMail() {
		err := &NoSMTPError{Account: a.Name}
		var out []SendResult
		for _, s := range subs {
			out = append(out, e.settle(ctx, a, s, err, ""))
		}
		return out, nil
	}
	var (
		cl  *submit.Client
		out []SendResult
	)
	defer func() {
		if cl != nil {
			cl.Close()
		}
	}()
	for _, s := range subs {
		if ctx.Err() != nil {
			break
		}
		if cl == nil {
			if cl, err = e.smtpLogin(ctx, a); err != nil {
				cl = nil
				out = append(out, e.settle(ctx, a, s, err, ""))
				continue
			}
		}
		reply, err := e.submitOne(ctx, cl, s)
		if err != nil {
			// The connection's state is unknown after a failure: the next message gets a new one.
			cl.Abort()
			cl = nil
		}
		out = append(out, e.settle(ctx, a, s, err, reply))
	}
	return out, nil
}

// submitOne hands one message over: "submitting" is committed before the final dot.
func (e *Engine) submitOne(ctx context.Context, cl *submit.Client, s mailstore.Submission) (string, error) {
	raw, err := e.store.Raw(ctx, s.MessageID)
	if err != nil {
		return "", err
	}
	return cl.Send(ctx, s.From, s.To, raw, func() error {
		if err := e.store.MarkSubmitting(ctx, s.MessageID); err != nil {
			return &notHandedOverError{err}
		}
		e.checkpoint(CheckpointSMTPSubmitting)
		return nil
	})
}

// notHandedOverError: "submitting" could not be recorded, so the final dot was never sent.
type notHandedOverError struct{ err error }

func (e *notHandedOverError) Error() string { return "not sent: " + e.err.Error() }
func (e *notHandedOverError) Unwrap() error { return e.err }

// settle records the outcome of one attempt. The server's answer is recorded even when ctx
// ended meanwhile: a message the server accepted must reach Sent.
func (e *Engine) settle(ctx context.Context, a *mailstore.Account, s mailstore.Submission, err error, reply string) SendResult {
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	r := SendResult{ID: s.MessageID, Account: a.Name, Reply: reply, Err: err}
	var (
		ue  *submit.UncertainError
		nho *notHandedOverError
	)
	now := e.opts.Now()
	var serr error
	switch {
	case err == nil:
		e.checkpoint(CheckpointSMTPDataSent)
		r.State = mailstore.SendSent
		serr = e.store.MarkSent(wctx, s.MessageID, reply, now)
	case errors.As(err, &nho):
		// Discarded or taken over meanwhile: nothing was handed over, nothing to record.
		r.State = mailstore.SendQueued
		if sub, err := e.store.Submission(wctx, s.MessageID); err == nil {
			r.State = sub.State
		}
	case errors.As(err, &ue):
		r.State = mailstore.SendMaybeSent
		serr = e.store.MarkMaybeSent(wctx, s.MessageID, err.Error())
	case ctx.Err() != nil && !isPermanentSend(err):
		// Stopped by the user before the end of the message: it waits, no attempt counted.
		r.State = mailstore.SendQueued
		r.Next = now
		serr = e.store.MarkRetry(wctx, s.MessageID, "interrupted: "+err.Error(), now)
	case isPermanentSend(err):
		r.State = mailstore.SendFailed
		serr = e.store.MarkFailed(wctx, s.MessageID, flat(err.Error()))
	default:
		r.State = mailstore.SendQueued
		r.Next = now.Add(backoff(s.Attempts + 1))
		serr = e.store.MarkRetry(wctx, s.MessageID, flat(err.Error()), r.Next)
	}
	if serr != nil && r.Err == nil {
		r.Err = fmt.Errorf("the server accepted message %d, but recording it in Sent failed: %w", s.MessageID, serr)
	} else if serr != nil {
		r.Err = fmt.Errorf("%w (and recording that failed: %v)", r.Err, serr)
	}
	return r
}

// isPermanentSend reports a failure that trying again cannot fix without the user: a 5xx, a
// message too large, settings that cannot work.
func isPermanentSend(err error) bool {
	var (
		se  *submit.ServerError
		tl  *submit.TooLargeError
		ns  *NoSMTPError
		ni  *NoIdentityError
		np  *NoPasswordError
		sir *SignInRequiredError
	)
	switch {
	case errors.As(err, &se):
		return !se.Temporary()
	case errors.As(err, &tl), errors.As(err, &ns), errors.As(err, &ni), errors.As(err, &np), errors.As(err, &sir),
		errors.Is(err, submit.ErrMechanismUnsupported), errors.Is(err, submit.ErrInvalidConfig):
		return true
	}
	return false
}

func flat(s string) string { return strings.Join(strings.Fields(s), " ") }

// smtpConfig is the account's submission server with its trust: the account's CA file, and
// its pinned certificate when the SMTP host is the POP3 host (the same certificate).
func (e *Engine) smtpConfig(a *mailstore.Account) (submit.Config, error) {
	tcfg, err := tlsConfig(a)
	if err != nil {
		return submit.Config{}, err
	}
	tcfg.ServerName = a.SMTPHost
	cfg := submit.Config{Host: a.SMTPHost, Port: a.SMTPPort, Security: string(a.SMTPSecurity), TLS: tcfg,
		Username: a.SMTPUser, Mechanism: a.SMTPAuth, Timeout: e.opts.Timeout, Debug: e.opts.Debug}
	if cfg.Port == 0 {
		cfg.Port = submit.DefaultPort(cfg.Security)
	}
	if cfg.Username == "" {
		cfg.Username = a.Username
	}
	if strings.EqualFold(a.SMTPHost, a.Host) {
		cfg.PinnedSHA256 = a.PinnedCertSHA256
	}
	return cfg, nil
}

// SMTPSecretKey is the keyring entry of an account's own SMTP password.
func SMTPSecretKey(account string) string { return account + " (smtp)" }

// smtpLogin connects to the account's submission server and logs in: with its own SMTP
// password, the POP3 password, or an OAuth2 account's access token (renewed once when the
// server refuses it).
func (e *Engine) smtpLogin(ctx context.Context, a *mailstore.Account) (*submit.Client, error) {
	cfg, err := e.smtpConfig(a)
	if err != nil {
		return nil, err
	}
	switch {
	case a.OAuthProvider != "":
		cfg.Bearer = true
		if cfg.Secret, err = e.accessToken(ctx, a, false); err != nil {
			return nil, err
		}
	case a.SMTPOwnPassword:
		if cfg.Secret, err = e.password(SMTPSecretKey(a.Name)); err != nil {
			return nil, err
		}
	default:
		if cfg.Secret, err = e.password(a.Name); err != nil {
			return nil, err
		}
	}
	cl, err := submit.Dial(ctx, cfg)
	if err != nil {
		return nil, err
	}
	err = cl.Auth(ctx)
	var se *submit.ServerError
	if err != nil && cfg.Bearer && errors.As(err, &se) && se.AuthFailed() {
		cl.Abort()
		if cfg.Secret, err = e.accessToken(ctx, a, true); err != nil {
			return nil, err
		}
		if cl, err = submit.Dial(ctx, cfg); err != nil {
			return nil, err
		}
		err = cl.Auth(ctx)
	}
	if err != nil {
		cl.Abort()
		return nil, err
	}
	return cl, nil
}

// SizeLimit connects to the account's submission server and returns the largest message it
// accepts (EHLO SIZE); ok is false when it announces none. The window warns before sending a
// larger one.
func (e *Engine) SizeLimit(ctx context.Context, accountName string) (limit int64, ok bool, err error) {
	a, err := e.Account(ctx, accountName)
	if err != nil {
		return 0, false, err
	}
	if !a.SendsMail() {
		return 0, false, &NoSMTPError{Account: a.Name}
	}
	cfg, err := e.smtpConfig(a)
	if err != nil {
		return 0, false, err
	}
	cl, err := submit.Dial(ctx, cfg)
	if err != nil {
		return 0, false, err
	}
	defer cl.Close()
	limit, ok = cl.MaxSize()
	return limit, ok, nil
}
