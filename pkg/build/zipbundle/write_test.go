package zipbundle

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// sampleTree is a small package tree with a compressible module, an executable script, an empty
// directory, an empty file and bytecode that must be left out.
var sampleTree = []node{
	{name: "pkg/__init__.py", content: ""},
	{name: "pkg/core.py", content: strings.Repeat("def f():\n    return 42\n", 200)},
	{name: "pkg/data/table.bin", content: "\x00\x01\x02\x03"},
	{name: "pkg/__pycache__/core.cpython-311.pyc", content: "bytecode"},
	{name: "pkg/stale.pyc", content: "bytecode"},
	{name: "bin/tool", content: "#!/bin/sh\necho hi\n", mode: 0o755},
	{name: "empty/"},
	{name: "top.py", content: "import pkg\n"},
}

func mustWrite(t testing.TB, dst string, sources []Source, opts ...Option) *Bundle {
	t.Helper()
	b, err := Write(context.Background(), dst, sources, opts...)
	if err != nil {
		t.Fatalf("Write(%q): %v", dst, err)
	}
	return b
}

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestWriteIsDeterministic(t *testing.T) {
	reversed := slices.Clone(sampleTree)
	slices.Reverse(reversed)
	// Same content, other permission bits that normalize the same way.
	loosePerms := slices.Clone(sampleTree)
	for i := range loosePerms {
		switch loosePerms[i].mode {
		case 0:
			if !strings.HasSuffix(loosePerms[i].name, "/") {
				loosePerms[i].mode = 0o600
			}
		case 0o755:
			loosePerms[i].mode = 0o700
		}
	}
	base := filepath.Join(t.TempDir(), "base")
	makeTree(t, base, sampleTree, time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC))
	want := mustRead(t, mustWrite(t, filepath.Join(t.TempDir(), "a.zip"), []Source{{Dir: base}}).Path)

	tests := []struct {
		name  string
		nodes []node
		mtime time.Time
		umask int
		opts  []Option
	}{
		{name: "same tree again", nodes: sampleTree, mtime: time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC), umask: 0o022},
		{name: "reverse creation order and other mtimes", nodes: reversed, mtime: time.Now(), umask: 0o022},
		{name: "umask 077 and owner-only modes", nodes: loosePerms, mtime: time.Unix(1e9, 0), umask: 0o077},
		{name: "concurrency 1", nodes: sampleTree, mtime: time.Now(), umask: 0o022, opts: []Option{WithConcurrency(1)}},
		{name: "concurrency 8", nodes: reversed, mtime: time.Now(), umask: 0o022, opts: []Option{WithConcurrency(8)}},
		{name: "everything spilled, tiny window", nodes: sampleTree, mtime: time.Now(), umask: 0o022, opts: []Option{withSpill(1, 16)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old := syscall.Umask(tt.umask)
			defer syscall.Umask(old)
			dir := filepath.Join(t.TempDir(), "src")
			makeTree(t, dir, tt.nodes, tt.mtime)
			got := mustRead(t, mustWrite(t, filepath.Join(t.TempDir(), "b.zip"), []Source{{Dir: dir}}, tt.opts...).Path)
			if !bytes.Equal(want, got) {
				t.Errorf("zip differs from the first build: %d bytes, want %d", len(got), len(want))
			}
		})
	}
}

