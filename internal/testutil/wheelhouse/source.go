package wheelhouse

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
)

// ManifestName is the manifest file of each source tree under the wheelsrc directory.
const ManifestName = "wheel.json"

// manifest is the content of a wheel.json.
type manifest struct {
	Name     string   `json:"name"`
	Version  string   `json:"version"`
	Tag      string   `json:"tag"`
	Requires []string `json:"requires"`
}

// DefaultWheelSrc returns <module root>/testdata/wheelsrc, located from this source file's
// compiled-in path (so it works under `go test` and `go run` from a checkout, not with -trimpath).
func DefaultWheelSrc() (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok || !filepath.IsAbs(file) {
		return "", fmt.Errorf("locating the wheelhouse package source (got %q): pass Options.WheelSrc", file)
	}
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "testdata", "wheelsrc"), nil
}

// LoadSources reads every source tree under srcDir (each subdirectory holding a wheel.json) and
// returns their wheels sorted by directory name.
func LoadSources(srcDir string) ([]Wheel, error) {
	dirs, err := os.ReadDir(srcDir)
	if err != nil {
		return nil, fmt.Errorf("reading wheel sources %q: %w", srcDir, err)
	}
	var wheels []Wheel
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		w, err := loadSource(filepath.Join(srcDir, d.Name()))
		if err != nil {
			return nil, err
		}
		wheels = append(wheels, w)
	}
	if len(wheels) == 0 {
		return nil, fmt.Errorf("reading wheel sources %q: no source trees", srcDir)
	}
	return wheels, nil
}

// loadSource reads one source tree: its manifest and every other regular file in it.
func loadSource(dir string) (Wheel, error) {
	raw, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil {
		return Wheel{}, fmt.Errorf("reading wheel manifest: %w", err)
	}
	var m manifest
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return Wheel{}, fmt.Errorf("parsing %q: %w", filepath.Join(dir, ManifestName), err)
	}
	files := map[string]string{}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "__pycache__" {
				return filepath.SkipDir
			}
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel == ManifestName || strings.HasSuffix(rel, ".pyc") || !d.Type().IsRegular() {
			return nil
		}
		content, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files[rel] = string(content)
		return nil
	})
	if err != nil {
		return Wheel{}, fmt.Errorf("reading wheel source %q: %w", dir, err)
	}
	requires := append([]string(nil), m.Requires...)
	sort.Strings(requires)
	return Wheel{Name: m.Name, Version: m.Version, Tag: m.Tag, Requires: requires, Files: files}, nil
}
