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
	attachConsole() // Windows: the GUI-linked binary prints in the terminal it was started from
	// SIGINT/SIGTERM: the first stops cleanly (sessions close without QUIT), a second one or
	// a stop slower than cli.SignalGrace exits at once; the status is 128 + the signal.
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	in := cli.HandleSignals(context.Background(), sigs, cli.SignalOptions{Stderr: os.Stderr, Exit: os.Exit})
	code := cli.Main(in.Context(), cli.Env{
		Args:       os.Args[1:],
		Stdin:      os.Stdin,
		Stdout:     os.Stdout,
		Stderr:     os.Stderr,
		OpenWindow: ui.Run,
	})
	in.Stop()
	signal.Stop(sigs)
	os.Exit(in.ExitCode(code))
}