func TestWriteEntries(t *testing.T) {
	src := t.TempDir()
	makeTree(t, src, sampleTree, time.Now())
	epoch := time.Unix(1700000001, 0) // SOURCE_DATE_EPOCH; odd seconds round down
	stamp := time.Date(2023, 11, 14, 22, 13, 20, 0, time.UTC)
	core := strings.Repeat("def f():\n    return 42\n", 200)

	tests := []struct {
		name    string
		sources []Source
		opts    []Option
		want    []zipEntry
	}{
		{
			name:    "root layout, modes, no bytecode",
			sources: []Source{{Dir: src}},
			opts:    []Option{WithModTime(epoch)},
			want: []zipEntry{
				{Name: "bin/", Mode: fs.ModeDir | 0o755},
				{Name: "bin/tool", Mode: 0o755, Content: "#!/bin/sh\necho hi\n"},
				{Name: "empty/", Mode: fs.ModeDir | 0o755},
				{Name: "pkg/", Mode: fs.ModeDir | 0o755},
				{Name: "pkg/__init__.py", Mode: 0o644},
				{Name: "pkg/core.py", Mode: 0o644, Content: core},
				{Name: "pkg/data/", Mode: fs.ModeDir | 0o755},
				{Name: "pkg/data/table.bin", Mode: 0o644, Content: "\x00\x01\x02\x03"},
				{Name: "top.py", Mode: 0o644, Content: "import pkg\n"},
			},
		},
		{
			name:    "layer prefix",
			sources: []Source{{Dir: filepath.Join(src, "pkg"), Prefix: "python/"}},
			opts:    []Option{WithModTime(epoch)},
			want: []zipEntry{
				{Name: "python/", Mode: fs.ModeDir | 0o755},
				{Name: "python/__init__.py", Mode: 0o644},
				{Name: "python/core.py", Mode: 0o644, Content: core},
				{Name: "python/data/", Mode: fs.ModeDir | 0o755},
				{Name: "python/data/table.bin", Mode: 0o644, Content: "\x00\x01\x02\x03"},
			},
		},
		{
			name: "two sources merge, nested prefix without slash, exclusions",
			sources: []Source{
				{Dir: filepath.Join(src, "bin"), Prefix: "opt/bin"},
				{Dir: filepath.Join(src, "pkg"), Prefix: "opt/"},
			},
			opts: []Option{
				WithModTime(epoch),
				WithExclude(func(rel string, d fs.DirEntry) bool { return rel == "data" && d.IsDir() }),
				WithExclude(func(rel string, _ fs.DirEntry) bool { return rel == "__init__.py" }),
			},
			want: []zipEntry{
				{Name: "opt/", Mode: fs.ModeDir | 0o755},
				{Name: "opt/bin/", Mode: fs.ModeDir | 0o755},
				{Name: "opt/bin/tool", Mode: 0o755, Content: "#!/bin/sh\necho hi\n"},
				{Name: "opt/core.py", Mode: 0o644, Content: core},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := mustWrite(t, filepath.Join(t.TempDir(), "out.zip"), tt.sources, tt.opts...)
			for i := range tt.want {
				tt.want[i].Modified = stamp
				tt.want[i].Creator = 3
			}
			if diff := cmp.Diff(tt.want, readZip(t, b.Path)); diff != "" {
				t.Errorf("entries (-want +got):\n%s", diff)
			}
			var files int
			var unzipped int64
			for _, e := range tt.want {
				if !e.Mode.IsDir() {
					files++
					unzipped += int64(len(e.Content))
				}
			}
			if b.Files != files || b.UnzippedSize != unzipped {
				t.Errorf("Files, UnzippedSize = %d, %d; want %d, %d", b.Files, b.UnzippedSize, files, unzipped)
			}
		})
	}
}

func TestWriteSymlinks(t *testing.T) {
	tests := []struct {
		name    string
		nodes   []node
		want    []string // entry names, or nil when an error is expected
		wantErr []string // substrings of the error
	}{
		{
			name: "links inside are stored as their targets",
			nodes: []node{
				{name: "real/mod.py", content: "x = 1\n"},
				{name: "alias.py", link: "real/mod.py"},
				{name: "aliasdir", link: "real"},
			},
			want: []string{"alias.py", "aliasdir/", "aliasdir/mod.py", "real/", "real/mod.py"},
		},
		{
			name:    "link outside",
			nodes:   []node{{name: "a.py", content: "x"}, {name: "evil", link: "/etc/passwd"}},
			wantErr: []string{"evil", "/etc/passwd", "outside"},
		},
		{
			name:    "relative link escaping",
			nodes:   []node{{name: "sub/up", link: "../../.."}},
			wantErr: []string{"up", "../../..", "outside"},
		},
		{
			name:    "cycle",
			nodes:   []node{{name: "d/loop", link: ".."}},
			wantErr: []string{"loop", "cycle"},
		},
		{
			name:    "dangling",
			nodes:   []node{{name: "gone", link: "nothing-here"}},
			wantErr: []string{"gone", "nothing-here"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := t.TempDir()
			makeTree(t, src, tt.nodes, time.Now())
			out := filepath.Join(t.TempDir(), "out.zip")
			b, err := Write(context.Background(), out, []Source{{Dir: src}})
			if tt.wantErr != nil {
				checkErr(t, err, tt.wantErr)
				if _, statErr := os.Stat(out); !errors.Is(statErr, fs.ErrNotExist) {
					t.Errorf("%s exists after a failed Write", out)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, names(t, b.Path)); diff != "" {
				t.Errorf("entries (-want +got):\n%s", diff)
			}
		})
	}
}

func checkErr(t *testing.T, err error, want []string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one mentioning %q", want)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not mention %q", err, w)
		}
	}
}

