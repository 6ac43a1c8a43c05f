-- Accounts hold connection settings only. There is deliberately no password
-- column: secrets live in the OS keyring.
CREATE TABLE accounts (
    id           INTEGER PRIMARY KEY,
    name         TEXT    NOT NULL UNIQUE,
    host         TEXT    NOT NULL,
    port         INTEGER NOT NULL,
    security     TEXT    NOT NULL CHECK (security IN ('tls', 'starttls', 'none')),
    username     TEXT    NOT NULL,
    leave_days   INTEGER NOT NULL DEFAULT 0 CHECK (leave_days >= 0),
    keep_forever INTEGER NOT NULL DEFAULT 0 CHECK (keep_forever IN (0, 1)),
    ca_cert_pem  BLOB,
    interval_s   INTEGER NOT NULL DEFAULT 0,
    created      INTEGER NOT NULL  -- unix seconds
);

-- The local archive outlives its account: deleting an account sets
-- account_id to NULL and account_name keeps the name for display.
CREATE TABLE messages (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    account_name    TEXT    NOT NULL,
    uidl            TEXT    NOT NULL,
    raw             BLOB    NOT NULL,
    sha256          TEXT    NOT NULL,
    size            INTEGER NOT NULL,
    date            INTEGER,          -- unix seconds from the Date header; NULL if missing or unparsable
    received        INTEGER NOT NULL, -- unix seconds when stored
    from_addr       TEXT    NOT NULL DEFAULT '',
    to_addr         TEXT    NOT NULL DEFAULT '',
    cc_addr         TEXT    NOT NULL DEFAULT '',
    subject         TEXT    NOT NULL DEFAULT '',
    message_id      TEXT    NOT NULL DEFAULT '',
    has_attachments INTEGER NOT NULL DEFAULT 0,
    UNIQUE (account_id, uidl)
);

-- Listing is newest first; the expressions must match the queries exactly.
CREATE INDEX messages_by_date ON messages (coalesce(date, received) DESC, id DESC);
CREATE INDEX messages_by_account_date ON messages (account_id, coalesce(date, received) DESC, id DESC);

-- The UIDL ledger: what the server has shown us and what we did with it.
CREATE TABLE ledger (
    account_id    INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    uidl          TEXT    NOT NULL,
    first_seen    INTEGER NOT NULL, -- unix seconds; never moves
    downloaded_at INTEGER,
    deleted_at    INTEGER,          -- when deleted from the server
    message_id    INTEGER REFERENCES messages (id) ON DELETE SET NULL,
    PRIMARY KEY (account_id, uidl)
) WITHOUT ROWID;

CREATE INDEX ledger_by_message ON ledger (message_id);
