package cli

import (
	"os"
	"strings"
	"testing"
)

// TestREADMEAuthUsage: README.md offers exactly pop3.Mechanisms for --auth, as the usage does.
func TestREADMEAuthUsage(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if readme := string(b); strings.Count(readme, "[--auth ") != 1 || !strings.Contains(readme, authUsage) {
		t.Errorf("README.md: want one --auth usage, reading %s", authUsage)
	}
}
