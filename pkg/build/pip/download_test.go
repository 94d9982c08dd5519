package pip

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestPruneWheelCache(t *testing.T) {
	dir := t.TempDir()
	old, fresh := time.Now().Add(-40*24*time.Hour), time.Now()
	write := func(rel string, mtime time.Time) {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	write("ab/abcd/old-1.0-py3-none-any.whl", old)
	write("cd/cdef/new-1.0-py3-none-any.whl", fresh)
	write("built-from-source/src-1.0-py3-none-any.whl", old)
	n, err := PruneWheelCache(dir, 30*24*time.Hour)
	if err != nil || n != 1 {
		t.Fatalf("removed %d (%v), want 1", n, err)
	}
	var left []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			left = append(left, filepath.ToSlash(rel))
		}
		return err
	})
	want := []string{"built-from-source/src-1.0-py3-none-any.whl", "cd/cdef/new-1.0-py3-none-any.whl"}
	if d := cmp.Diff(want, left); d != "" {
		t.Errorf("left (-want +got):\n%s", d)
	}
}
