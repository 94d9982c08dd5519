// Package pythonbase builds, for tests, a stand-in for Docker Hub's python:<py>-slim-bookworm,
// which cannot be pulled here: Debian bookworm's own minimal userland (mmdebstrap
// --variant=minbase from deb.debian.org: apt-get and dpkg work), this machine's python<py> (also
// bookworm's build environment) with its standard library and shared libraries (lambdabase's
// layer, moved under the merged /usr), pip, python3/pip on PATH (/usr/local/bin, as in the real
// image), and the machine's CA bundle at Debian's path with a pip.conf naming it (this machine
// reaches PyPI through a TLS-intercepting egress). Optionally with Python packages preinstalled
// (WithPackages), so that a Dockerfile's `RUN pip install` of them is satisfied without PyPI.
//
// The image is made once per machine and kept on disk (an OCI layout under the test cache
// directory, layers compressed), and once per process in memory: the first test run pays
// mmdebstrap and the compression, later ones read the layout.
package pythonbase

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/lambdabase"
)

// format changes when what Image makes changes, so that older cached images are not reused.
const format = "pythonbase-1"

// userCacheDir is the user cache directory as the process started with it: captured when the
// package is initialised, before a TestMain points XDG_CACHE_HOME at a run's own directory (as
// internal/cli's does for the tool's build cache), so that the base stays cached across runs.
var userCacheDir, userCacheErr = os.UserCacheDir()

// CacheDir is the root of the tests' caches: $LITHOPS_RUNTIME_TEST_CACHE, else
// <user cache dir>/lithops-runtime-action-tests.
func CacheDir() (string, error) {
	if d := os.Getenv("LITHOPS_RUNTIME_TEST_CACHE"); d != "" {
		return d, nil
	}
	if userCacheErr != nil {
		return "", fmt.Errorf("no user cache directory (set LITHOPS_RUNTIME_TEST_CACHE): %w", userCacheErr)
	}
	return filepath.Join(userCacheDir, "lithops-runtime-action-tests"), nil
}

var (
	mu    sync.Mutex
	built = map[string]v1.Image{}
)

// Image returns the stand-in for python:<py>-slim-bookworm with packages (pip requirement
// specifiers) preinstalled in its site-packages (their console scripts in /usr/local/bin), made
// once per machine. With packages, /etc/pip.conf also says no-index: a `pip install` in a build
// on it is satisfied by what is installed, or fails naming what is missing, never reaching PyPI.
// The first call on a machine needs mmdebstrap and deb.debian.org, and PyPI for the packages.
func Image(py string, packages ...string) (v1.Image, error) {
	mu.Lock()
	defer mu.Unlock()
	key := strings.Join(append([]string{py}, packages...), "\x00")
	if img, ok := built[key]; ok {
		return img, nil
	}
	img, err := cachedImage(py, packages)
	if err != nil {
		return nil, err
	}
	built[key] = img
	return img, nil
}

// cachedImage reads the image from its OCI layout in the cache, making it first if needed.
func cachedImage(py string, packages []string) (v1.Image, error) {
	host, err := hostPython(py)
	if err != nil {
		return nil, err
	}
	ca, err := os.ReadFile("/etc/ssl/certs/ca-certificates.crt")
	if err != nil {
		return nil, fmt.Errorf("this machine's CA bundle: %w", err)
	}
	caSum := sha256.Sum256(ca)
	what := append([]string{format, py, host.exe, host.stamp, host.pipDir, hex.EncodeToString(caSum[:])}, packages...)
	root, err := CacheDir()
	if err != nil {
		return nil, err
	}
	dir, err := cached(filepath.Join(root, "pythonbase"), "python"+py+"-slim-bookworm", what, func(dir string) error {
		img, err := build(py, host, ca, packages)
		if err != nil {
			return err
		}
		p, err := layout.Write(dir, empty.Index)
		if err != nil {
			return err
		}
		return p.AppendImage(img)
	})
	if err != nil {
		return nil, err
	}
	p, err := layout.FromPath(dir)
	if err != nil {
		return nil, err
	}
	idx, err := p.ImageIndex()
	if err != nil {
		return nil, err
	}
	m, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	if len(m.Manifests) != 1 {
		return nil, fmt.Errorf("the cached image %s has %d manifests, want 1: remove the directory", dir, len(m.Manifests))
	}
	return idx.Image(m.Manifests[0].Digest)
}

