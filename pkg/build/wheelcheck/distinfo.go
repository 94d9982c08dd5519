package wheelcheck

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// distribution is one installed distribution, from its top-level *.dist-info directory.
type distribution struct {
	// name and version come from the directory name (<name>-<version>.dist-info).
	name, version string
	// dir is the dist-info directory, relative to the tree (slash-separated).
	dir string
	// tags are the WHEEL file's Tag: values; nil when it has none.
	tags []string
	// hasWheel is false when the dist-info has no WHEEL file.
	hasWheel bool
}

// String is "numpy 2.1.0".
func (d *distribution) String() string {
	if d.version == "" {
		return d.name
	}
	return d.name + " " + d.version
}

// readDistributions reads the top-level dist-info directories of the tree at root and returns them
// with an index from each file their RECORD lists (slash-separated, relative to root) to its
// distribution.
func readDistributions(root string) ([]*distribution, map[string]*distribution, error) {
	des, err := os.ReadDir(root)
	if err != nil {
		return nil, nil, fmt.Errorf("reading %q: %w", root, err)
	}
	var dists []*distribution
	owners := map[string]*distribution{}
	for _, de := range des {
		if !de.IsDir() || !strings.HasSuffix(de.Name(), ".dist-info") {
			continue
		}
		base := strings.TrimSuffix(de.Name(), ".dist-info")
		d := &distribution{name: base, dir: de.Name()}
		if i := strings.LastIndex(base, "-"); i > 0 {
			d.name, d.version = base[:i], base[i+1:]
		}
		dir := filepath.Join(root, de.Name())
		if d.tags, d.hasWheel, err = readWheelTags(filepath.Join(dir, "WHEEL")); err != nil {
			return nil, nil, err
		}
		files, err := readRecord(filepath.Join(dir, "RECORD"))
		if err != nil {
			return nil, nil, err
		}
		for _, f := range files {
			owners[f] = d
		}
		dists = append(dists, d)
	}
	return dists, owners, nil
}

// readWheelTags returns the Tag: values of a WHEEL file, and whether the file exists.
func readWheelTags(p string) ([]string, bool, error) {
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("reading %q: %w", p, err)
	}
	defer f.Close()
	var tags []string
	s := bufio.NewScanner(f)
	s.Buffer(make([]byte, 4096), 1<<20)
	for s.Scan() {
		key, val, ok := strings.Cut(s.Text(), ":")
		if ok && strings.EqualFold(strings.TrimSpace(key), "Tag") {
			tags = append(tags, strings.TrimSpace(val))
		}
	}
	if err := s.Err(); err != nil {
		return nil, true, fmt.Errorf("reading %q: %w", p, err)
	}
	return tags, true, nil
}

// readRecord returns the cleaned paths a RECORD file lists, inside the tree only; none when the
// file does not exist.
func readRecord(p string) ([]string, error) {
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %q: %w", p, err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	var out []string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading %q: %w", p, err)
		}
		if len(rec) == 0 || rec[0] == "" {
			continue
		}
		name := path.Clean(rec[0])
		if name == ".." || strings.HasPrefix(name, "../") || path.IsAbs(name) {
			continue // scripts installed outside the target
		}
		out = append(out, name)
	}
	return out, nil
}
