// Package main is benchgen: it writes the benchmark inputs offline — a wheelhouse of pure-Python
// wheels of at least the requested total size (dozens of distributions with a dependency tree,
// thousands of small .py files each), plus the project's fixture wheelhouse (the stand-in lithops
// and its dependencies) and a requirements.txt naming the top-level benchmark distributions.
//
//	go run ./internal/tools/benchgen -o DIR [-size 150MB] [-dists 32] [-seed 1]
//
// It prints DIR. The bytes depend only on the flags.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/wheelhouse"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run parses args, writes the inputs, prints the directory and returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("benchgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "directory to write the wheelhouse and requirements.txt into (required)")
	size := fs.String("size", "150MB", "minimum total size of the benchmark wheels (e.g. 2MB, 150MB, 1GB)")
	dists := fs.Int("dists", 32, "number of benchmark distributions")
	seed := fs.Uint64("seed", 1, "seed of the generated contents")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *out == "" || fs.NArg() != 0 {
		fmt.Fprintln(stderr, "usage: benchgen -o DIR [-size 150MB] [-dists 32] [-seed 1]")
		return 2
	}
	total, err := parseSize(*size)
	if err != nil {
		fmt.Fprintf(stderr, "benchgen: %v\n", err)
		return 2
	}
	dir, err := filepath.Abs(*out)
	if err != nil {
		fmt.Fprintf(stderr, "benchgen: resolving %q: %v\n", *out, err)
		return 1
	}
	res, err := Generate(dir, Config{Size: total, Dists: *dists, Seed: *seed})
	if err != nil {
		fmt.Fprintf(stderr, "benchgen: %v\n", err)
		return 1
	}
	if _, err := wheelhouse.Build(dir, wheelhouse.Options{}); err != nil {
		fmt.Fprintf(stderr, "benchgen: writing the fixture wheelhouse: %v\n", err)
		return 1
	}
	fmt.Fprintf(stderr, "benchgen: %d wheels, %d files, %d bytes of wheels (%d unpacked)\n",
		res.Wheels, res.Files, res.WheelBytes, res.RawBytes)
	fmt.Fprintln(stdout, dir)
	return 0
}

// parseSize reads "150MB", "1GB", "512KB" or a byte count (decimal units, as disks count).
func parseSize(s string) (int64, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"B", 1}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSuffix(s, u.suffix), u.mult
			break
		}
	}
	n, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("size %q: want a positive size such as 150MB", s)
	}
	return int64(n * float64(mult)), nil
}
