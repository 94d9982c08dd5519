package cache

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestPrune(t *testing.T) {
	c, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	src := t.TempDir()
	now := time.Now()
	key := func(name string) string {
		s := sha256.Sum256([]byte(name))
		return hex.EncodeToString(s[:])
	}
	// name -> (size of its file, last used ago)
	put := func(name string, size int, ago time.Duration) {
		f := filepath.Join(src, name)
		if err := os.WriteFile(f, make([]byte, size), 0o644); err != nil {
			t.Fatal(err)
		}
		e, err := c.Put(key(name), map[string]string{"layer.zip": f}, []byte("{}"))
		if err != nil {
			t.Fatal(err)
		}
		at := now.Add(-ago)
		if err := os.Chtimes(e.Path(metaFile), at, at); err != nil {
			t.Fatal(err)
		}
	}
	put("fresh-big", 600, time.Minute)                           // over the size bound alone, but in use: kept
	put("yesterday", 300, 24*time.Hour)                          // fits
	put("last-week", 300, 7*24*time.Hour)                        // would exceed 1000 bytes: least recently used, removed
	put("last-month", 10, 30*24*time.Hour)                       // older than the age bound: removed
	put("two-days", 50, 2*24*time.Hour)                          // fits after the removal above
	os.MkdirAll(filepath.Join(c.Dir(), ".tmp-abandoned"), 0o755) // a killed run's partial store
	old := now.Add(-2 * time.Hour)
	os.Chtimes(filepath.Join(c.Dir(), ".tmp-abandoned"), old, old)
	os.MkdirAll(filepath.Join(c.Dir(), ".tmp-in-progress"), 0o755)
	os.WriteFile(filepath.Join(c.Dir(), "README"), []byte("not ours"), 0o644)

	// A hit marks an entry used: "last-week" read now would be kept; read "yesterday" instead.
	if _, ok, err := c.Get(key("yesterday")); !ok || err != nil {
		t.Fatalf("get: %t %v", ok, err)
	}
	got, err := c.Prune(14*24*time.Hour, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(Pruned{Removed: 2, Kept: 3, RemovedBytes: 310 + 2*2, KeptBytes: 950 + 3*2}, got); d != "" {
		t.Errorf("pruned (-want +got)\n%s", d)
	}
	var left []string
	items, _ := os.ReadDir(c.Dir())
	for _, it := range items {
		left = append(left, it.Name())
	}
	sort.Strings(left)
	want := []string{".tmp-in-progress", key("fresh-big"), key("yesterday"), key("two-days"), "README"}
	sort.Strings(want)
	if d := cmp.Diff(want, left); d != "" {
		t.Errorf("left (-want +got)\n%s", d)
	}
}
