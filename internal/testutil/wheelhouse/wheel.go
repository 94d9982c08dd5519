// Package wheelhouse builds the offline fixture wheelhouse of the project's tests: deterministic
// Python wheels made in Go from the sources under testdata/wheelsrc (a stand-in lithops, stand-ins
// of Lithops' default dependencies, and a few fixture distributions), so that real pip can install
// runtimes with PIP_NO_INDEX=1 PIP_FIND_LINKS=<dir> and no network.
package wheelhouse

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// DefaultTag is the wheel tag of a pure-Python wheel, used when Wheel.Tag is empty.
const DefaultTag = "py3-none-any"

// Wheel describes one wheel to write.
type Wheel struct {
	// Name is the distribution name as users write it (e.g. "acme-text-utils").
	Name string
	// Version is the distribution version (e.g. "1.2.0").
	Version string
	// Tag is the compatibility tag "python-abi-platform"; empty means DefaultTag.
	Tag string
	// Requires lists the Requires-Dist entries (e.g. "acme-core>=1.0").
	Requires []string
	// Files maps slash-separated paths inside the wheel (e.g. "acmetext/__init__.py") to contents.
	// The .dist-info directory is generated and must not appear here.
	Files map[string]string
}

var nameRun = regexp.MustCompile(`[-_.]+`)

// escapeName returns the distribution name as it appears in wheel file and .dist-info names:
// normalized (PEP 503) with runs of "-", "_" and "." replaced by a single "_".
func escapeName(name string) string {
	return nameRun.ReplaceAllString(strings.ToLower(name), "_")
}

// FileName returns the wheel's file name: <name>-<version>-<tag>.whl with the name escaped.
func (w Wheel) FileName() string {
	return escapeName(w.Name) + "-" + w.Version + "-" + w.tag() + ".whl"
}

func (w Wheel) tag() string {
	if w.Tag == "" {
		return DefaultTag
	}
	return w.Tag
}

func (w Wheel) distInfo() string {
	return escapeName(w.Name) + "-" + w.Version + ".dist-info"
}

// validate reports what makes w unwritable.
func (w Wheel) validate() error {
	if w.Name == "" || w.Version == "" {
		return fmt.Errorf("wheel %q version %q: name and version are required", w.Name, w.Version)
	}
	if strings.ContainsAny(w.Version, "-/ ") {
		return fmt.Errorf("wheel %q: invalid version %q", w.Name, w.Version)
	}
	if parts := strings.Split(w.tag(), "-"); len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return fmt.Errorf("wheel %q: tag %q is not python-abi-platform", w.Name, w.tag())
	}
	if len(w.Files) == 0 {
		return fmt.Errorf("wheel %q: no files", w.Name)
	}
	for p := range w.Files {
		clean := path.Clean(p)
		if clean != p || path.IsAbs(p) || strings.HasPrefix(p, "../") || p == ".." {
			return fmt.Errorf("wheel %q: file path %q is not a clean relative path", w.Name, p)
		}
		if first, _, _ := strings.Cut(p, "/"); strings.HasSuffix(first, ".dist-info") {
			return fmt.Errorf("wheel %q: file %q: the .dist-info directory is generated", w.Name, p)
		}
	}
	return nil
}

// topLevel returns the sorted top-level import names the files provide: each first path
// directory, and each top-level "*.py" module without its suffix.
func (w Wheel) topLevel() []string {
	seen := map[string]bool{}
	for p := range w.Files {
		first, _, nested := strings.Cut(p, "/")
		switch {
		case nested && !strings.HasSuffix(first, ".data"):
			seen[first] = true
		case !nested && strings.HasSuffix(first, ".py"):
			seen[strings.TrimSuffix(first, ".py")] = true
		}
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// WriteWheel writes w into dstDir (created if missing) and returns the wheel's path.
// The bytes depend only on w: entries are sorted and timestamps fixed.
func WriteWheel(dstDir string, w Wheel) (string, error) {
	if err := w.validate(); err != nil {
		return "", err
	}
	data, err := w.zipBytes()
	if err != nil {
		return "", fmt.Errorf("building wheel %q: %w", w.FileName(), err)
	}
	if err := os.MkdirAll(dstDir, 0o755); err != nil {
		return "", fmt.Errorf("creating wheelhouse %q: %w", dstDir, err)
	}
	p := filepath.Join(dstDir, w.FileName())
	if err := os.WriteFile(p, data, 0o644); err != nil {
		return "", fmt.Errorf("writing wheel %q: %w", p, err)
	}
	return p, nil
}
