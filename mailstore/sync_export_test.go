package mailstore

// SetMaxConns limits the pool, so a test can change the one connection's settings.
func SetMaxConns(s *Store, n int) { s.db.SetMaxOpenConns(n) }
