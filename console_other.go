//go:build !windows

package main

// attachConsole is only needed on Windows (console_windows.go).
func attachConsole() {}
