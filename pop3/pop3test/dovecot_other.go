//go:build !linux

package pop3test

import "syscall"

// dovecotSysProcAttr has nothing to add outside Linux: without a parent
// death signal, a Dovecot whose test binary died must be stopped by hand.
func dovecotSysProcAttr() *syscall.SysProcAttr {
	return nil
}
