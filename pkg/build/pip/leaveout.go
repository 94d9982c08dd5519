package pip

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// LeftOut are the directories of a `pip install --target` tree that the runtimes leave out:
//
//   - bin/ holds the console and gui script launchers pip generates and the wheels' .data/scripts.
//     Their first line names the interpreter that ran pip on the build machine
//     (#!/opt/hostedtoolcache/Python/3.12.1/x64/bin/python), which does not exist in Lambda or
//     Function Compute, and the directory is on neither's PATH (a layer's python/bin is not
//     /opt/bin): nothing runs them, and they would make the same requirements give different
//     bytes on two build machines, so a needless redeploy.
//   - include/python/ holds the wheels' .data/headers (C headers, under a directory named as the
//     requirement was spelled): nothing at run time reads them.
//
// Files a wheel installs as data (.data/data, e.g. share/ or include/<lib>/) stay where pip puts
// them. The rows of the left-out files are removed from the RECORD files too.
var LeftOut = []string{"bin/", "include/python/"}

// leftOut reports whether a slash path relative to the target is in a LeftOut directory.
func leftOut(rel string) bool {
	for _, dir := range LeftOut {
		if strings.HasPrefix(rel, dir) {
			return true
		}
	}
	return false
}

// RemoveLeftOut removes the LeftOut directories from a tree pip installed into target and the
// rows naming their files from every RECORD (pip records them relative to its temporary
// home/lib/python, as ../../bin/NAME).
func RemoveLeftOut(target string) error {
	removed := false
	for _, dir := range LeftOut {
		p := filepath.Join(target, filepath.FromSlash(strings.TrimSuffix(dir, "/")))
		if _, err := os.Lstat(p); err != nil {
			continue
		}
		if err := os.RemoveAll(p); err != nil {
			return fmt.Errorf("removing %s: %w", p, err)
		}
		removed = true
	}
	if !removed {
		return nil
	}
	// include/ may be left empty (pip made it for the headers only).
	os.Remove(filepath.Join(target, "include"))
	records, err := filepath.Glob(filepath.Join(target, "*.dist-info", "RECORD"))
	if err != nil {
		return err
	}
	for _, r := range records {
		if err := editRecord(r, func(path string) bool {
			rel, ok := strings.CutPrefix(path, "../../")
			return ok && leftOut(rel)
		}); err != nil {
			return err
		}
	}
	return nil
}

// editRecord removes from a RECORD file the rows whose path drop accepts, keeping every other
// line byte for byte.
func editRecord(record string, drop func(path string) bool) error {
	data, err := os.ReadFile(record)
	if err != nil {
		return err
	}
	var out bytes.Buffer
	changed := false
	for _, line := range bytes.SplitAfter(data, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			out.Write(line)
			continue
		}
		row, err := csv.NewReader(bytes.NewReader(line)).Read()
		if err == nil && len(row) > 0 && drop(row[0]) {
			changed = true
			continue
		}
		out.Write(line)
	}
	if !changed {
		return nil
	}
	return os.WriteFile(record, out.Bytes(), 0o644)
}

// removeGenerated removes a file pip wrote into a .dist-info directory (direct_url.json of a wheel
// installed from its path, REQUESTED of a wheel the request did not name) and its RECORD row.
func removeGenerated(target, distInfo, name string) error {
	p := filepath.Join(target, distInfo, name)
	if err := os.Remove(p); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	return editRecord(filepath.Join(target, distInfo, "RECORD"), func(path string) bool { return path == distInfo+"/"+name })
}
