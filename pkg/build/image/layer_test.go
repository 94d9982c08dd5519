package image

import (
	"archive/tar"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// asmFile is a file, directory or symbolic link a test writes under a directory.
type asmFile struct {
	path    string // slash-separated, relative
	content string
	mode    fs.FileMode // permission bits; 0 means 0644 for files, 0755 for directories
	link    string      // symbolic link target when not empty
	dir     bool
}

// asmWriteTree creates files under dir, parents first.
func asmWriteTree(t testing.TB, dir string, files []asmFile) {
	t.Helper()
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		switch {
		case f.link != "":
			if err := os.Symlink(f.link, p); err != nil {
				t.Fatal(err)
			}
		case f.dir:
			mode := f.mode
			if mode == 0 {
				mode = 0o755
			}
			if err := os.MkdirAll(p, mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(p, mode); err != nil {
				t.Fatal(err)
			}
		default:
			mode := f.mode
			if mode == 0 {
				mode = 0o644
			}
			if err := os.WriteFile(p, []byte(f.content), mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(p, mode); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// asmTarEntry is what the tests check of a layer tar entry.
type asmTarEntry struct {
	Name     string
	Type     byte
	Mode     int64
	UID, GID int
	Uname    string
	Gname    string
	ModTime  time.Time
	Linkname string
	Content  string
}

// asmReadLayer returns the entries of a layer's uncompressed tar, in order.
func asmReadLayer(t testing.TB, layer v1.Layer) []asmTarEntry {
	t.Helper()
	rc, err := layer.Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var got []asmTarEntry
	tr := tar.NewReader(rc)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("reading layer tar: %v", err)
		}
		content, err := io.ReadAll(tr)
		if err != nil {
			t.Fatalf("reading %q: %v", hdr.Name, err)
		}
		got = append(got, asmTarEntry{
			Name: hdr.Name, Type: hdr.Typeflag, Mode: hdr.Mode, UID: hdr.Uid, GID: hdr.Gid,
			Uname: hdr.Uname, Gname: hdr.Gname, ModTime: hdr.ModTime.UTC(), Linkname: hdr.Linkname,
			Content: string(content),
		})
	}
	return got
}

// asmBuildLayer builds the layer of spec with a live context.
func asmBuildLayer(spec LayerSpec, modTime time.Time) (v1.Layer, error) {
	res, err := buildLayer(context.Background(), &liveness{ctx: context.Background()}, spec, modTime,
		types.DockerLayer, DefaultCompressionLevel)
	return res.layer, err
}

func TestLayerEntries(t *testing.T) {
	mtime := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	dir := t.TempDir()
	asmWriteTree(t, dir, []asmFile{
		{path: "handler.py", content: "def main(): pass\n", mode: 0o600},
		{path: "bin/tool", content: "#!/bin/sh\n", mode: 0o700},
		{path: "bin/group-exec", content: "x", mode: 0o610},
		{path: "pkg/__init__.py", content: "", mode: 0o664},
		{path: "pkg/mod.py", content: "X = 1\n"},
		{path: "pkg/mod.pyc", content: "compiled"},
		{path: "pkg/__pycache__/mod.cpython-312.pyc", content: "compiled"},
		{path: "pkg/__pycache__/notes.txt", content: "left out with its directory"},
		{path: "pkg/alias.py", link: "mod.py"},
		{path: "pkg/up.py", link: "../handler.py"},
		{path: "pkg/dangling", link: "missing/file"},
		{path: "empty", dir: true, mode: 0o700},
		{path: "a-b.txt", content: "sorted before a/"},
	})

	layer, err := asmBuildLayer(LayerSpec{Dir: dir, Target: "/var/task"}, mtime)
	if err != nil {
		t.Fatal(err)
	}
	dirEntry := func(name string) asmTarEntry {
		return asmTarEntry{Name: name, Type: tar.TypeDir, Mode: 0o755, ModTime: mtime}
	}
	file := func(name string, mode int64, content string) asmTarEntry {
		return asmTarEntry{Name: name, Type: tar.TypeReg, Mode: mode, ModTime: mtime, Content: content}
	}
	link := func(name, target string) asmTarEntry {
		return asmTarEntry{Name: name, Type: tar.TypeSymlink, Mode: 0o777, ModTime: mtime, Linkname: target}
	}
	want := []asmTarEntry{
		dirEntry("var/"),
		dirEntry("var/task/"),
		file("var/task/a-b.txt", 0o644, "sorted before a/"),
		dirEntry("var/task/bin/"),
		file("var/task/bin/group-exec", 0o755, "x"),
		file("var/task/bin/tool", 0o755, "#!/bin/sh\n"),
		dirEntry("var/task/empty/"),
		file("var/task/handler.py", 0o644, "def main(): pass\n"),
		dirEntry("var/task/pkg/"),
		file("var/task/pkg/__init__.py", 0o644, ""),
		link("var/task/pkg/alias.py", "mod.py"),
		link("var/task/pkg/dangling", "missing/file"),
		file("var/task/pkg/mod.py", 0o644, "X = 1\n"),
		link("var/task/pkg/up.py", "../handler.py"),
	}
	if diff := cmp.Diff(want, asmReadLayer(t, layer)); diff != "" {
		t.Errorf("layer entries (-want +got):\n%s", diff)
	}
}

func TestLayerTargets(t *testing.T) {
	dir := t.TempDir()
	asmWriteTree(t, dir, []asmFile{{path: "f", content: "x"}})
	tests := []struct {
		target    string
		wantNames []string
		wantErr   string
	}{
		{target: "/", wantNames: []string{"f"}},
		{target: "/opt", wantNames: []string{"opt/", "opt/f"}},
		{target: "/opt/python/", wantNames: []string{"opt/", "opt/python/", "opt/python/f"}},
		{target: "var/task", wantErr: `layer target "var/task" is not a clean absolute directory`},
		{target: "/var/../task", wantErr: `layer target "/var/../task" is not a clean absolute directory`},
		{target: "", wantErr: `layer target "" is not a clean absolute directory`},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			layer, err := asmBuildLayer(LayerSpec{Dir: dir, Target: tt.target}, defaultModTime())
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range asmReadLayer(t, layer) {
				got = append(got, e.Name)
			}
			if diff := cmp.Diff(tt.wantNames, got); diff != "" {
				t.Errorf("entry names (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLayerRejects(t *testing.T) {
	tests := []struct {
		name    string
		files   []asmFile
		fifo    string // a named pipe to create, relative
		wantErr []string
	}{
		{
			name:    "relative link climbing out",
			files:   []asmFile{{path: "lib/secret", link: "../../outside"}},
			wantErr: []string{filepath.Join("lib", "secret"), `points to "../../outside", outside the directory`},
		},
		{
			name:    "absolute link",
			files:   []asmFile{{path: "passwd", link: "/etc/passwd"}},
			wantErr: []string{"passwd", `points to the absolute path "/etc/passwd"`},
		},
		{
			name:    "link climbing out through a subdirectory",
			files:   []asmFile{{path: "a/b/c", link: "../x/../../.."}},
			wantErr: []string{filepath.Join("a", "b", "c"), "outside the directory"},
		},
		{
			name: "link leaving only through another link",
			files: []asmFile{
				{path: "s/up", link: ".."},
				{path: "escape", link: "s/up/.."},
			},
			wantErr: []string{"escape", "which resolves to", "outside the directory"},
		},
		{
			name:    "named pipe",
			fifo:    "pipe",
			wantErr: []string{"pipe", "is a named pipe, which an image layer cannot carry"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			asmWriteTree(t, dir, append([]asmFile{{path: "ok.py", content: "x"}}, tt.files...))
			if tt.fifo != "" {
				if err := syscall.Mkfifo(filepath.Join(dir, tt.fifo), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			_, err := asmBuildLayer(LayerSpec{Dir: dir, Target: "/var/task"}, time.Time{})
			if err == nil {
				t.Fatal("building the layer succeeded, want an error")
			}
			for _, want := range tt.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
}

func TestLayerDirErrors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		dir     string
		wantErr string
	}{
		{name: "missing", dir: filepath.Join(t.TempDir(), "missing"), wantErr: "resolving layer directory"},
		{name: "not a directory", dir: file, wantErr: "is not a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := asmBuildLayer(LayerSpec{Dir: tt.dir, Target: "/var/task"}, time.Time{})
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), tt.dir) {
				t.Fatalf("error = %v, want it to contain %q and the directory", err, tt.wantErr)
			}
		})
	}
}

// TestLayerChangedFile checks that a file changing size between the digest computation and a later
// read fails the read rather than producing a tar that no longer matches the digest.
func TestLayerChangedFile(t *testing.T) {
	dir := t.TempDir()
	asmWriteTree(t, dir, []asmFile{{path: "f.py", content: "short"}})
	layer, err := asmBuildLayer(LayerSpec{Dir: dir, Target: "/var/task"}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "f.py"), []byte("much longer now"), 0o644); err != nil {
		t.Fatal(err)
	}
	rc, err := layer.Compressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	_, err = io.Copy(io.Discard, rc)
	if err == nil || !strings.Contains(err.Error(), "changed size (5 to 15 bytes)") {
		t.Fatalf("reading the layer: error = %v, want a changed size error", err)
	}
}

// TestLayerStopsWhenClosed checks that closing a layer reader early ends the goroutine writing the
// tar (it would otherwise block on the pipe forever).
func TestLayerStopsWhenClosed(t *testing.T) {
	dir := t.TempDir()
	var files []asmFile
	for i := range 50 {
		files = append(files, asmFile{path: filepath.Join("d", strings.Repeat("x", i+1)), content: strings.Repeat("y", 10000)})
	}
	asmWriteTree(t, dir, files)
	entries, err := collectLayer(context.Background(), LayerSpec{Dir: dir, Target: "/"})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	src := &layerSource{entries: entries, alive: func() error { return nil }}
	pr, pw := io.Pipe()
	go func() {
		err := src.write(pw)
		pw.CloseWithError(err)
		done <- err
	}()
	if _, err := io.ReadFull(pr, make([]byte, 1024)); err != nil {
		t.Fatal(err)
	}
	pr.Close()
	select {
	case err := <-done:
		if !errors.Is(err, io.ErrClosedPipe) {
			t.Errorf("writer ended with %v, want %v", err, io.ErrClosedPipe)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the tar writer did not stop after the reader was closed")
	}
}
