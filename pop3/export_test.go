package pop3

// Hooks for the black-box tests in package pop3_test.

func ParseStatus(line []byte) (ok bool, code, text string, err error) {
	st, err := parseStatus(line)
	return st.ok, st.code, st.text, err
}

func ParseCapaLine(line []byte) (name string, args []string, reason string) {
	return parseCapaLine(line)
}

func ParseUIDLLine(line []byte) (UIDL, string) { return parseUIDLLine(line) }

func ParseListLine(line []byte) (MessageSize, string) { return parseListLine(line) }

// SetMaxListingEntries lowers the listing cap so tests need not send ten
// million lines. Not safe with parallel tests.
func SetMaxListingEntries(n int) (restore func()) {
	old := maxListingEntries
	maxListingEntries = n
	return func() { maxListingEntries = old }
}
