package zipbundle

import (
	"archive/zip"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// node is a file system object a test creates: a directory when name ends in "/", a symbolic link
// when link is set, otherwise a regular file with content and mode.
type node struct {
	name    string
	content string
	mode    fs.FileMode
	link    string
}

// makeTree creates nodes under root in the order given, with the given modification time.
func makeTree(t testing.TB, root string, nodes []node, mtime time.Time) {
	t.Helper()
	for _, n := range nodes {
		p := filepath.Join(root, filepath.FromSlash(strings.TrimSuffix(n.name, "/")))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		mode := n.mode
		switch {
		case n.link != "":
			if err := os.Symlink(n.link, p); err != nil {
				t.Fatal(err)
			}
			continue
		case strings.HasSuffix(n.name, "/"):
			if mode == 0 {
				mode = 0o755
			}
			if err := os.MkdirAll(p, mode); err != nil {
				t.Fatal(err)
			}
		default:
			if mode == 0 {
				mode = 0o644
			}
			if err := os.WriteFile(p, []byte(n.content), mode); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
}

// readTree describes the tree under root as path -> "mode content" ("mode/" for directories).
// Symbolic links are followed.
func readTree(t testing.TB, root string) map[string]string {
	t.Helper()
	got := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == root {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		if fi.IsDir() {
			got[filepath.ToSlash(rel)+"/"] = fmt.Sprintf("%v/", fi.Mode().Perm())
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		got[filepath.ToSlash(rel)] = fmt.Sprintf("%v %s", fi.Mode(), data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// zipEntry is what the tests check of an archive member.
type zipEntry struct {
	Name     string
	Mode     fs.FileMode
	Content  string
	Modified time.Time
	Extra    int
	Creator  uint16 // high byte of CreatorVersion: 3 is Unix
}

// readZip lists the members of a zip file in archive order.
func readZip(t testing.TB, path string) []zipEntry {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var got []zipEntry
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("reading %q: %v", f.Name, err)
		}
		got = append(got, zipEntry{
			Name: f.Name, Mode: f.Mode(), Content: string(data), Modified: f.Modified,
			Extra: len(f.Extra), Creator: f.CreatorVersion >> 8,
		})
	}
	return got
}

// names lists the member names of a zip file in archive order.
func names(t testing.TB, path string) []string {
	t.Helper()
	var got []string
	for _, e := range readZip(t, path) {
		got = append(got, e.Name)
	}
	return got
}

// withSpill sets the spill threshold and the in-flight window, normally fixed.
func withSpill(threshold, window int64) Option {
	return func(o *options) { o.spillThreshold, o.window = threshold, window }
}

// withAfterEntry sets the hook called after each written entry.
func withAfterEntry(f func(int)) Option {
	return func(o *options) { o.afterEntry = f }
}

// dirEntries returns the names in dir.
func dirEntries(t testing.TB, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range des {
		got = append(got, d.Name())
	}
	return got
}
