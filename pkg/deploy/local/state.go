package local

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/zipbundle"
)

// layerVersion is what layer.json records of a published layer version.
type layerVersion struct {
	Name       string   `json:"name"`
	Version    int      `json:"version"`
	CodeSha256 string   `json:"code_sha256"`
	CodeSize   int64    `json:"code_size"`
	Runtimes   []string `json:"compatible_runtimes"`
	Arch       string   `json:"compatible_architecture"`
}

// ID is the local equivalent of a layer version ARN.
func (l layerVersion) ID() string { return fmt.Sprintf("local:layer:%s:%d", l.Name, l.Version) }

// functionConfig is what function.json records of a deployed function.
type functionConfig struct {
	Name         string            `json:"name"`
	Runtime      string            `json:"runtime"`
	Handler      string            `json:"handler"`
	MemoryMB     int               `json:"memory_mb"`
	TimeoutSec   int               `json:"timeout_sec"`
	Architecture string            `json:"architecture"`
	Layers       []string          `json:"layers"`
	CodeSha256   string            `json:"code_sha256"`
	CodeSize     int64             `json:"code_size"`
	Tags         map[string]string `json:"tags"`
	Revision     int               `json:"revision"`
	// PackageType is "Image" for image functions ("" for zip ones), whose code is ImageDigest.
	PackageType string `json:"package_type,omitempty"`
	ImageDigest string `json:"image_digest,omitempty"`
}

// ID is the local equivalent of a function ARN.
func (f functionConfig) ID() string { return "local:function:" + f.Name }

// store is the state directory.
type store struct{ root string }

func (s store) layerDir(name string, version int) string {
	return filepath.Join(s.root, "layers", name, strconv.Itoa(version))
}

func (s store) functionDir(name string) string { return filepath.Join(s.root, "functions", name) }

func (s store) previousDir(name string) string {
	return filepath.Join(s.root, "functions", name+".previous")
}

// latestLayer returns the newest published version of a layer, or nil.
func (s store) latestLayer(name string) (*layerVersion, error) {
	entries, err := os.ReadDir(filepath.Join(s.root, "layers", name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("listing versions of layer %s: %w", name, err)
	}
	var versions []int
	for _, e := range entries {
		if n, err := strconv.Atoi(e.Name()); err == nil && e.IsDir() {
			versions = append(versions, n)
		}
	}
	sort.Sort(sort.Reverse(sort.IntSlice(versions)))
	for _, v := range versions {
		lv, err := s.layer(name, v)
		if err != nil {
			return nil, err
		}
		if lv != nil {
			return lv, nil
		}
	}
	return nil, nil
}

// layer reads one layer version; nil when it was never completely published.
func (s store) layer(name string, version int) (*layerVersion, error) {
	var lv layerVersion
	found, err := readJSON(filepath.Join(s.layerDir(name, version), "layer.json"), &lv)
	if err != nil || !found {
		return nil, err
	}
	return &lv, nil
}

// layerByID finds the directory of a layer version from its id.
func (s store) layerByID(id string) (string, error) {
	rest, ok := strings.CutPrefix(id, "local:layer:")
	i := strings.LastIndex(rest, ":")
	if !ok || i < 0 {
		return "", fmt.Errorf("layer id %q is not a local layer version id", id)
	}
	v, err := strconv.Atoi(rest[i+1:])
	if err != nil {
		return "", fmt.Errorf("layer id %q has no version number", id)
	}
	dir := s.layerDir(rest[:i], v)
	if _, err := os.Stat(filepath.Join(dir, "layer.json")); err != nil {
		return "", fmt.Errorf("layer version %s does not exist in %s", id, s.root)
	}
	return filepath.Join(dir, "opt"), nil
}

// publishLayer extracts zip as the next version of layer name and returns it.
func (s store) publishLayer(ctx context.Context, lv layerVersion, zipPath string) error {
	dir := s.layerDir(lv.Name, lv.Version)
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), ".publishing-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := zipbundle.Extract(ctx, zipPath, filepath.Join(tmp, "opt")); err != nil {
		return fmt.Errorf("extracting layer %s: %w", lv.Name, err)
	}
	if err := writeJSON(filepath.Join(tmp, "layer.json"), lv); err != nil {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		return fmt.Errorf("publishing layer %s version %d: %w", lv.Name, lv.Version, err)
	}
	return nil
}

// function reads a deployed function's configuration; nil when it does not exist.
func (s store) function(name string) (*functionConfig, error) {
	var fc functionConfig
	found, err := readJSON(filepath.Join(s.functionDir(name), "function.json"), &fc)
	if err != nil || !found {
		return nil, err
	}
	return &fc, nil
}

// writeFunction installs a function: new code extracted from zipPath (when not "") or the current
// code kept, and the configuration. What was live before is kept as the previous version.
func (s store) writeFunction(ctx context.Context, fc functionConfig, zipPath string) error {
	dir := s.functionDir(fc.Name)
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), "."+fc.Name+".deploying-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	code := filepath.Join(tmp, "code")
	if fc.PackageType == packageImage {
		if err := os.MkdirAll(code, 0o755); err != nil { // the code is the image
			return err
		}
	} else if zipPath != "" {
		if err := zipbundle.Extract(ctx, zipPath, code); err != nil {
			return fmt.Errorf("extracting the code of function %s: %w", fc.Name, err)
		}
	} else if err := os.CopyFS(code, os.DirFS(filepath.Join(dir, "code"))); err != nil {
		return fmt.Errorf("keeping the code of function %s: %w", fc.Name, err)
	}
	if err := writeJSON(filepath.Join(tmp, "function.json"), fc); err != nil {
		return err
	}
	prev := s.previousDir(fc.Name)
	if err := os.RemoveAll(prev); err != nil {
		return err
	}
	if _, err := os.Stat(dir); err == nil {
		if err := os.Rename(dir, prev); err != nil {
			return fmt.Errorf("keeping the previous version of function %s: %w", fc.Name, err)
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		return fmt.Errorf("deploying function %s: %w", fc.Name, err)
	}
	return nil
}

// restoreFunction puts the previous version of a function back, or removes a function that had
// none (it was created by the deployment being undone).
func (s store) restoreFunction(name string, existed bool) error {
	dir, prev := s.functionDir(name), s.previousDir(name)
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if !existed {
		return nil
	}
	if err := os.Rename(prev, dir); err != nil {
		return fmt.Errorf("restoring the previous version of function %s: %w", name, err)
	}
	return nil
}

// objectPath maps a bucket and key to a file, refusing keys that would escape the bucket.
func (s store) objectPath(bucket, key string) (string, error) {
	if bucket == "" || strings.ContainsAny(bucket, `/\`) || bucket == "." || bucket == ".." {
		return "", fmt.Errorf("bucket name %q is not valid", bucket)
	}
	clean := filepath.ToSlash(filepath.Clean("/" + key))[1:]
	if key == "" || clean != key {
		return "", fmt.Errorf("object key %q is not valid", key)
	}
	return filepath.Join(s.root, "storage", bucket, filepath.FromSlash(key)), nil
}

func readJSON(path string, v any) (bool, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return false, fmt.Errorf("reading %s: %w", path, err)
	}
	return true, nil
}

func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(path, append(data, '\n'))
}

// writeFileAtomic writes data to path through a temporary file and a rename.
func writeFileAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".write-")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
