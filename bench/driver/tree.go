package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// runGenTree writes a tree of about -size bytes: 64 KiB to 1 MiB files of half-compressible data.
func runGenTree(args []string) error {
	fs := flag.NewFlagSet("gentree", flag.ContinueOnError)
	out := fs.String("o", "", "directory")
	size := fs.String("size", "1GB", "total size (decimal MB/GB)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	s := strings.ToUpper(*size)
	mult := int64(1)
	switch {
	case strings.HasSuffix(s, "GB"):
		s, mult = strings.TrimSuffix(s, "GB"), 1e9
	case strings.HasSuffix(s, "MB"):
		s, mult = strings.TrimSuffix(s, "MB"), 1e6
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("size %q: %w", *size, err)
	}
	total := int64(n * float64(mult))
	rng := rand.New(rand.NewPCG(7, 7))
	chunk := make([]byte, 1<<20)
	for i := range chunk {
		if i%2 == 0 {
			chunk[i] = byte(rng.IntN(256))
		} else {
			chunk[i] = 'a' + byte(i%7)
		}
	}
	var written int64
	for i := 0; written < total; i++ {
		dir := filepath.Join(*out, fmt.Sprintf("d%03d", i/100))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		sz := 64<<10 + rng.IntN(960<<10)
		off := rng.IntN(len(chunk) - sz + 1)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%05d.bin", i)), chunk[off:off+sz], 0o644); err != nil {
			return err
		}
		written += int64(sz)
	}
	fmt.Printf("tree_bytes=%d\n", written)
	return nil
}

// runFirstLog starts a command and prints the time until its first line on stdout or stderr.
func runFirstLog(args []string) error {
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		return fmt.Errorf("no command")
	}
	cmd := exec.Command(args[0], args[1:]...)
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	cmd.Stdout, cmd.Stderr = w, w
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return err
	}
	w.Close()
	line, _ := bufio.NewReader(r).ReadString('\n')
	first := time.Since(start)
	cmd.Process.Kill()
	cmd.Wait()
	fmt.Printf("first_log_ms=%.1f\nfirst_line=%q\n", float64(first.Microseconds())/1000, strings.TrimSpace(line))
	return nil
}
