package clienttest

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/lambdabase"
)

// pythonSlimStandIn is a stand-in for Docker Hub's python:<py>-slim-bookworm, which cannot be
// pulled here: Debian bookworm's own minimal userland (debianRootfs: apt-get and dpkg work,
// packages come from deb.debian.org), this machine's python<py> (also bookworm's build
// environment) with its standard library and shared libraries (lambdabase's layer, moved under
// the merged /usr), pip, python3/pip on PATH (/usr/local/bin, as in the real image), and the
// machine's CA bundle at Debian's path with a pip.conf naming it (this machine reaches PyPI
// through a TLS-intercepting egress).
func pythonSlimStandIn(t *testing.T, py string) v1.Image {
	t.Helper()
	lb, err := lambdabase.Image(py)
	if err != nil {
		t.Fatalf("building the stand-in base (needs python%s on PATH, as .ci/run sets): %v", py, err)
	}
	lb = onDebian(t, lb)
	out, err := exec.Command("python"+py, "-c", "import sys, os, pip; print(os.path.realpath(sys.executable)); print(sys.base_prefix); print(os.path.dirname(pip.__file__))").Output()
	if err != nil {
		t.Fatalf("python%s with pip: %v", py, err)
	}
	lines := strings.Fields(string(out))
	exe, prefix, pipDir := lines[0], lines[1], lines[2]
	site := filepath.Join(prefix, "lib", "python"+py, "site-packages")

	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	mtime := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	dirs := map[string]bool{}
	mkdirs := func(p string) {
		var parents []string
		for d := filepath.Dir(p); d != "/" && d != "."; d = filepath.Dir(d) {
			parents = append([]string{d}, parents...)
		}
		for _, d := range parents {
			if !dirs[d] {
				dirs[d] = true
				must(t, tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: strings.TrimPrefix(d, "/") + "/", Mode: 0o755, ModTime: mtime}))
			}
		}
	}
	file := func(p string, data []byte, mode int64) {
		mkdirs(p)
		must(t, tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: strings.TrimPrefix(p, "/"), Mode: mode, Size: int64(len(data)), ModTime: mtime}))
		_, err := tw.Write(data)
		must(t, err)
	}
	link := func(p, target string) {
		mkdirs(p)
		must(t, tw.WriteHeader(&tar.Header{Typeflag: tar.TypeSymlink, Name: strings.TrimPrefix(p, "/"), Linkname: target, Mode: 0o777, ModTime: mtime}))
	}
	// pip, as the real image has it in its site-packages.
	must(t, filepath.WalkDir(pipDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.Contains(p, "__pycache__") {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(pipDir, p)
		file(filepath.Join(site, "pip", rel), data, 0o644)
		return nil
	}))
	for _, n := range []string{"python3", "python", "python" + py} {
		link("/usr/local/bin/"+n, exe)
	}
	for _, n := range []string{"pip", "pip3"} {
		file("/usr/local/bin/"+n, []byte("#!/bin/sh\nexec /usr/local/bin/python3 -m pip \"$@\"\n"), 0o755)
	}
	ca, err := os.ReadFile("/etc/ssl/certs/ca-certificates.crt")
	if err != nil {
		t.Fatalf("this machine's CA bundle: %v", err)
	}
	file("/etc/ssl/certs/ca-certificates.crt", ca, 0o644)
	file("/etc/pip.conf", []byte("[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n"), 0o644)
	must(t, tw.Close())

	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(buf.Bytes())), nil },
		tarball.WithMediaType(types.DockerLayer))
	must(t, err)
	img, err := mutate.Append(lb, mutate.Addendum{Layer: layer, History: v1.History{Created: v1.Time{Time: mtime}, CreatedBy: "clienttest: pip, /usr/local/bin, CA bundle"}})
	must(t, err)
	cf, err := img.ConfigFile()
	must(t, err)
	cf = cf.DeepCopy()
	cf.Config.Entrypoint = nil
	cf.Config.Cmd = []string{"python3"}
	cf.Config.WorkingDir = ""
	cf.Config.Env = []string{"PATH=/usr/local/bin:" + filepath.Join(prefix, "bin") + ":/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8", "PYTHON_VERSION=" + py}
	img, err = mutate.ConfigFile(img, cf)
	must(t, err)
	return img
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// serveImage serves img from a registry on 127.0.0.1 as repo:tag and returns the registry's host.
func serveImage(t *testing.T, img v1.Image, repoTag string) string {
	t.Helper()
	srv := httptest.NewServer(ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	tag, err := name.NewTag(host + "/" + repoTag)
	must(t, err)
	must(t, remote.Write(tag, img))
	return host
}

// buildahSandbox points buildah at storage of the test's own (vfs in a temporary root) and at a
// registries.conf where Docker Hub's official python images come from the stand-in registry
// (plain HTTP on 127.0.0.1), and further plain-HTTP registries are marked insecure.
func buildahSandbox(t *testing.T, pythonRegistry string, insecure ...string) {
	t.Helper()
	if _, err := exec.LookPath("buildah"); err != nil {
		t.Fatal("buildah is not installed (.ci/run installs it)")
	}
	if os.Geteuid() != 0 {
		t.Skip("buildah with chroot isolation needs root here (.ci/run runs as root)")
	}
	dir := t.TempDir()
	storage := filepath.Join(dir, "storage.conf")
	must(t, os.WriteFile(storage, fmt.Appendf(nil, "[storage]\ndriver = \"vfs\"\ngraphroot = %q\nrunroot = %q\n", filepath.Join(dir, "graph"), filepath.Join(dir, "run")), 0o644))
	var regs strings.Builder
	fmt.Fprintf(&regs, "unqualified-search-registries = [\"docker.io\"]\nshort-name-mode = \"permissive\"\n\n")
	fmt.Fprintf(&regs, "[[registry]]\nprefix = \"docker.io/library/python\"\nlocation = %q\ninsecure = true\n\n", pythonRegistry+"/library/python")
	for _, h := range append([]string{pythonRegistry}, insecure...) {
		fmt.Fprintf(&regs, "[[registry]]\nlocation = %q\ninsecure = true\n\n", h)
	}
	conf := filepath.Join(dir, "registries.conf")
	must(t, os.WriteFile(conf, []byte(regs.String()), 0o644))
	t.Setenv("CONTAINERS_STORAGE_CONF", storage)
	t.Setenv("CONTAINERS_REGISTRIES_CONF", conf)
}

// debianRootfs is Debian bookworm's minimal system (mmdebstrap --variant=minbase, from
// deb.debian.org, which this machine reaches), the userland of debian:bookworm-slim, made once
// and cached as a layer tar.
func debianRootfs(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("mmdebstrap"); err != nil {
		t.Fatal("mmdebstrap is needed to build the Debian stand-in base (apt-get install mmdebstrap; .ci/run installs it)")
	}
	dir := cached(t, "debian-bookworm-minbase", []string{"mmdebstrap", "--variant=minbase", "--include=ca-certificates", "bookworm"}, func(dir string) error {
		out, err := exec.Command("mmdebstrap", "--variant=minbase", "--mode=root", "--include=ca-certificates", "bookworm",
			filepath.Join(dir, "rootfs.tar"), "http://deb.debian.org/debian").CombinedOutput()
		if err != nil {
			return fmt.Errorf("mmdebstrap: %w\n%s", err, out)
		}
		return nil
	})
	return filepath.Join(dir, "rootfs.tar")
}

// onDebian puts lambdabase's python (its only layer) on Debian's rootfs: the layer's entries under
// /bin, /lib, /lib64 and /sbin go to /usr, where Debian's merged-/usr symlinks point, so that they
// do not replace those symlinks with directories.
func onDebian(t *testing.T, lb v1.Image) v1.Image {
	t.Helper()
	rootfs := debianRootfs(t)
	debian, err := tarball.LayerFromFile(rootfs, tarball.WithMediaType(types.DockerLayer))
	must(t, err)
	layers, err := lb.Layers()
	must(t, err)
	rc, err := layers[0].Uncompressed()
	must(t, err)
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
		must(t, err)
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
		must(t, err)
		if _, ok := entries[name]; !ok {
			order = append(order, name)
		}
		entries[name] = entry{h, data}
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, name := range order {
		e := entries[name]
		must(t, tw.WriteHeader(e.h))
		_, err := tw.Write(e.data)
		must(t, err)
	}
	must(t, tw.Close())
	python, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(buf.Bytes())), nil },
		tarball.WithMediaType(types.DockerLayer))
	must(t, err)
	cf, err := lb.ConfigFile()
	must(t, err)
	img, err := mutate.AppendLayers(empty.Image, debian, python)
	must(t, err)
	img = mutate.MediaType(img, types.DockerManifestSchema2)
	img = mutate.ConfigMediaType(img, types.DockerConfigJSON)
	ncf, err := img.ConfigFile()
	must(t, err)
	ncf = ncf.DeepCopy()
	ncf.OS, ncf.Architecture, ncf.Config = cf.OS, cf.Architecture, cf.Config
	img, err = mutate.ConfigFile(img, ncf)
	must(t, err)
	return img
}
