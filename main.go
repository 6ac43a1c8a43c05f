// Command pouch is a POP3 mail client: with no sub-command it opens the window, otherwise it
// runs the command line on the same engine.
package main

import (
	// First, so the locale is normalised before Fyne's packages read it during initialisation.
	_ "github.com/pouchmail/pouch/app/envfix"

	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/pouchmail/pouch/app/cli"
	"github.com/pouchmail/pouch/app/ui"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, cli.Env{
		Args:       os.Args[1:],
		Stdin:      os.Stdin,
		Stdout:     os.Stdout,
		Stderr:     os.Stderr,
		OpenWindow: ui.Run,
	})
	stop()
	os.Exit(code)
}
