-- Sending mail. Per account: the SMTP submission server, the identity mail goes out under,
-- and a signature. No password column: the SMTP password is the POP3 one in the keyring,
-- or an entry of its own there. smtp_host '' = the account sends no mail.
ALTER TABLE accounts ADD COLUMN smtp_host TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN smtp_port INTEGER NOT NULL DEFAULT 0;
-- Only encrypted submission: implicit TLS (465) or STARTTLS (587), never plain text.
ALTER TABLE accounts ADD COLUMN smtp_security TEXT NOT NULL DEFAULT '' CHECK (smtp_security IN ('', 'tls', 'starttls'));
-- '' = the POP3 user name.
ALTER TABLE accounts ADD COLUMN smtp_user TEXT NOT NULL DEFAULT '';
-- '' = the strongest mechanism the server offers.
ALTER TABLE accounts ADD COLUMN smtp_auth TEXT NOT NULL DEFAULT '';
-- 1 = the SMTP login has its own keyring entry ("NAME (smtp)"); 0 = the POP3 password is used.
ALTER TABLE accounts ADD COLUMN smtp_own_keyring_entry INTEGER NOT NULL DEFAULT 0 CHECK (smtp_own_keyring_entry IN (0, 1));
ALTER TABLE accounts ADD COLUMN signature TEXT NOT NULL DEFAULT '';

-- Folders: mail fetched from the server is in the inbox; mail written here is in sent, outbox
-- or drafts. The Trash stays trashed_at, across folders. Messages written here have no
-- ledger row, so they can never cause a deletion on a server.
ALTER TABLE messages ADD COLUMN folder TEXT NOT NULL DEFAULT 'inbox' CHECK (folder IN ('inbox', 'sent', 'outbox', 'drafts'));

-- The search index covers every search filter, the folder now included.
DROP INDEX messages_search;
CREATE INDEX messages_search ON messages (coalesce(date, received) DESC, id DESC, trashed_at, has_attachments, account_id, account_name, folder);

-- One row per message handed to the outbox: its envelope (Bcc recipients are in no header)
-- and where its submission stands.
--   queued      waits for its next attempt (next_attempt, unix seconds)
--   submitting  committed before the end of DATA: the server may have the message
--   maybe-sent  found in submitting after a crash: only the user decides (send again, or sent)
--   failed      refused for good (5xx); last_error holds the server's text
--   sent        accepted (250); the message is in the sent folder, with the same bytes
CREATE TABLE submissions (
    message_id    INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
    state         TEXT    NOT NULL CHECK (state IN ('queued', 'submitting', 'maybe-sent', 'failed', 'sent')),
    envelope_from TEXT    NOT NULL,
    envelope_to   TEXT    NOT NULL, -- addresses, one per line
    attempts      INTEGER NOT NULL DEFAULT 0,
    next_attempt  INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT    NOT NULL DEFAULT '',
    queued_at     INTEGER NOT NULL,
    sent_at       INTEGER,
    server_reply  TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX submissions_by_state ON submissions (state, next_attempt);
