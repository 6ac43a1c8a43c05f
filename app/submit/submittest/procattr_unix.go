//go:build unix

package submittest

import "syscall"

// ownGroup puts the server in a process group of its own, so a test interrupted with Ctrl+C
// in the terminal does not pass the signal to it first.
func ownGroup() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }
