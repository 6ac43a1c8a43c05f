-- Sync engine: large messages are stored in chunks, so that neither the download nor the store
-- ever holds a whole message in memory (mattn/go-sqlite3 has no incremental blob I/O). A chunked
-- message has an empty messages.raw and its bytes in message_chunks, in seq order.
ALTER TABLE messages ADD COLUMN chunked INTEGER NOT NULL DEFAULT 0 CHECK (chunked IN (0, 1));

CREATE TABLE message_chunks (
    id         INTEGER PRIMARY KEY,
    message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    data       BLOB    NOT NULL,
    UNIQUE (message_id, seq)
);
