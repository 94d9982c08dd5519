package run

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"syscall"
)

// The files GitHub Actions reads a step's outputs and summary from.
const (
	outputVar  = "GITHUB_OUTPUT"
	summaryVar = "GITHUB_STEP_SUMMARY"
)

// CheckFiles checks, before anything is built, that $GITHUB_OUTPUT and $GITHUB_STEP_SUMMARY (when
// set) can be appended to: a deployment whose outputs cannot be published would otherwise fail
// only after it changed the cloud. Nothing is written; a missing file is created empty, as the
// runner does.
func CheckFiles(getenv func(string) string) error {
	var errs []error
	for _, v := range []string{outputVar, summaryVar} {
		path := getenv(v)
		if path == "" {
			continue
		}
		f, err := openAppend(path)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s=%s cannot be written: %w; the step's outputs and summary go there: point %s at a writable file (the runner sets it), or unset it outside GitHub Actions", v, path, fileProblem(err), v))
			continue
		}
		f.Close()
	}
	return errors.Join(errs...)
}

// openAppend opens path for appending, creating it when missing. It refuses what is not a regular
// file (a directory, a FIFO that would block, a device) without blocking on it.
func openAppend(path string) (*os.File, error) {
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		if st.IsDir() {
			return nil, &fs.PathError{Op: "open", Path: path, Err: syscall.EISDIR}
		}
		return nil, &fs.PathError{Op: "open", Path: path, Err: errors.New("not a regular file")}
	}
	return os.OpenFile(path, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
}

// fileProblem is the cause of a file error without the path (which the message names already).
func fileProblem(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// appendFile appends data to path in one write.
func appendFile(path, data string) error {
	f, err := openAppend(path)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// heredocDelimiter is a fresh delimiter for one value of an environment file, as the runner's own
// toolkit makes them (ghadelimiter_<random>): a value cannot end its block early and forge another
// output, since it cannot know the delimiter.
func heredocDelimiter(name, value string) (string, error) {
	for range 3 {
		var b [16]byte
		if _, err := rand.Read(b[:]); err != nil {
			return "", err
		}
		d := "ghadelimiter_" + hex.EncodeToString(b[:])
		if !strings.Contains(name, d) && !strings.Contains(value, d) {
			return d, nil
		}
	}
	return "", fmt.Errorf("output %s: no delimiter found that its value does not contain", name)
}

// fileCommand renders name=value as an environment file block with a random delimiter.
func fileCommand(name, value string) (string, error) {
	if name == "" || strings.ContainsAny(name, "\r\n=<") {
		return "", fmt.Errorf("output name %q is not valid", name)
	}
	d, err := heredocDelimiter(name, value)
	if err != nil {
		return "", err
	}
	return name + "<<" + d + "\n" + value + "\n" + d + "\n", nil
}
