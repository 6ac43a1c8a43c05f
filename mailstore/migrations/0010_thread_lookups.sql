-- The Saver looks up the thread of every message it stores (by the Message-IDs it names and
-- those naming it, and by subject). A look-up that reads a message row pays for its raw bytes,
-- which come before thread_id in the row: these indexes cover every look-up, so none does.
DROP INDEX messages_by_message_id;
CREATE INDEX messages_by_message_id ON messages (message_id, thread_id) WHERE message_id <> '';
DROP INDEX messages_by_thread_subject;
CREATE INDEX messages_by_thread_subject ON messages (thread_subject, coalesce(date, received), thread_id) WHERE thread_subject <> '';
CREATE INDEX messages_thread_of ON messages (id, thread_id);
