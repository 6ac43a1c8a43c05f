-- User folders, nested: path is the whole path as shown ("Work/Invoices"), name its last
-- segment. path_key is path in lower case: lookups ignore case, and two folders cannot differ
-- by case alone. A folder's parent always exists (folders are created parents first).
CREATE TABLE folders (
    id        INTEGER PRIMARY KEY,
    parent_id INTEGER REFERENCES folders (id) ON DELETE CASCADE,
    name      TEXT    NOT NULL,
    path      TEXT    NOT NULL,
    path_key  TEXT    NOT NULL UNIQUE,
    created   INTEGER NOT NULL -- unix seconds
);
CREATE INDEX folders_by_parent ON folders (parent_id);

-- Where a message is: folder_id NULL means its system folder, messages.folder (inbox = the
-- inbox of its account); folder_id set means that user folder, with folder = 'inbox'. Adding a
-- column rewrites no row, so existing archives migrate in no time and their messages stay in
-- their system folders. No ON DELETE action: a folder holding messages cannot be deleted
-- before they are moved (to the Trash), so no folder deletion can purge mail.
ALTER TABLE messages ADD COLUMN folder_id INTEGER REFERENCES folders (id);

CREATE TRIGGER messages_user_folder_insert BEFORE INSERT ON messages
WHEN new.folder_id IS NOT NULL AND new.folder <> 'inbox' BEGIN
    SELECT RAISE(ABORT, 'a message in a user folder has folder inbox');
END;
CREATE TRIGGER messages_user_folder_update BEFORE UPDATE OF folder, folder_id ON messages
WHEN new.folder_id IS NOT NULL AND new.folder <> 'inbox' BEGIN
    SELECT RAISE(ABORT, 'a message in a user folder has folder inbox');
END;

-- Search still walks one covering index, the folder id now included.
DROP INDEX messages_search;
CREATE INDEX messages_search ON messages (coalesce(date, received) DESC, id DESC, trashed_at, has_attachments, account_id, account_name, folder, folder_id);

-- A folder's page is a walk of this index, newest first, the Trash filtered in the index.
CREATE INDEX messages_by_folder ON messages (folder_id, coalesce(date, received) DESC, id DESC, trashed_at);
-- The folder tree's counts read this index alone, in its order (no sort), never the message
-- rows, whose raw bytes sit before these columns.
CREATE INDEX messages_folder_counts ON messages (folder_id, folder, account_id, trashed_at, read);

-- A local account has no server: mail imported into a fresh archive is filed under it, and
-- neither the poller nor fetch ever connect for it.
ALTER TABLE accounts ADD COLUMN local INTEGER NOT NULL DEFAULT 0 CHECK (local IN (0, 1));
