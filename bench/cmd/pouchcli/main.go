// Command pouchcli is Pouch's command line without the window: the same cli.Main and engine as
// the pouch binary, without linking Fyne. popbench can measure it (-pouch) where the desktop
// build is unavailable; the figures in bench/RESULTS.md say which binary was measured.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/pouchmail/pouch/app/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, cli.Env{Args: os.Args[1:], Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr})
	stop()
	os.Exit(code)
}