func TestWriteErrors(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	makeTree(t, a, []node{{name: "same.py", content: "a"}, {name: "shared/one.py", content: "1"}, {name: "clash", content: "file"}}, time.Now())
	makeTree(t, b, []node{{name: "same.py", content: "b"}, {name: "shared/two.py", content: "2"}, {name: "clash/x", content: "dir"}}, time.Now())
	special := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(special, "fifo"), 0o644); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		sources []Source
		opts    []Option
		wantErr []string
	}{
		{name: "same file from two sources", sources: []Source{{Dir: a}, {Dir: b}},
			opts:    []Option{WithExclude(func(rel string, _ fs.DirEntry) bool { return rel == "clash" })},
			wantErr: []string{`"same.py"`, filepath.Join(a, "same.py"), filepath.Join(b, "same.py")}},
		{name: "file and directory from two sources", sources: []Source{{Dir: a}, {Dir: b}},
			opts:    []Option{WithExclude(func(rel string, _ fs.DirEntry) bool { return rel == "same.py" })},
			wantErr: []string{`"clash"`, filepath.Join(a, "clash"), filepath.Join(b, "clash")}},
		{name: "named pipe", sources: []Source{{Dir: special}}, wantErr: []string{filepath.Join(special, "fifo"), "named pipe"}},
		{name: "prefix escaping", sources: []Source{{Dir: a, Prefix: "../up/"}}, wantErr: []string{"../up/"}},
		{name: "missing source", sources: []Source{{Dir: filepath.Join(a, "nope")}}, wantErr: []string{"nope"}},
		{name: "source is a file", sources: []Source{{Dir: filepath.Join(a, "same.py")}}, wantErr: []string{"same.py", "not a directory"}},
		{name: "no sources", wantErr: []string{"no sources"}},
		{name: "bad level", sources: []Source{{Dir: a}}, opts: []Option{WithLevel(42)}, wantErr: []string{"level 42"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			_, err := Write(context.Background(), filepath.Join(dir, "out.zip"), tt.sources, tt.opts...)
			checkErr(t, err, tt.wantErr)
			if got := dirEntries(t, dir); len(got) != 0 {
				t.Errorf("files left behind: %q", got)
			}
		})
	}
	// Directories from two sources merge.
	out := mustWrite(t, filepath.Join(t.TempDir(), "ok.zip"), []Source{{Dir: a}, {Dir: b}},
		WithExclude(func(rel string, _ fs.DirEntry) bool { return rel == "same.py" || rel == "clash" }))
	if diff := cmp.Diff([]string{"shared/", "shared/one.py", "shared/two.py"}, names(t, out.Path)); diff != "" {
		t.Errorf("merged entries (-want +got):\n%s", diff)
	}
}

func TestWriteSocket(t *testing.T) {
	// Unix socket paths are limited to about 100 bytes: use a short directory.
	dir, err := os.MkdirTemp("", "zb")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "s")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, err = Write(context.Background(), filepath.Join(t.TempDir(), "out.zip"), []Source{{Dir: dir}})
	checkErr(t, err, []string{sock, "socket"})
}
