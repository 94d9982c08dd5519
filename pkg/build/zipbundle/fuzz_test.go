package zipbundle

import (
	"bytes"
	"context"
	"io/fs"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// treeFromBytes turns fuzz input into a small tree: each 3 bytes make a file or directory whose
// path, size, content and mode derive from them. Paths that would clash are skipped.
func treeFromBytes(data []byte) []node {
	parts := []string{"a", "b", "pkg", "m.py", "lib.so", "ü", "x y"}
	var nodes []node
	kind := map[string]bool{} // path -> is a directory
	for i := 0; i+3 <= len(data) && len(nodes) < 40; i += 3 {
		b0, b1, b2 := data[i], data[i+1], data[i+2]
		var comps []string
		for d := range int(b0%3) + 1 {
			comps = append(comps, parts[int(b0>>(2+d))%len(parts)])
		}
		p := strings.Join(comps, "/")
		isDir := b2%7 == 0
		if clashes(kind, p, isDir) {
			continue
		}
		for q := path.Dir(p); q != "."; q = path.Dir(q) {
			kind[q] = true
		}
		kind[p] = isDir
		if isDir {
			nodes = append(nodes, node{name: p + "/"})
			continue
		}
		mode := fs.FileMode(0o644)
		if b1&0x80 != 0 {
			mode = 0o755
		}
		content := bytes.Repeat([]byte{b2, b0 ^ b1}, int(b1&0x7f)*int(b2%5))
		nodes = append(nodes, node{name: p, content: string(content), mode: mode})
	}
	return nodes
}

// clashes reports whether p cannot be added as a file (or directory) given the paths in kind.
func clashes(kind map[string]bool, p string, isDir bool) bool {
	if d, ok := kind[p]; ok && (!d || !isDir) {
		return true
	}
	for q := path.Dir(p); q != "."; q = path.Dir(q) {
		if d, ok := kind[q]; ok && !d {
			return true
		}
	}
	return false
}

func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{1, 2, 3})
	f.Add([]byte{0x55, 0xff, 0x13, 0x21, 0x80, 0x07, 0xaa, 0x7f, 0x04, 0x03, 0x10, 0x0e})
	f.Add([]byte("the quick brown fox jumps over the lazy dog, repeatedly and at length"))
	f.Fuzz(func(t *testing.T, data []byte) {
		nodes := treeFromBytes(data)
		src := filepath.Join(t.TempDir(), "src")
		makeTree(t, src, append([]node{{name: "root/"}}, nodes...), time.Now())
		out := t.TempDir()
		// Spill anything over 64 bytes, so both compression paths run.
		one := mustWrite(t, filepath.Join(out, "one.zip"), []Source{{Dir: src}}, WithConcurrency(1), withSpill(64, 256))
		four := mustWrite(t, filepath.Join(out, "four.zip"), []Source{{Dir: src}}, WithConcurrency(4))
		if one.SHA256 != four.SHA256 {
			t.Errorf("concurrency 1 and 4 differ: %s vs %s", one.SHA256, four.SHA256)
		}
		dst := t.TempDir()
		if err := Extract(context.Background(), one.Path, dst); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(readTree(t, src), readTree(t, dst)); diff != "" {
			t.Errorf("round trip (-want +got):\n%s", diff)
		}
	})
}
