package pop3test

import "syscall"

// dovecotSysProcAttr makes the kernel send SIGTERM to the Dovecot master
// when the process that started it dies without calling Stop (a test
// binary killed on timeout, a panic), so no orphan server stays behind.
func dovecotSysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
