package main

import (
	"os"

	"golang.org/x/sys/windows"
)

// attachConsole gives the command line a terminal on Windows. Pouch is linked as a GUI program
// (-H windowsgui) so that opening the window starts no console; started from cmd or PowerShell
// it then has no standard output. Attaching to the parent's console and opening CONOUT$/CONIN$
// brings it back. A handle that is already valid (output redirected to a file or a pipe) is
// kept, and double-clicked (no parent console) nothing changes.
func attachConsole() {
	const attachParentProcess = ^uint32(0) // ATTACH_PARENT_PROCESS, (DWORD)-1
	proc := windows.NewLazySystemDLL("kernel32.dll").NewProc("AttachConsole")
	if proc.Find() != nil {
		return
	}
	if r, _, _ := proc.Call(uintptr(attachParentProcess)); r == 0 {
		return // no parent console
	}
	reopen := func(std uint32, f **os.File, name string, flag int) {
		if h, err := windows.GetStdHandle(std); err == nil && h != 0 && h != windows.InvalidHandle {
			if t, err := windows.GetFileType(h); err == nil && t != windows.FILE_TYPE_UNKNOWN {
				return // redirected: keep it
			}
		}
		c, err := os.OpenFile(name, flag, 0)
		if err != nil {
			return
		}
		*f = c
		_ = windows.SetStdHandle(std, windows.Handle(c.Fd()))
	}
	reopen(windows.STD_OUTPUT_HANDLE, &os.Stdout, "CONOUT$", os.O_WRONLY)
	reopen(windows.STD_ERROR_HANDLE, &os.Stderr, "CONOUT$", os.O_WRONLY)
	reopen(windows.STD_INPUT_HANDLE, &os.Stdin, "CONIN$", os.O_RDONLY)
}
