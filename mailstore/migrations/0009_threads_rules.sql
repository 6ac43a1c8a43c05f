-- Conversations. thread_id names a message's thread (a row of threads: AUTOINCREMENT, so a
-- thread's number is never reused after its messages are purged); NULL = not threaded yet.
-- Messages stored before this migration are threaded afterwards by ThreadBackfill, which
-- parses their headers again (SQL cannot), in id order and resumably: a thread is looked up
-- only among threaded messages, so the order messages are threaded in does not matter.
CREATE TABLE threads (id INTEGER PRIMARY KEY AUTOINCREMENT);
ALTER TABLE messages ADD COLUMN thread_id INTEGER;
-- The subject without reply markers and list tags, lower case (mimetext.ThreadSubject): a
-- reply whose references name nothing stored joins a thread of the same key nearby in time.
ALTER TABLE messages ADD COLUMN thread_subject TEXT NOT NULL DEFAULT '';
-- Every id a message's In-Reply-To and References name, so a message arriving after its
-- replies finds them (and their thread merges into its own).
CREATE TABLE message_refs (
    message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    ref        TEXT    NOT NULL,
    PRIMARY KEY (message_id, ref)
) WITHOUT ROWID;
CREATE INDEX message_refs_by_ref ON message_refs (ref);
-- The look-ups that thread a message read these indexes alone, never the rows (raw bytes).
CREATE INDEX messages_by_message_id ON messages (message_id, thread_id) WHERE message_id <> '';
-- A thread's messages in order, merges, and the conversation list's counts: it covers what
-- Threads filters and counts by, so the list never reads message rows (raw bytes sit among them).
CREATE INDEX messages_by_thread ON messages (thread_id, coalesce(date, received), id, trashed_at, read, account_id, folder, folder_id);
CREATE INDEX messages_unthreaded ON messages (id) WHERE thread_id IS NULL;
CREATE INDEX messages_by_thread_subject ON messages (thread_subject, coalesce(date, received), thread_id) WHERE thread_subject <> '';

-- Rules for incoming mail, applied in position order. query is in the search syntax
-- (mailstore.Query); the actions: move_to a folder ('' = stay), mark read, flag, trash
-- (local only: a rule never touches the ledger), stop (no later rule sees the message).
-- A rule that fails (its folder gone, its query no longer valid) counts the messages it failed
-- for and keeps its last error; those messages stay where they were stored.
CREATE TABLE rules (
    id         INTEGER PRIMARY KEY,
    position   INTEGER NOT NULL,
    name       TEXT    NOT NULL UNIQUE,
    query      TEXT    NOT NULL,
    move_to    TEXT    NOT NULL DEFAULT '', -- the folder as named when the rule was saved
    -- A user folder's id: the rule follows a rename; deleting the folder leaves NULL, and the
    -- rule then fails until a folder of that path exists again.
    move_to_id INTEGER REFERENCES folders (id) ON DELETE SET NULL,
    mark_read  INTEGER NOT NULL DEFAULT 0 CHECK (mark_read IN (0, 1)),
    flag       INTEGER NOT NULL DEFAULT 0 CHECK (flag IN (0, 1)),
    trash      INTEGER NOT NULL DEFAULT 0 CHECK (trash IN (0, 1)),
    stop       INTEGER NOT NULL DEFAULT 0 CHECK (stop IN (0, 1)),
    failures   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT    NOT NULL DEFAULT '',
    failed_at  INTEGER
);
-- move_to keeps the path a renamed folder has, so it names the folder once it is deleted.
CREATE TRIGGER rules_follow_folder_rename AFTER UPDATE OF path ON folders BEGIN
    UPDATE rules SET move_to = new.path WHERE move_to_id = new.id;
END;

-- Flagged ("important"), set by the user or a rule.
ALTER TABLE messages ADD COLUMN flagged INTEGER NOT NULL DEFAULT 0 CHECK (flagged IN (0, 1));
-- Set by the Saver in a fetched message's own transaction and cleared when the rules have run
-- on it: a crash between the two leaves the mark, and the rules run on the next catch-up.
-- They run once the message is indexed (a condition may name body text).
ALTER TABLE messages ADD COLUMN rules_pending INTEGER NOT NULL DEFAULT 0 CHECK (rules_pending IN (0, 1));
CREATE INDEX messages_rules_pending ON messages (id) WHERE rules_pending = 1;
