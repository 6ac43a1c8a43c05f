package mailstore

import "database/sql"

// DB exposes the pool so tests can check every connection's settings.
func DB(s *Store) *sql.DB { return s.db }

// CheckPragmas verifies the required settings on q's connection.
var CheckPragmas = checkPragmas

// SetMaxConns limits the pool, so a test can change the one connection's settings.
func SetMaxConns(s *Store, n int) { s.db.SetMaxOpenConns(n) }

// FolderCountsQuery is the folder tree's count query, for its plan.
const FolderCountsQuery = folderCountsQuery
