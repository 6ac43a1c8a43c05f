//go:build !unix

package submittest

import "syscall"

// ownGroup: the server runs on Linux only (Debian's aiosmtpd); elsewhere nothing to set.
func ownGroup() *syscall.SysProcAttr { return nil }
