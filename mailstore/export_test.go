package mailstore

import (
	"database/sql"
	"strings"
)

// DB exposes the pool so tests can check every connection's settings.
func DB(s *Store) *sql.DB { return s.db }

// CheckPragmas verifies the required settings on q's connection.
var CheckPragmas = checkPragmas

// SetMaxConns limits the pool, so a test can change the one connection's settings.
func SetMaxConns(s *Store, n int) { s.db.SetMaxOpenConns(n) }

// SetSearchPlans sets the match counts at which Search changes its plan (search.go) and returns
// a function restoring them, so that every plan can be tested on a small archive.
func SetSearchPlans(driveFromIndexBelow, probeFrom int) (restore func()) {
	old := searchPlans
	searchPlans.driveFromIndexBelow, searchPlans.probeFrom = driveFromIndexBelow, probeFrom
	return func() { searchPlans = old }
}

// FolderCountsQuery is the folder tree's count query, for its plan.
const FolderCountsQuery = folderCountsQuery

// Unthread makes every message look stored before threads existed, for ThreadBackfill.
func Unthread(s *Store) error {
	_, err := s.db.Exec(`DELETE FROM message_refs; UPDATE messages SET thread_id = NULL, thread_subject = ''`)
	return err
}

// ThreadGroupsQuery is the conversation list's grouping query for a folder's messages, for its plan.
func ThreadGroupsQuery() string {
	where, _ := filterWhere(Filter{Folder: "Work/Invoices", AccountID: 1})
	return threadGroupsQuery(where)
}

// ThreadLookups are the Saver's look-ups of a message's thread, for their plans.
var ThreadLookups = []string{threadByMsgID, threadBySubject, threadChildren, threadOwn}

// WholeArchiveMatch is the statement a rule over the whole archive and the rule editor's count
// select q's filters with (matchIDs, CountMatches), for its plan.
func WholeArchiveMatch(q Query) (string, []any) {
	where, args := q.filters()
	return `SELECT m2.id FROM messages m2 INDEXED BY messages_search WHERE ` + strings.Join(where, " AND "), args
}
