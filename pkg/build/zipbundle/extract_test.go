package zipbundle

import (
	"archive/zip"
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestExtractRoundTrip(t *testing.T) {
	old := syscall.Umask(0o077) // Extract must restore modes whatever the umask
	defer syscall.Umask(old)
	src := filepath.Join(t.TempDir(), "src")
	makeTree(t, src, []node{
		{name: "a/b/c.py", content: "print('c')\n", mode: 0o644},
		{name: "a/run", content: "#!/bin/sh\n", mode: 0o755},
		{name: "a/empty/"},
		{name: "ünï.txt", content: "utf-8 name"},
		{name: "z", content: ""},
	}, time.Now())
	b := mustWrite(t, filepath.Join(t.TempDir(), "out.zip"), []Source{{Dir: src}})
	dst := filepath.Join(t.TempDir(), "dst", "nested")
	if err := Extract(context.Background(), b.Path, dst); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"a/":       "-rwxr-xr-x/",
		"a/b/":     "-rwxr-xr-x/",
		"a/b/c.py": "-rw-r--r-- print('c')\n",
		"a/empty/": "-rwxr-xr-x/",
		"a/run":    "-rwxr-xr-x #!/bin/sh\n",
		"ünï.txt":  "-rw-r--r-- utf-8 name",
		"z":        "-rw-r--r-- ",
	}
	if diff := cmp.Diff(want, readTree(t, dst)); diff != "" {
		t.Errorf("extracted tree (-want +got):\n%s", diff)
	}
}

// craftedZip is an entry of a zip a test builds by hand.
type craftedZip struct {
	name    string
	mode    fs.FileMode
	content string
}

func buildZip(t *testing.T, entries []craftedZip) string {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		fh := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		if e.mode != 0 {
			fh.SetMode(e.mode)
		}
		w, err := zw.CreateHeader(fh)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(e.content)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "crafted.zip")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestExtractRefusesMaliciousZips(t *testing.T) {
	ok := craftedZip{name: "fine.py", content: "ok"}
	tests := []struct {
		name    string
		entries []craftedZip
		wantErr []string
	}{
		{name: "parent traversal", entries: []craftedZip{ok, {name: "../evil", content: "x"}}, wantErr: []string{`"../evil"`, `".."`}},
		{name: "traversal in the middle", entries: []craftedZip{{name: "a/../../evil", content: "x"}}, wantErr: []string{`"a/../../evil"`}},
		{name: "absolute path", entries: []craftedZip{{name: "/tmp/evil", content: "x"}}, wantErr: []string{`"/tmp/evil"`, "absolute"}},
		{name: "drive letter", entries: []craftedZip{{name: "C:/evil", content: "x"}}, wantErr: []string{`"C:/evil"`, "drive letter"}},
		{name: "backslash", entries: []craftedZip{{name: `..\evil`, content: "x"}}, wantErr: []string{`evil`, "backslash"}},
		{name: "dot component", entries: []craftedZip{{name: "./a", content: "x"}}, wantErr: []string{`"./a"`}},
		{name: "empty component", entries: []craftedZip{{name: "a//b", content: "x"}}, wantErr: []string{`"a//b"`}},
		{name: "symlink entry", entries: []craftedZip{{name: "link", mode: fs.ModeSymlink | 0o777, content: "/etc/passwd"}}, wantErr: []string{`"link"`, "symbolic link"}},
		{name: "device entry", entries: []craftedZip{{name: "dev", mode: fs.ModeDevice | 0o644}}, wantErr: []string{`"dev"`, "device"}},
		{name: "duplicate", entries: []craftedZip{ok, {name: "fine.py", content: "again"}}, wantErr: []string{`"fine.py"`, "duplicate"}},
		{name: "duplicate directory and file", entries: []craftedZip{{name: "d/"}, {name: "d", content: "x"}}, wantErr: []string{`"d"`, "duplicate"}},
		{name: "entry below a file", entries: []craftedZip{{name: "f", content: "x"}, {name: "f/g", content: "y"}}, wantErr: []string{`"f/g"`, `"f"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			zipPath := buildZip(t, tt.entries)
			parent := t.TempDir()
			dst := filepath.Join(parent, "out")
			err := Extract(context.Background(), zipPath, dst)
			checkErr(t, err, tt.wantErr)
			// Everything is checked before anything is written.
			if got := dirEntries(t, parent); len(got) != 0 {
				t.Errorf("Extract wrote %q", got)
			}
		})
	}
}

func TestExtractForeignZip(t *testing.T) {
	// A zip from another writer: extended timestamps, implicit directories, no modes for some.
	zipPath := buildZip(t, []craftedZip{
		{name: "pkg/mod.py", content: "x = 1\n"},
		{name: "pkg/tool", mode: 0o700, content: "#!/bin/sh\n"},
		{name: "pkg/ro.txt", mode: 0o400, content: "read only"},
	})
	dst := t.TempDir()
	if err := Extract(context.Background(), zipPath, dst); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"pkg/":       "-rwxr-xr-x/",
		"pkg/mod.py": "-rw-r--r-- x = 1\n",
		"pkg/ro.txt": "-rw-r--r-- read only",
		"pkg/tool":   "-rwxr-xr-x #!/bin/sh\n",
	}
	if diff := cmp.Diff(want, readTree(t, dst)); diff != "" {
		t.Errorf("extracted tree (-want +got):\n%s", diff)
	}
}

func TestExtractErrors(t *testing.T) {
	notZip := filepath.Join(t.TempDir(), "not.zip")
	if err := os.WriteFile(notZip, []byte("PK but not really"), 0o644); err != nil {
		t.Fatal(err)
	}
	good := buildZip(t, []craftedZip{{name: "a", content: "x"}})
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name    string
		ctx     context.Context
		zipPath string
		wantErr []string
	}{
		{name: "missing", ctx: context.Background(), zipPath: filepath.Join(t.TempDir(), "none.zip"), wantErr: []string{"none.zip"}},
		{name: "not a zip", ctx: context.Background(), zipPath: notZip, wantErr: []string{"not.zip"}},
		{name: "canceled", ctx: canceled, zipPath: good, wantErr: []string{"canceled"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Extract(tt.ctx, tt.zipPath, t.TempDir())
			checkErr(t, err, tt.wantErr)
		})
	}
	// A corrupted entry fails its CRC check.
	orig := buildZip(t, []craftedZip{{name: "a", content: strings.Repeat("abc", 100)}})
	zr, err := zip.OpenReader(orig)
	if err != nil {
		t.Fatal(err)
	}
	off, err := zr.File[0].DataOffset()
	zr.Close()
	if err != nil {
		t.Fatal(err)
	}
	data := mustRead(t, orig)
	data[off+int64(zr.File[0].CompressedSize64)/2] ^= 0xff
	corrupt := filepath.Join(t.TempDir(), "corrupt.zip")
	if err := os.WriteFile(corrupt, data, 0o644); err != nil {
		t.Fatal(err)
	}
	checkErr(t, Extract(context.Background(), corrupt, t.TempDir()), []string{"corrupt.zip", `entry "a"`})
}
