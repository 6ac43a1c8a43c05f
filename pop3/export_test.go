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

// SetNonce fixes the SCRAM client nonce, for transcript tests with the
// RFC 5802/7677 test vectors.
func SetNonce(c *Client, nonce string) { c.nonce = func() string { return nonce } }

const (
	RetrWindow = retrWindow
	DeleWindow = deleWindow
)

func SASLChallenge(line []byte) ([]byte, bool) { return saslChallenge(line) }
