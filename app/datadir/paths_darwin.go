package datadir

import (
	"errors"
	"path/filepath"
)

// Description says where Default is, for help texts.
const Description = "~/Library/Application Support/Pouch"

// defaultDir is ~/Library/Application Support/Pouch.
func defaultDir(getenv func(string) string) (string, error) {
	home := getenv("HOME")
	if home == "" {
		return "", errors.New("$HOME is not set")
	}
	return filepath.Join(home, "Library", "Application Support", "Pouch"), nil
}

// legacyDir is where Pouch kept its data before: os.UserConfigDir()/pouch. On the usual
// case-insensitive file system it is the same directory as defaultDir, and nothing moves.
func legacyDir(getenv func(string) string) (string, error) {
	home := getenv("HOME")
	if home == "" {
		return "", errors.New("$HOME is not set")
	}
	return filepath.Join(home, "Library", "Application Support", "pouch"), nil
}
