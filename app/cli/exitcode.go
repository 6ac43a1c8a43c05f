package cli

import (
	"errors"

	"github.com/pouchmail/pouch/app/engine"
)

// Exit statuses, as mpop and other mail tools use them (sysexits.h), so a cron script can tell
// "try again later" from "a human must act".
const (
	ExitOK       = 0
	ExitFailure  = 1  // anything else: read the message
	ExitUsage    = 2  // a mistake on the command line: 2 as ever (not EX_USAGE, 64), which scripts test
	ExitTempFail = 75 // EX_TEMPFAIL: network, [SYS/TEMP], [IN-USE], locked: try again later
	ExitNoPerm   = 77 // EX_NOPERM: credentials refused, OAuth2 sign-in needed
	ExitConfig   = 78 // EX_CONFIG: the settings must change first
)

// configError is a configuration problem found by the command line itself.
type configError struct{ msg string }

func (e *configError) Error() string { return e.msg }

// exitStatus maps an error to the exit status, through the engine's one classifier. An error
// joining several (a fetch of several accounts) exits with the status needing attention most:
// configuration, authentication, other, then temporary, which cron may simply retry.
func exitStatus(err error) int {
	if err == nil {
		return ExitOK
	}
	var (
		ue *UsageError
		ce *configError
	)
	if errors.As(err, &ue) {
		return ExitUsage
	}
	if errors.As(err, &ce) {
		return ExitConfig
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok && len(j.Unwrap()) > 0 {
		worst := 0
		for _, e := range j.Unwrap() {
			if s := exitStatus(e); worst == 0 || severity(s) > severity(worst) {
				worst = s
			}
		}
		return worst
	}
	switch engine.Classify(err) {
	case engine.ErrorKindTemporary, engine.ErrorKindNetwork, engine.ErrorKindLocked:
		return ExitTempFail
	case engine.ErrorKindAuth:
		return ExitNoPerm
	case engine.ErrorKindConfig:
		return ExitConfig
	}
	return ExitFailure
}

func severity(status int) int {
	switch status {
	case ExitUsage:
		return 5
	case ExitConfig:
		return 4
	case ExitNoPerm:
		return 3
	case ExitFailure:
		return 2
	}
	return 1 // ExitTempFail
}
