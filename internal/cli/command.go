package cli

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/run"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/proc"
)

// Command is the program: Main over the process's arguments, environment and streams, stopped
// by SIGINT or SIGTERM. It returns the exit code.
func Command() int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(signals)
	go func() {
		// The first signal cancels the run: child process groups get SIGTERM (SIGKILL a few seconds
		// later), and the run stops saying where it left the cloud.
		s := <-signals
		fmt.Fprintf(os.Stderr, "received %s: stopping (send it again to exit at once)\n", s)
		cancel()
		// The second exits at once, killing every child process group.
		s = <-signals
		proc.KillAll()
		fmt.Fprintf(os.Stderr, "received %s again: exiting at once; %s\n", s, run.Where())
		os.Exit(130)
	}()
	return Main(ctx, os.Args[1:], OS())
}