// python is what the image takes of this machine's python<py>.
type python struct {
	exe, prefix, pipDir string
	stamp               string // the executable's size and modification time, pip's version
}

func hostPython(py string) (python, error) {
	out, err := exec.Command("python"+py, "-c", "import sys, os, pip; print(os.path.realpath(sys.executable)); print(sys.base_prefix); print(os.path.dirname(pip.__file__)); print(pip.__version__)").Output()
	if err != nil {
		return python{}, fmt.Errorf("python%s with pip (on PATH, as .ci/run sets): %w", py, err)
	}
	lines := strings.Fields(string(out))
	if len(lines) != 4 {
		return python{}, fmt.Errorf("python%s: unexpected answer %q", py, out)
	}
	fi, err := os.Stat(lines[0])
	if err != nil {
		return python{}, err
	}
	return python{exe: lines[0], prefix: lines[1], pipDir: lines[2], stamp: fmt.Sprint(fi.Size(), fi.ModTime().UnixNano(), " pip ", lines[3])}, nil
}

// mtime is the modification time of the files the stand-in adds.
var mtime = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func build(py string, host python, ca []byte, packages []string) (v1.Image, error) {
	lb, err := lambdabase.Image(py)
	if err != nil {
		return nil, fmt.Errorf("building lambdabase's python layer: %w", err)
	}
	img, err := onDebian(lb)
	if err != nil {
		return nil, err
	}
	site := filepath.Join(host.prefix, "lib", "python"+py, "site-packages")
	tw := newTarWriter()
	// pip, as the real image has it in its site-packages.
	if err := filepath.WalkDir(host.pipDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.Contains(p, "__pycache__") {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(host.pipDir, p)
		return tw.file(filepath.Join(site, "pip", rel), data, 0o644)
	}); err != nil {
		return nil, err
	}
	for _, n := range []string{"python3", "python", "python" + py} {
		if err := tw.link("/usr/local/bin/"+n, host.exe); err != nil {
			return nil, err
		}
	}
	for _, n := range []string{"pip", "pip3"} {
		if err := tw.file("/usr/local/bin/"+n, []byte("#!/bin/sh\nexec /usr/local/bin/python3 -m pip \"$@\"\n"), 0o755); err != nil {
			return nil, err
		}
	}
	pipConf := "[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n"
	if len(packages) > 0 {
		pipConf += "no-index = true\n"
	}
	if err := errors.Join(tw.file("/etc/ssl/certs/ca-certificates.crt", ca, 0o644), tw.file("/etc/pip.conf", []byte(pipConf), 0o644)); err != nil {
		return nil, err
	}
	if img, err = tw.append(img, "pythonbase: pip, /usr/local/bin, CA bundle"); err != nil {
		return nil, err
	}
	if len(packages) > 0 {
		if img, err = withPackages(img, py, site, packages); err != nil {
			return nil, err
		}
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.Config.Entrypoint = nil
	cf.Config.Cmd = []string{"python3"}
	cf.Config.WorkingDir = ""
	cf.Config.Env = []string{"PATH=/usr/local/bin:" + filepath.Join(host.prefix, "bin") + ":/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8", "PYTHON_VERSION=" + py}
	return mutate.ConfigFile(img, cf)
}

// withPackages adds a layer with packages pip-installed (this machine's python<py>, from PyPI;
// this machine is bookworm too, so compiled wheels fit) into site, their scripts in
// /usr/local/bin running /usr/local/bin/python3.
func withPackages(img v1.Image, py, site string, packages []string) (v1.Image, error) {
	tmp, err := os.MkdirTemp("", "pythonbase-packages-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	target := filepath.Join(tmp, "site")
	cmd := exec.Command("python"+py, append([]string{"-m", "pip", "install", "--disable-pip-version-check", "--no-input", "--quiet",
		"--no-warn-script-location", "--target", target}, packages...)...)
	// PyPI, whatever the test set for its own pip runs.
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); !strings.HasPrefix(k, "PIP_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "PIP_CONFIG_FILE="+os.DevNull)
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("pip install %s (python%s, from PyPI; needed once, then cached): %w\n%s", strings.Join(packages, " "), py, err, out)
	}
	tw := newTarWriter()
	var paths []string
	if err := filepath.WalkDir(target, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			paths = append(paths, p)
		}
		return err
	}); err != nil {
		return nil, err
	}
	slices.Sort(paths)
	for _, p := range paths {
		rel, _ := filepath.Rel(target, p)
		fi, err := os.Lstat(p)
		if err != nil {
			return nil, err
		}
		if fi.Mode()&os.ModeSymlink != 0 {
			dest, err := os.Readlink(p)
			if err != nil {
				return nil, err
			}
			if err := tw.link(filepath.Join(site, rel), dest); err != nil {
				return nil, err
			}
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		dst, mode := filepath.Join(site, rel), int64(0o644)
		if fi.Mode()&0o111 != 0 {
			mode = 0o755
		}
		if script, ok := strings.CutPrefix(rel, "bin"+string(filepath.Separator)); ok {
			// A console script: its #! names the python that installed it.
			dst, mode = "/usr/local/bin/"+script, 0o755
			if bytes.HasPrefix(data, []byte("#!")) {
				if i := bytes.IndexByte(data, '\n'); i > 0 {
					data = append([]byte("#!/usr/local/bin/python3"), data[i:]...)
				}
			}
		}
		if err := tw.file(dst, data, mode); err != nil {
			return nil, err
		}
	}
	return tw.append(img, "pythonbase: pip install "+strings.Join(packages, " "))
}

