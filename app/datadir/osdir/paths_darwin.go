package osdir

import (
	"errors"
	"path/filepath"
)

// Description says where Default is, for help texts.
const Description = "~/Library/Application Support/Pouch"

// Default is the data directory: ~/Library/Application Support/Pouch.
func Default(getenv func(string) string) (string, error) {
	home := getenv("HOME")
	if home == "" {
		return "", errors.New("$HOME is not set")
	}
	return filepath.Join(home, "Library", "Application Support", "Pouch"), nil
}

// Legacy is where Pouch kept its data before: os.UserConfigDir()/pouch. On the usual
// case-insensitive file system it is the same directory as defaultDir, and nothing moves.
func Legacy(getenv func(string) string) (string, error) {
	home := getenv("HOME")
	if home == "" {
		return "", errors.New("$HOME is not set")
	}
	return filepath.Join(home, "Library", "Application Support", "pouch"), nil
}
