package ui

import (
	"context"
	"fyne.io/fyne/v2/lang"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/mailstore"
)

// outboxState is the list's short word for a message of the outbox; "" for other messages.
func (m *mainWindow) outboxState(msg *mailstore.Message) string {
	if msg.Folder != mailstore.FolderOutbox {
		return ""
	}
	s, ok := m.outbox[msg.ID]
	if !ok {
		return lang.L("waiting")
	}
	switch s.State {
	case mailstore.SendSubmitting:
		return lang.L("sending")
	case mailstore.SendFailed:
		return lang.L("failed")
	case mailstore.SendMaybeSent:
		return lang.L("may have been sent")
	}
	if s.LastError != "" {
		return lang.L("will retry at {{.Time}}", map[string]any{"Time": s.NextAttempt.Local().Format("15:04")})
	}
	return lang.L("sending")
}

// outboxText says in words where a message of the outbox stands.
func outboxText(s mailstore.Submission) string {
	switch s.State {
	case mailstore.SendSubmitting:
		return lang.L("Sending…")
	case mailstore.SendFailed:
		return lang.L("Failed: ") + s.LastError
	case mailstore.SendMaybeSent:
		return lang.L("May have been sent: the connection ended before the server answered ({{.Error}}). Send again (it may arrive twice), or mark it as sent.",
			map[string]any{"Error": s.LastError})
	}
	if s.LastError != "" {
		return lang.L("Will retry at {{.Time}} (attempt {{.Attempt}} failed: {{.Error}}).",
			map[string]any{"Time": s.NextAttempt.Local().Format("15:04"), "Attempt": s.Attempts, "Error": s.LastError})
	}
	return lang.L("Sending…")
}

// messageActions are the viewer's buttons for the open message: Reply, Reply all and Forward
// for mail received or sent; Edit and Discard for a draft; the state and Retry, Discard and
// Mark as sent in the Outbox.
func (m *mainWindow) messageActions(mv *engine.MessageView) []fyne.CanvasObject {
	if mv.Trashed != nil {
		return nil
	}
	id := mv.ID
	switch mv.Folder {
	case mailstore.FolderDrafts:
		edit := widget.NewButtonWithIcon(lang.L("Edit draft"), theme.DocumentCreateIcon(), func() { m.editDraft(id) })
		edit.Importance = widget.HighImportance
		return []fyne.CanvasObject{edit, widget.NewButtonWithIcon(lang.L("Discard draft"), theme.DeleteIcon(), func() { m.discardOutgoing(id, "draft") })}
	case mailstore.FolderOutbox:
		s, ok := m.outbox[id]
		if !ok {
			return nil
		}
		state := widget.NewLabel(outboxText(s))
		state.Wrapping = fyne.TextWrapWord
		state.Importance = widget.WarningImportance
		var buttons []fyne.CanvasObject
		switch s.State {
		case mailstore.SendMaybeSent:
			buttons = append(buttons, widget.NewButtonWithIcon(lang.L("Send again"), theme.MailSendIcon(), func() { m.retrySend(id) }),
				widget.NewButtonWithIcon(lang.L("Mark as sent"), theme.ConfirmIcon(), func() { m.confirmSent(id) }))
		case mailstore.SendFailed, mailstore.SendQueued:
			buttons = append(buttons, widget.NewButtonWithIcon(lang.L("Retry"), theme.MailSendIcon(), func() { m.retrySend(id) }))
		}
		if s.State != mailstore.SendSubmitting {
			buttons = append(buttons, widget.NewButtonWithIcon(lang.L("Discard"), theme.DeleteIcon(), func() { m.discardOutgoing(id, "message") }))
		}
		return []fyne.CanvasObject{container.NewBorder(nil, nil, nil, container.NewHBox(buttons...), state)}
	}
	return []fyne.CanvasObject{
		widget.NewButtonWithIcon(lang.L("Reply"), theme.MailReplyIcon(), func() { m.reply(false) }),
		widget.NewButtonWithIcon(lang.L("Reply all"), theme.MailReplyAllIcon(), func() { m.reply(true) }),
		widget.NewButtonWithIcon(lang.L("Forward"), theme.MailForwardIcon(), m.forward),
		// The text is not selectable where links are clickable: copied whole instead.
		widget.NewButtonWithIcon(lang.L("Copy text"), theme.ContentCopyIcon(), m.copyText),
	}
}

// retrySend sends a message of the outbox again now: the user's decision.
func (m *mainWindow) retrySend(id int64) {
	eng := m.eng
	var res *engine.SendResult
	m.setStatus(lang.L("Sending…"))
	m.bridge.run(func(ctx context.Context) (err error) {
		if err = eng.RetrySend(ctx, id); err != nil {
			return err
		}
		res, err = eng.SendNow(ctx, id)
		return err
	}, func(err error) {
		m.outgoingChanged()
		if err != nil {
			m.showError(lang.L("Could not send the message"), err)
			return
		}
		m.setStatus(sendOutcome(res))
	})
}

// sendOutcome says what happened to a message the user sent.
func sendOutcome(r *engine.SendResult) string {
	switch r.State {
	case mailstore.SendSent:
		return lang.L("Sent.")
	case mailstore.SendQueued:
		return lang.L("Will retry at {{.Time}}: {{.Error}}.", map[string]any{"Time": r.Next.Local().Format("15:04"), "Error": errText(r.Err)})
	case mailstore.SendMaybeSent:
		return lang.L("May have been sent: ") + errText(r.Err)
	}
	return lang.L("Not sent: ") + errText(r.Err)
}

// confirmSent moves a message that may have been sent to Sent.
func (m *mainWindow) confirmSent(id int64) {
	eng := m.eng
	m.bridge.run(func(ctx context.Context) error { return eng.ConfirmSent(ctx, id) }, func(err error) {
		if err != nil {
			m.showError(lang.L("Could not mark the message as sent"), err)
			return
		}
		m.setStatus(lang.L("Moved to Sent."))
		m.outgoingChanged()
	})
}

// discardOutgoing deletes a draft or a message of the outbox, once confirmed.
func (m *mainWindow) discardOutgoing(id int64, what string) {
	question := lang.L("Delete this message for good?")
	if what == "draft" {
		question = lang.L("Delete this draft for good?")
	}
	dialog.NewConfirm(lang.L("Discard"), question, func(ok bool) {
		if ok {
			m.discardNow(id)
		}
	}, m.window).Show()
}

func (m *mainWindow) discardNow(id int64) {
	eng := m.eng
	m.bridge.run(func(ctx context.Context) error { return eng.DiscardOutgoing(ctx, id) }, func(err error) {
		if err != nil {
			m.showError(lang.L("Could not discard the message"), err)
			return
		}
		m.removeShown([]int64{id}, m.indexOf(id))
		m.setStatus(lang.L("Discarded."))
	})
}

// outgoingChanged shows a change of Drafts, Outbox or Sent: the folder shown is read again, and
// the open message's actions follow its state.
func (m *mainWindow) outgoingChanged() {
	if m.view.box == "" {
		return
	}
	m.loadMessages()
	if m.open != nil && m.open.Folder.Written() {
		m.showMessage(m.open.ID)
	}
}

// sendEvent reports the poller's sending of a queued message.
func (m *mainWindow) sendEvent(r *engine.SendResult) {
	if r == nil {
		return
	}
	m.setStatus(r.Account + ": " + sendOutcome(r))
	m.outgoingChanged()
}
