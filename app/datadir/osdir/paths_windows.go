package osdir

import (
	"errors"
	"path/filepath"
)

// Description says where Default is, for help texts.
const Description = "%LocalAppData%\\Pouch"

// Default is the data directory, %LocalAppData%\Pouch: the archive is large and belongs to
// this machine, so it does not roam with the profile.
func Default(getenv func(string) string) (string, error) {
	d := getenv("LOCALAPPDATA")
	if d == "" {
		return "", errors.New("%LocalAppData% is not set")
	}
	return filepath.Join(d, "Pouch"), nil
}

// Legacy is where Pouch kept its data before: os.UserConfigDir()\pouch, %AppData%\pouch.
func Legacy(getenv func(string) string) (string, error) {
	d := getenv("APPDATA")
	if d == "" {
		return "", errors.New("%AppData% is not set")
	}
	return filepath.Join(d, "pouch"), nil
}
