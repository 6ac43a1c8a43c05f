package cli

import (
	"runtime/debug"
	"strings"
)

// version is set at build time: -ldflags "-X github.com/pouchmail/pouch/app/cli.version=1.2.3"
// (the Makefile does). Without it, Version falls back to the module's build information.
var version string

// Version is Pouch's version: the one set at build time, else the module version and VCS
// revision Go recorded in the binary, else "devel".
func Version() string {
	if version != "" {
		return version
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	return versionFrom(bi)
}

func versionFrom(bi *debug.BuildInfo) string {
	v := bi.Main.Version
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = "-dirty"
			}
		}
	}
	if rev != "" && !strings.Contains(v, rev[:min(12, len(rev))]) {
		v += " (" + rev[:min(12, len(rev))] + modified + ")"
	}
	return v
}