// tarWriter builds one layer in memory, with the parent directories of its entries.
type tarWriter struct {
	buf  bytes.Buffer
	tw   *tar.Writer
	dirs map[string]bool
}

func newTarWriter() *tarWriter {
	w := &tarWriter{dirs: map[string]bool{}}
	w.tw = tar.NewWriter(&w.buf)
	return w
}

func (w *tarWriter) mkdirs(p string) error {
	var parents []string
	for d := filepath.Dir(p); d != "/" && d != "."; d = filepath.Dir(d) {
		parents = append([]string{d}, parents...)
	}
	for _, d := range parents {
		if !w.dirs[d] {
			w.dirs[d] = true
			if err := w.tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: strings.TrimPrefix(d, "/") + "/", Mode: 0o755, ModTime: mtime}); err != nil {
				return err
			}
		}
	}
	return nil
}

func (w *tarWriter) file(p string, data []byte, mode int64) error {
	if err := w.mkdirs(p); err != nil {
		return err
	}
	if err := w.tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: strings.TrimPrefix(p, "/"), Mode: mode, Size: int64(len(data)), ModTime: mtime}); err != nil {
		return err
	}
	_, err := w.tw.Write(data)
	return err
}

func (w *tarWriter) link(p, target string) error {
	if err := w.mkdirs(p); err != nil {
		return err
	}
	return w.tw.WriteHeader(&tar.Header{Typeflag: tar.TypeSymlink, Name: strings.TrimPrefix(p, "/"), Linkname: target, Mode: 0o777, ModTime: mtime})
}

// append closes the layer and appends it to img.
func (w *tarWriter) append(img v1.Image, createdBy string) (v1.Image, error) {
	if err := w.tw.Close(); err != nil {
		return nil, err
	}
	data := w.buf.Bytes()
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil },
		tarball.WithMediaType(types.DockerLayer))
	if err != nil {
		return nil, err
	}
	return mutate.Append(img, mutate.Addendum{Layer: layer, History: v1.History{Created: v1.Time{Time: mtime}, CreatedBy: createdBy}})
}

