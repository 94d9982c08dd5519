// Command lithops-runtime builds a Lithops runtime, deploys it (AWS Lambda, Aliyun Function
// Compute, or the local backend), smoke-tests it and publishes its outputs. It runs as a GitHub
// Action step (inputs from INPUT_*) or as a command line tool (one flag per input).
package main

import (
	"os"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/cli"
)

func main() { os.Exit(cli.Command()) }
