// Package main is mkwheelhouse: it writes the offline fixture wheelhouse (the stand-in lithops and
// its dependencies, built from testdata/wheelsrc) into a directory and prints that directory, for
// use with PIP_NO_INDEX=1 PIP_FIND_LINKS=<dir>.
//
//	go run ./internal/tools/mkwheelhouse -o DIR [-lithops 3.7.0,3.6.0] [-src testdata/wheelsrc]
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/wheelhouse"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run parses args, builds the wheelhouse, prints its absolute directory to stdout and returns the
// exit code.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mkwheelhouse", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "directory to write the wheels into (required)")
	versions := fs.String("lithops", wheelhouse.DefaultLithopsVersion, "comma-separated stand-in lithops versions to build")
	src := fs.String("src", "", "wheel source trees (default: testdata/wheelsrc of this module's checkout)")
	reported := fs.String("reported-version", "", "test knob: the version lithops/version.py reports instead of the dist version")
	handlerErr := fs.String("handler-error", "", "test knob: make get_runtime_metadata raise RuntimeError(MESSAGE)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *out == "" || fs.NArg() != 0 {
		fmt.Fprintln(stderr, "usage: mkwheelhouse -o DIR [-lithops 3.7.0,3.6.0] [-src DIR]")
		return 2
	}
	var lithops []string
	for _, v := range strings.Split(*versions, ",") {
		if v = strings.TrimSpace(v); v != "" {
			lithops = append(lithops, v)
		}
	}
	dir, err := filepath.Abs(*out)
	if err != nil {
		fmt.Fprintf(stderr, "mkwheelhouse: resolving %q: %v\n", *out, err)
		return 1
	}
	opts := wheelhouse.Options{WheelSrc: *src, Lithops: lithops, ReportedVersion: *reported, HandlerError: *handlerErr}
	if _, err := wheelhouse.Build(dir, opts); err != nil {
		fmt.Fprintf(stderr, "mkwheelhouse: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, dir)
	return 0
}
