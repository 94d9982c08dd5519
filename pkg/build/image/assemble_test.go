package image

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/google/go-containerregistry/pkg/v1/validate"
)

// asmFamily is a manifest media type family: the manifest, config and layer media types.
type asmFamily struct {
	name     string
	manifest types.MediaType
	config   types.MediaType
	layer    types.MediaType
}

var (
	asmDocker = asmFamily{name: "docker", manifest: types.DockerManifestSchema2, config: types.DockerConfigJSON, layer: types.DockerLayer}
	asmOCI    = asmFamily{name: "oci", manifest: types.OCIManifestSchema1, config: types.OCIConfigJSON, layer: types.OCILayer}
)

// asmBaseImage returns a Lambda-like base image of the given family and architecture with one layer
// holding a couple of files.
func asmBaseImage(t testing.TB, fam asmFamily, arch string) v1.Image {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range []struct{ name, content string }{
		{"lambda-entrypoint.sh", "#!/bin/sh\nexec /usr/local/bin/aws-lambda-rie \"$@\"\n"},
		{"var/runtime/bootstrap", "#!/bin/sh\n"},
	} {
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: 0o755, Size: int64(len(f.content)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(f.content)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	}, tarball.WithMediaType(fam.layer))
	if err != nil {
		t.Fatal(err)
	}
	img := mutate.MediaType(empty.Image, fam.manifest)
	img = mutate.ConfigMediaType(img, fam.config)
	img, err = mutate.ConfigFile(img, &v1.ConfigFile{
		Architecture: arch,
		OS:           "linux",
		RootFS:       v1.RootFS{Type: "layers"},
		Config: v1.Config{
			Entrypoint: []string{"/lambda-entrypoint.sh"},
			Env:        []string{"PATH=/usr/local/bin:/usr/bin", "LAMBDA_TASK_ROOT=/var/task"},
			WorkingDir: "/var/task",
			Labels:     map[string]string{"vendor": "base"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	img, err = mutate.Append(img, mutate.Addendum{Layer: plainLayer{layer}, History: v1.History{CreatedBy: "base layer"}})
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// asmTrees writes a dependencies directory and a code directory under root.
func asmTrees(t testing.TB, root string) (deps, code string) {
	t.Helper()
	deps, code = filepath.Join(root, "deps"), filepath.Join(root, "code")
	asmWriteTree(t, deps, []asmFile{
		{path: "numpy/__init__.py", content: "from .core import *\n"},
		{path: "numpy/core.py", content: "def f(): return 1\n"},
		{path: "numpy/__pycache__/core.cpython-312.pyc", content: "bytecode"},
		{path: "bin/f2py", content: "#!/usr/bin/env python3\n", mode: 0o755},
		{path: "numpy/libs/libopenblas.so", content: "\x7fELF...", mode: 0o755},
		{path: "numpy/libs/libopenblas.so.0", link: "libopenblas.so"},
	})
	asmWriteTree(t, code, []asmFile{
		{path: "handler.py", content: "def handler(event, context):\n    return event\n"},
		{path: "lithops/__init__.py", content: "__version__ = '3.6.0'\n"},
		{path: "lithops/__init__.pyc", content: "bytecode"},
	})
	return deps, code
}

// asmSpec is the spec the tests assemble from the directories of asmTrees.
func asmSpec(base v1.Image, deps, code string) Spec {
	return Spec{
		Base:     base,
		Platform: v1.Platform{OS: "linux", Architecture: "amd64"},
		Layers: []LayerSpec{
			{Dir: deps, Target: "/var/task", Comment: "lithops-runtime-action: dependencies"},
			{Dir: code, Target: "/var/task", Comment: "lithops-runtime-action: code"},
		},
		Cmd:     []string{"handler.handler"},
		Env:     []string{"LAMBDA_TASK_ROOT=/var/task", "PYTHONPATH=/var/task", "PATH=/var/task/bin:/usr/local/bin:/usr/bin"},
		Labels:  map[string]string{"org.opencontainers.image.source": "https://github.com/example/runtime"},
		ModTime: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC),
	}
}

func asmAssemble(t testing.TB, spec Spec, opts ...Option) v1.Image {
	t.Helper()
	img, err := Assemble(context.Background(), spec, opts...)
	if err != nil {
		t.Fatalf("Assemble: %v", err)
	}
	return img
}

func asmDigest(t testing.TB, img v1.Image) v1.Hash {
	t.Helper()
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// asmCopyTree copies the directory src to dst, giving every file and directory the given mtime,
// owner and (for the non-executable bits) odd permissions, to check none of it leaks into the image.
func asmCopyTree(t testing.TB, src, dst string, mtime time.Time, uid int) {
	t.Helper()
	err := filepath.Walk(src, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		switch {
		case fi.Mode()&os.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			if err := os.Symlink(link, target); err != nil {
				return err
			}
			return os.Lchown(target, uid, uid)
		case fi.IsDir():
			if err := os.MkdirAll(target, 0o700); err != nil {
				return err
			}
		default:
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			mode := os.FileMode(0o600)
			if fi.Mode()&0o111 != 0 {
				mode = 0o700
			}
			if err := os.WriteFile(target, data, mode); err != nil {
				return err
			}
		}
		if err := os.Lchown(target, uid, uid); err != nil && !errors.Is(err, os.ErrPermission) {
			return err
		}
		return os.Chtimes(target, mtime, mtime)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestAssembleReproducible(t *testing.T) {
	base := asmBaseImage(t, asmDocker, "amd64")
	root := t.TempDir()
	deps, code := asmTrees(t, root)
	first := asmDigest(t, asmAssemble(t, asmSpec(base, deps, code)))

	t.Run("same directories", func(t *testing.T) {
		if got := asmDigest(t, asmAssemble(t, asmSpec(base, deps, code))); got != first {
			t.Errorf("digest = %s, want %s as in the first build", got, first)
		}
	})
	t.Run("copy elsewhere with other mtimes, owners and modes", func(t *testing.T) {
		other := t.TempDir()
		otherDeps, otherCode := filepath.Join(other, "x", "deps"), filepath.Join(other, "y", "code")
		asmCopyTree(t, deps, otherDeps, time.Date(2031, 7, 8, 9, 10, 11, 0, time.UTC), 1234)
		asmCopyTree(t, code, otherCode, time.Unix(12345, 0), 4321)
		if got := asmDigest(t, asmAssemble(t, asmSpec(base, otherDeps, otherCode))); got != first {
			t.Errorf("digest = %s, want %s as in the first build", got, first)
		}
	})
	t.Run("one byte changed", func(t *testing.T) {
		other := t.TempDir()
		otherDeps, otherCode := filepath.Join(other, "deps"), filepath.Join(other, "code")
		asmCopyTree(t, deps, otherDeps, time.Unix(0, 0), 0)
		asmCopyTree(t, code, otherCode, time.Unix(0, 0), 0)
		if got := asmDigest(t, asmAssemble(t, asmSpec(base, otherDeps, otherCode))); got != first {
			t.Fatalf("digest of an unchanged copy = %s, want %s", got, first)
		}
		p := filepath.Join(otherCode, "handler.py")
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		data[len(data)-2] = 'X'
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if got := asmDigest(t, asmAssemble(t, asmSpec(base, otherDeps, otherCode))); got == first {
			t.Errorf("digest = %s after changing a byte of handler.py, want a different one", got)
		}
	})
	t.Run("other mod time", func(t *testing.T) {
		spec := asmSpec(base, deps, code)
		spec.ModTime = spec.ModTime.Add(time.Second)
		if got := asmDigest(t, asmAssemble(t, spec)); got == first {
			t.Errorf("digest = %s with another ModTime, want a different one", got)
		}
	})
	t.Run("sub-second mod time truncated", func(t *testing.T) {
		spec := asmSpec(base, deps, code)
		spec.ModTime = spec.ModTime.Add(999 * time.Millisecond)
		if got := asmDigest(t, asmAssemble(t, spec)); got != first {
			t.Errorf("digest = %s, want %s as the second is the same", got, first)
		}
	})
}

func TestAssembleImage(t *testing.T) {
	for _, fam := range []asmFamily{asmDocker, asmOCI} {
		t.Run(fam.name, func(t *testing.T) {
			base := asmBaseImage(t, fam, "amd64")
			deps, code := asmTrees(t, t.TempDir())
			spec := asmSpec(base, deps, code)
			img := asmAssemble(t, spec)

			if err := validate.Image(img); err != nil {
				t.Fatalf("validate.Image: %v", err)
			}

			manifest, err := img.Manifest()
			if err != nil {
				t.Fatal(err)
			}
			var gotTypes []types.MediaType
			for _, l := range manifest.Layers {
				gotTypes = append(gotTypes, l.MediaType)
			}
			wantTypes := []types.MediaType{fam.layer, fam.layer, fam.layer}
			if diff := cmp.Diff(wantTypes, gotTypes); diff != "" {
				t.Errorf("layer media types (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(
				[]types.MediaType{fam.manifest, fam.config},
				[]types.MediaType{manifest.MediaType, manifest.Config.MediaType}); diff != "" {
				t.Errorf("manifest and config media types (-want +got):\n%s", diff)
			}
			if mt, err := img.MediaType(); err != nil || mt != fam.manifest {
				t.Errorf("img.MediaType() = %q, %v, want %q", mt, err, fam.manifest)
			}

			cfg, err := img.ConfigFile()
			if err != nil {
				t.Fatal(err)
			}
			modTime := v1.Time{Time: spec.ModTime}
			want := &v1.ConfigFile{
				Architecture: "amd64",
				OS:           "linux",
				Created:      modTime,
				RootFS:       v1.RootFS{Type: "layers"},
				History: []v1.History{
					{CreatedBy: "base layer"},
					{Created: modTime, CreatedBy: "lithops-runtime-action: dependencies"},
					{Created: modTime, CreatedBy: "lithops-runtime-action: code"},
				},
				Config: v1.Config{
					Entrypoint: []string{"/lambda-entrypoint.sh"},
					Cmd:        []string{"handler.handler"},
					WorkingDir: "/var/task",
					Env: []string{
						"PATH=/var/task/bin:/usr/local/bin:/usr/bin",
						"LAMBDA_TASK_ROOT=/var/task",
						"PYTHONPATH=/var/task",
					},
					Labels: map[string]string{
						"vendor":                          "base",
						"org.opencontainers.image.source": "https://github.com/example/runtime",
					},
				},
			}
			got := cfg.DeepCopy()
			got.RootFS.DiffIDs = nil
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("config (-want +got):\n%s", diff)
			}
			if n := len(cfg.RootFS.DiffIDs); n != 3 {
				t.Errorf("config has %d diff IDs, want 3", n)
			}

			layers, err := img.Layers()
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, e := range asmReadLayer(t, layers[1]) {
				names = append(names, e.Name)
				if !e.ModTime.Equal(spec.ModTime) {
					t.Errorf("%s has mtime %v, want %v", e.Name, e.ModTime, spec.ModTime)
				}
			}
			wantNames := []string{
				"var/", "var/task/", "var/task/bin/", "var/task/bin/f2py", "var/task/numpy/",
				"var/task/numpy/__init__.py", "var/task/numpy/core.py", "var/task/numpy/libs/",
				"var/task/numpy/libs/libopenblas.so", "var/task/numpy/libs/libopenblas.so.0",
			}
			if diff := cmp.Diff(wantNames, names); diff != "" {
				t.Errorf("dependencies layer entries (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAssembleConfigChanges(t *testing.T) {
	base := asmBaseImage(t, asmDocker, "amd64")
	amd64 := v1.Platform{OS: "linux", Architecture: "amd64"}
	tests := []struct {
		name string
		spec Spec
		want v1.Config
	}{
		{
			name: "nothing changed keeps the base's",
			spec: Spec{Base: base, Platform: amd64},
			want: v1.Config{
				Entrypoint: []string{"/lambda-entrypoint.sh"},
				Env:        []string{"PATH=/usr/local/bin:/usr/bin", "LAMBDA_TASK_ROOT=/var/task"},
				WorkingDir: "/var/task",
				Labels:     map[string]string{"vendor": "base"},
			},
		},
		{
			name: "everything replaced",
			spec: Spec{
				Base: base, Platform: amd64,
				Entrypoint: []string{"python3", "-m", "lithops.worker"},
				Cmd:        []string{},
				WorkingDir: "/app",
				Env:        []string{"PATH=/bin", "EMPTY=", "A=b=c"},
				Labels:     map[string]string{"vendor": "lithops"},
			},
			want: v1.Config{
				Entrypoint: []string{"python3", "-m", "lithops.worker"},
				Env:        []string{"PATH=/bin", "LAMBDA_TASK_ROOT=/var/task", "EMPTY=", "A=b=c"},
				WorkingDir: "/app",
				Labels:     map[string]string{"vendor": "lithops"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img := asmAssemble(t, tt.spec)
			cfg, err := img.ConfigFile()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, cfg.Config); diff != "" {
				t.Errorf("config (-want +got):\n%s", diff)
			}
			if want := defaultModTime(); !cfg.Created.Time.Equal(want) {
				t.Errorf("created = %v, want %v", cfg.Created.Time, want)
			}
			if err := validate.Image(img); err != nil {
				t.Errorf("validate.Image: %v", err)
			}
		})
	}
}

func TestAssembleErrors(t *testing.T) {
	amd64 := v1.Platform{OS: "linux", Architecture: "amd64"}
	armBase := asmBaseImage(t, asmDocker, "arm64")
	base := asmBaseImage(t, asmDocker, "amd64")
	schema1 := mutate.MediaType(base, types.DockerManifestSchema1)
	dir := t.TempDir()
	asmWriteTree(t, dir, []asmFile{{path: "x.py", content: "x"}, {path: "bad", link: "../../etc"}})
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()

	tests := []struct {
		name    string
		ctx     context.Context
		spec    Spec
		opts    []Option
		wantErr string
	}{
		{name: "platform mismatch", spec: Spec{Base: armBase, Platform: amd64},
			wantErr: "checking the base image platform: the base image is linux/arm64, not linux/amd64"},
		{name: "no base", spec: Spec{Platform: amd64}, wantErr: "no base image given"},
		{name: "no platform", spec: Spec{Base: base}, wantErr: "no target platform given"},
		{name: "schema 1 base", spec: Spec{Base: schema1, Platform: amd64},
			wantErr: `the base image manifest has media type "application/vnd.docker.distribution.manifest.v1+json"`},
		{name: "bad env", spec: Spec{Base: base, Platform: amd64, Env: []string{"NOVALUE"}},
			wantErr: `environment variable "NOVALUE" is not KEY=VALUE`},
		{name: "escaping link", spec: Spec{Base: base, Platform: amd64, Layers: []LayerSpec{{Dir: dir, Target: "/var/task"}}},
			wantErr: filepath.Join(dir, "bad")},
		{name: "bad compression level", spec: Spec{Base: base, Platform: amd64}, opts: []Option{WithCompressionLevel(12)},
			wantErr: "gzip compression level 12 is out of range"},
		{name: "cancelled", ctx: cancelled, spec: Spec{Base: base, Platform: amd64, Layers: []LayerSpec{{Dir: dir, Target: "/var/task"}}},
			wantErr: context.Canceled.Error()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := tt.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			img, err := Assemble(ctx, tt.spec, tt.opts...)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Assemble error = %v, want it to contain %q", err, tt.wantErr)
			}
			if img != nil {
				t.Errorf("Assemble returned an image with the error")
			}
		})
	}
}

// TestAssembleOutlivesContext checks that an image assembled under a context that is done later
// can still be read (as remote.Write does after the build step returned).
func TestAssembleOutlivesContext(t *testing.T) {
	base := asmBaseImage(t, asmDocker, "amd64")
	deps, code := asmTrees(t, t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	img, err := Assemble(ctx, asmSpec(base, deps, code))
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := validate.Image(img); err != nil {
		t.Fatalf("validate.Image after the context was cancelled: %v", err)
	}
}

func TestAssembleLogs(t *testing.T) {
	base := asmBaseImage(t, asmDocker, "amd64")
	deps, code := asmTrees(t, t.TempDir())
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	asmAssemble(t, asmSpec(base, deps, code), WithLogger(logger))
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if !strings.Contains(line, ` level=DEBUG msg="built image layer" `) {
			t.Errorf("log line %q is not a debug record about a built layer", line)
		}
		for _, field := range []string{"dir=", "target=", "entries="} {
			i := strings.Index(line, field)
			if i < 0 {
				t.Fatalf("log line %q has no %s", line, field)
			}
			value, _, _ := strings.Cut(line[i:], " ")
			got = append(got, value)
		}
	}
	want := []string{
		"dir=" + deps, "target=/var/task", "entries=10",
		"dir=" + code, "target=/var/task", "entries=5",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("log records (-want +got):\n%s", diff)
	}
}

func TestAssembleCompressionLevel(t *testing.T) {
	base := asmBaseImage(t, asmDocker, "amd64")
	deps, code := asmTrees(t, t.TempDir())
	spec := asmSpec(base, deps, code)
	fast := asmAssemble(t, spec)
	best := asmAssemble(t, spec, WithCompressionLevel(9))
	if err := validate.Image(best); err != nil {
		t.Fatalf("validate.Image: %v", err)
	}
	fastCfg, err := fast.ConfigName()
	if err != nil {
		t.Fatal(err)
	}
	bestCfg, err := best.ConfigName()
	if err != nil {
		t.Fatal(err)
	}
	// The uncompressed layers (diff IDs, in the config) are the same; the compressed ones differ.
	if fastCfg != bestCfg {
		t.Errorf("config digest %s at level 9, want %s as at the default level", bestCfg, fastCfg)
	}
	if asmDigest(t, fast) == asmDigest(t, best) {
		t.Errorf("manifest digests are the same at levels %d and 9, want them to differ", DefaultCompressionLevel)
	}
}

func TestAssemblePush(t *testing.T) {
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")

	for _, fam := range []asmFamily{asmDocker, asmOCI} {
		t.Run(fam.name, func(t *testing.T) {
			deps, code := asmTrees(t, t.TempDir())
			img := asmAssemble(t, asmSpec(asmBaseImage(t, fam, "amd64"), deps, code))
			ref, err := name.ParseReference(fmt.Sprintf("%s/lithops/runtime:%s", host, fam.name))
			if err != nil {
				t.Fatal(err)
			}
			if err := remote.Write(ref, img); err != nil {
				t.Fatalf("remote.Write: %v", err)
			}
			pulled, err := remote.Image(ref)
			if err != nil {
				t.Fatalf("remote.Image: %v", err)
			}
			if got, want := asmDigest(t, pulled), asmDigest(t, img); got != want {
				t.Errorf("pulled digest = %s, want the pushed %s", got, want)
			}
			if mt, err := pulled.MediaType(); err != nil || mt != fam.manifest {
				t.Errorf("pulled media type = %q, %v, want %q", mt, err, fam.manifest)
			}
			if err := validate.Image(pulled); err != nil {
				t.Errorf("validate.Image(pulled): %v", err)
			}
		})
	}
}

// BenchmarkAssemble assembles a generated tree of 2000 small files (about 8 MB of Python-like
// text) into one layer, which reads and tars the tree twice and gzips it once, at the default
// gzip level and at gzip.DefaultCompression, and reports the compressed/uncompressed size ratio.
func BenchmarkAssemble(b *testing.B) {
	dir := b.TempDir()
	rng := rand.New(rand.NewPCG(1, 2))
	words := []string{"def", "return", "import", "self", "numpy", "lambda", "value", "for", "in", "if", "else", "class", "\n    ", "(", ")", ":", "0x1f", "data"}
	var total int64
	for i := range 2000 {
		var sb strings.Builder
		for sb.Len() < 2048+rng.IntN(4096) {
			sb.WriteString(words[rng.IntN(len(words))])
			sb.WriteByte(' ')
		}
		p := filepath.Join(dir, fmt.Sprintf("pkg%02d", i%40), fmt.Sprintf("sub%d", i%7), fmt.Sprintf("mod%04d.py", i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(sb.String()), 0o644); err != nil {
			b.Fatal(err)
		}
		total += int64(sb.Len())
	}
	base := asmBaseImage(b, asmDocker, "amd64")
	spec := Spec{
		Base:     base,
		Platform: v1.Platform{OS: "linux", Architecture: "amd64"},
		Layers:   []LayerSpec{{Dir: dir, Target: "/var/task", Comment: "bench"}},
	}
	for _, level := range []int{DefaultCompressionLevel, gzip.DefaultCompression} {
		b.Run(fmt.Sprintf("level=%d", level), func(b *testing.B) {
			b.SetBytes(total)
			b.ReportAllocs()
			var img v1.Image
			for b.Loop() {
				var err error
				if img, err = Assemble(context.Background(), spec, WithCompressionLevel(level)); err != nil {
					b.Fatal(err)
				}
			}
			layers, err := img.Layers()
			if err != nil {
				b.Fatal(err)
			}
			size, err := layers[len(layers)-1].Size()
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(size)/float64(total), "gzip-ratio")
		})
	}
}
