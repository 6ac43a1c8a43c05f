-- Full-text search. The index is filled asynchronously so that saving a downloaded message
-- stays cheap: indexed = 0 marks the backlog, which survives restarts and crashes because a
-- message's index row and its indexed = 1 commit in the same transaction.
ALTER TABLE messages ADD COLUMN indexed INTEGER NOT NULL DEFAULT 0 CHECK (indexed IN (0, 1));
CREATE INDEX messages_index_backlog ON messages (id) WHERE indexed = 0;

-- Import skips a message whose raw bytes are already stored; check looks duplicates up too.
CREATE INDEX messages_by_sha256 ON messages (sha256);

-- Search walks this index newest first and stops at the limit, without reading message rows
-- (their raw bytes sit before the filtered columns): it covers every search filter.
CREATE INDEX messages_search ON messages (coalesce(date, received) DESC, id DESC, trashed_at, has_attachments, account_id, account_name);

-- rowid = messages.id. The table keeps its own copy of the text so that check can compare it
-- with the messages it came from. remove_diacritics 2: "cafe" finds "café".
CREATE VIRTUAL TABLE message_fts USING fts5 (
    subject, from_addr, to_addr, cc_addr, body, attachments,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'  -- "re*" would otherwise expand to every term in the index
);

-- A purged message leaves the index with it, whoever deletes it.
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    DELETE FROM message_fts WHERE rowid = old.id;
END;
