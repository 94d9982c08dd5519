// Command lithops-runtime builds a Lithops runtime, deploys it (AWS Lambda, Aliyun Function
// Compute, or the local backend), smoke-tests it and publishes its outputs. It runs as a GitHub
// Action step (inputs from INPUT_*) or as a command line tool (one flag per input).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/cli"
	"github.com/lithops-runtime-action/lithops-runtime-action/internal/run"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/proc"
)

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
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
	code := cli.Main(ctx, os.Args[1:], cli.OS())
	cancel()
	os.Exit(code)
}
