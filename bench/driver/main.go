// Package main is the benchmark driver of bench/compare.sh: it runs our side of each comparison
// through the project's packages and prints "key=value" lines the script collects.
//
//	driver zip      -reqs FILE -work DIR -cache DIR -state FILE [-python 3.12]
//	driver lock     -reqs FILE -o FILE [-python 3.12]   (a hash-locked requirements file)
//	driver image    -base REF -deps DIR -code DIR -ref REF
//	driver zipdir   -src DIR -o FILE
//	driver gentree  -o DIR -size 1GB
//	driver registry -addr 127.0.0.1:0        (serves until killed; GET /_stats gives upload counters)
//	driver base     -registry HOST           (pushes a busybox base image, prints its ref)
//	driver firstlog -- CMD ARGS...           (time from start to CMD's first output line)
//	driver pipflags [-python 3.12]           (the platform flags the tool gives pip)
//
// Every subcommand prints its own peak RSS (rss_kb=) from getrusage, so the figures do not depend
// on /usr/bin/time.
package main

import (
	"fmt"
	"os"
	"syscall"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: driver zip|lock|image|zipdir|gentree|registry|base|firstlog ...")
		os.Exit(2)
	}
	cmds := map[string]func([]string) error{
		"zip": runZip, "image": runImage, "zipdir": runZipDir, "gentree": runGenTree,
		"registry": runRegistry, "base": runBase, "firstlog": runFirstLog, "pipflags": runPipFlags, "lock": runLock,
	}
	fn, ok := cmds[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "driver: unknown subcommand %q\n", os.Args[1])
		os.Exit(2)
	}
	if err := fn(os.Args[2:]); err != nil {
		fmt.Fprintf(os.Stderr, "driver %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
	if os.Args[1] == "pipflags" || os.Args[1] == "lock" {
		return
	}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		fmt.Printf("rss_kb=%d\n", ru.Maxrss)
	}
}
