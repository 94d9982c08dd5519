// Command lithops-runtime builds a Lithops runtime, deploys it (AWS Lambda, Aliyun Function
// Compute, or the local backend), smoke-tests it and publishes its outputs. It runs as a GitHub
// Action step (inputs from INPUT_*) or as a command line tool (one flag per input).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], cli.OS())
	stop()
	os.Exit(code)
}
