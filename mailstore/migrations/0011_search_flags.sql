-- is:unread and is:flagged (search_query.go) are filters like has:attachment: the search's
-- covering index carries read and flagged too, so a search, a rule over the whole archive or
-- the rule editor's count never reads a message row (its raw bytes come first) to test them.
DROP INDEX messages_search;
CREATE INDEX messages_search ON messages (coalesce(date, received) DESC, id DESC, trashed_at, has_attachments, account_id, account_name, folder, folder_id, read, flagged);
