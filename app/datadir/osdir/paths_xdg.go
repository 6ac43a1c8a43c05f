//go:build !windows && !darwin

package osdir

import (
	"errors"
	"path/filepath"
)

// Description says where Default is, for help texts.
const Description = "$XDG_DATA_HOME/pouch, by default ~/.local/share/pouch"

// Default is the data directory: $XDG_DATA_HOME/pouch, by default ~/.local/share/pouch (XDG
// Base Directory Specification: a relative $XDG_DATA_HOME is invalid and ignored).
func Default(getenv func(string) string) (string, error) {
	if d := getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "pouch"), nil
	}
	home := getenv("HOME")
	if home == "" {
		return "", errors.New("neither $XDG_DATA_HOME nor $HOME is set")
	}
	return filepath.Join(home, ".local", "share", "pouch"), nil
}

// Legacy is where Pouch kept its data before: os.UserConfigDir()/pouch, that is
// $XDG_CONFIG_HOME/pouch or ~/.config/pouch.
func Legacy(getenv func(string) string) (string, error) {
	if d := getenv("XDG_CONFIG_HOME"); d != "" {
		if !filepath.IsAbs(d) {
			return "", errors.New("path in $XDG_CONFIG_HOME is relative")
		}
		return filepath.Join(d, "pouch"), nil
	}
	home := getenv("HOME")
	if home == "" {
		return "", errors.New("neither $XDG_CONFIG_HOME nor $HOME is set")
	}
	return filepath.Join(home, ".config", "pouch"), nil
}
