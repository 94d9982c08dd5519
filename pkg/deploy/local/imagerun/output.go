package imagerun

import (
	"fmt"
	"io"
	"os"
)

// tailBytes is how much output Invoke returns: Lambda's LogResult is the last 4 KB.
const tailBytes = 4096

// outputSize returns the size of the output file (the process writes to it directly, so what
// it wrote before answering an invocation is there when the answer arrives).
func outputSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// outputSince returns the last tailBytes of what was written to path after offset from.
func outputSince(path string, from int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading the process output: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("reading the process output: %w", err)
	}
	start := max(from, fi.Size()-tailBytes)
	if start >= fi.Size() {
		return nil, nil
	}
	b := make([]byte, fi.Size()-start)
	if _, err := f.ReadAt(b, start); err != nil && err != io.EOF {
		return nil, fmt.Errorf("reading the process output: %w", err)
	}
	return b, nil
}
