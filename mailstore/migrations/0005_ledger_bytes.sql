-- What was downloaded under each UIDL: size and SHA-256 of the bytes. A later session compares
-- them with what the server lists before it deletes anything, so a UIDL that now names other
-- bytes (reused after a mailbox rebuild, or a message changed on the server) is never deleted
-- on the strength of an old copy, even when the local copy was purged.
-- partial: only the headers were downloaded (the account's size limit), so the server's copy
-- is the only whole one and is never deleted, even after the local copy is purged.
ALTER TABLE ledger ADD COLUMN size INTEGER;
ALTER TABLE ledger ADD COLUMN sha256 TEXT;
ALTER TABLE ledger ADD COLUMN partial INTEGER NOT NULL DEFAULT 0 CHECK (partial IN (0, 1));
UPDATE ledger SET size = (SELECT m.size FROM messages m WHERE m.id = ledger.message_id),
                  sha256 = (SELECT m.sha256 FROM messages m WHERE m.id = ledger.message_id),
                  partial = (SELECT m.partial FROM messages m WHERE m.id = ledger.message_id)
 WHERE message_id IS NOT NULL;

-- A message that could not be downloaded (refused by the server, too large, …) is skipped so
-- that it cannot hold up the rest; the last failure, when, and how many sessions failed on it
-- are kept for retention and the status line, and for trying it again later. It stays on the
-- server.
ALTER TABLE ledger ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ledger ADD COLUMN failure TEXT NOT NULL DEFAULT '';
ALTER TABLE ledger ADD COLUMN failed_at INTEGER;
