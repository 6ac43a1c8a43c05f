-- Account settings beyond the connection, and per-message state.
ALTER TABLE accounts ADD COLUMN display_name TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN address TEXT NOT NULL DEFAULT '';
-- '' = choose the strongest mechanism the server offers.
ALTER TABLE accounts ADD COLUMN auth_method TEXT NOT NULL DEFAULT '';
-- Deleting a message here queues its deletion on the server.
ALTER TABLE accounts ADD COLUMN delete_on_server INTEGER NOT NULL DEFAULT 0 CHECK (delete_on_server IN (0, 1));
-- Messages larger than this (bytes) are fetched as headers only; 0 = no limit.
ALTER TABLE accounts ADD COLUMN size_limit INTEGER NOT NULL DEFAULT 0 CHECK (size_limit >= 0);
-- Hex SHA-256 of a server certificate the user chose to trust; '' = none.
ALTER TABLE accounts ADD COLUMN pinned_cert_sha256 TEXT NOT NULL DEFAULT '';

ALTER TABLE messages ADD COLUMN read INTEGER NOT NULL DEFAULT 0 CHECK (read IN (0, 1));
-- Headers only (TOP n 0) because of the account's size limit; the full message can follow.
ALTER TABLE messages ADD COLUMN partial INTEGER NOT NULL DEFAULT 0 CHECK (partial IN (0, 1));
-- Local delete moves a message to the Trash; emptying the Trash purges it.
ALTER TABLE messages ADD COLUMN trashed_at INTEGER;

-- A local delete (when the account asks for it) queues the server deletion here; the next
-- session DELEs it.
ALTER TABLE ledger ADD COLUMN delete_requested_at INTEGER;
