-- What was downloaded under each UIDL: size and SHA-256 of the bytes. A later session compares
-- them with what the server lists before it deletes anything, so a UIDL that now names other
-- bytes (reused after a mailbox rebuild, or a message changed on the server) is never deleted
-- on the strength of an old copy, even when the local copy was purged.
ALTER TABLE ledger ADD COLUMN size INTEGER;
ALTER TABLE ledger ADD COLUMN sha256 TEXT;
UPDATE ledger SET size = (SELECT m.size FROM messages m WHERE m.id = ledger.message_id),
                  sha256 = (SELECT m.sha256 FROM messages m WHERE m.id = ledger.message_id)
 WHERE message_id IS NOT NULL;

-- A message that could not be downloaded (refused by the server, too large, …) is skipped so
-- that it cannot hold up the rest; the last failure and how many sessions failed on it are kept
-- for retention and the status line. It stays on the server.
ALTER TABLE ledger ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ledger ADD COLUMN failure TEXT NOT NULL DEFAULT '';