// debianRootfs is Debian bookworm's minimal system (mmdebstrap --variant=minbase, from
// deb.debian.org, which this machine reaches), the userland of debian:bookworm-slim, made once
// and cached as a layer tar. It is kept where internal/clienttest kept it before this package
// existed (<cache>/clienttest/debian-bookworm-minbase-<hash>), so that caches stay valid.
func debianRootfs() (string, error) {
	if _, err := exec.LookPath("mmdebstrap"); err != nil {
		return "", fmt.Errorf("mmdebstrap is needed to build the Debian stand-in base (apt-get install mmdebstrap; .ci/run installs it)")
	}
	root, err := CacheDir()
	if err != nil {
		return "", err
	}
	dir, err := cached(filepath.Join(root, "clienttest"), "debian-bookworm-minbase", []string{"mmdebstrap", "--variant=minbase", "--include=ca-certificates", "bookworm"}, func(dir string) error {
		out, err := exec.Command("mmdebstrap", "--variant=minbase", "--mode=root", "--include=ca-certificates", "bookworm",
			filepath.Join(dir, "rootfs.tar"), "http://deb.debian.org/debian").CombinedOutput()
		if err != nil {
			return fmt.Errorf("mmdebstrap: %w\n%s", err, out)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "rootfs.tar"), nil
}

// onDebian puts lambdabase's python (its only layer) on Debian's rootfs: the layer's entries under
// /bin, /lib, /lib64 and /sbin go to /usr, where Debian's merged-/usr symlinks point, so that they
// do not replace those symlinks with directories.
func onDebian(lb v1.Image) (v1.Image, error) {
	rootfs, err := debianRootfs()
	if err != nil {
		return nil, err
	}
	debian, err := tarball.LayerFromFile(rootfs, tarball.WithMediaType(types.DockerLayer))
	if err != nil {
		return nil, err
	}
	layers, err := lb.Layers()
	if err != nil {
		return nil, err
	}
	rc, err := layers[0].Uncompressed()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	type entry struct {
		h    *tar.Header
		data []byte
	}
	var order []string
	entries := map[string]entry{} // a path moved to /usr may be there already: one entry each
	tr := tar.NewReader(rc)
	merged := map[string]bool{"bin": true, "lib": true, "lib64": true, "sbin": true}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		name := strings.TrimPrefix(h.Name, "./")
		first, _, _ := strings.Cut(name, "/")
		if merged[first] {
			if h.Typeflag == tar.TypeDir && strings.TrimSuffix(name, "/") == first {
				continue
			}
			name = "usr/" + name
		}
		h.Name = name
		data, err := io.ReadAll(tr)
		if err != nil {
			return nil, err
		}
		if _, ok := entries[name]; !ok {
			order = append(order, name)
		}
		entries[name] = entry{h, data}
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, name := range order {
		e := entries[name]
		if err := tw.WriteHeader(e.h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(e.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	python, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(buf.Bytes())), nil },
		tarball.WithMediaType(types.DockerLayer))
	if err != nil {
		return nil, err
	}
	cf, err := lb.ConfigFile()
	if err != nil {
		return nil, err
	}
	img, err := mutate.AppendLayers(empty.Image, debian, python)
	if err != nil {
		return nil, err
	}
	img = mutate.MediaType(img, types.DockerManifestSchema2)
	img = mutate.ConfigMediaType(img, types.DockerConfigJSON)
	ncf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	ncf = ncf.DeepCopy()
	ncf.OS, ncf.Architecture, ncf.Config = cf.OS, cf.Architecture, cf.Config
	return mutate.ConfigFile(img, ncf)
}

// cached returns root/<name>-<hash of what>, creating it with make (into a scratch directory,
// renamed into place when complete, so that an interrupted or concurrent run never leaves or
// reads a half-made one).
func cached(root, name string, what []string, make func(dir string) error) (string, error) {
	sum := sha256.Sum256([]byte(strings.Join(what, "\x00")))
	dir := filepath.Join(root, name+"-"+hex.EncodeToString(sum[:])[:12])
	if _, err := os.Stat(filepath.Join(dir, ".complete")); err == nil {
		return dir, nil
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return "", err
	}
	scratch, err := os.MkdirTemp(root, name+".tmp-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(scratch)
	if err := make(scratch); err != nil {
		return "", fmt.Errorf("preparing %s (%v): %w", name, what, err)
	}
	if err := os.WriteFile(filepath.Join(scratch, ".complete"), nil, 0o644); err != nil {
		return "", err
	}
	if err := os.Rename(scratch, dir); err != nil {
		if _, serr := os.Stat(filepath.Join(dir, ".complete")); serr == nil {
			return dir, nil // another run made it meanwhile
		}
		return "", err
	}
	return dir, nil
}
