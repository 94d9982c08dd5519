package cache_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/need"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/cache"
)

func TestKeySum(t *testing.T) {
	dir := t.TempDir()
	reqA := filepath.Join(dir, "a.txt")
	reqB := filepath.Join(dir, "b.txt")
	os.WriteFile(reqA, []byte("requests\n"), 0o644)
	os.WriteFile(reqB, []byte("requests\n"), 0o644) // same content, other path
	base := cache.Key{RequirementFiles: []string{reqA}, Requirements: []string{"six"}, Resolved: []string{"six==1.16.0 sha256:aa", "requests==2.0 sha256:bb"},
		Python: "3.12", Arch: "x86_64", Glibc: "2.26", Lithops: "3.7.0", Tool: "1.0.0", Extra: []string{"layout=0"}}
	sum := func(k cache.Key) string {
		t.Helper()
		s, err := k.Sum()
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	want := sum(base)
	for _, tt := range []struct {
		name string
		edit func(*cache.Key)
		same bool
	}{
		{"unchanged", func(*cache.Key) {}, true},
		{"requirements file moved, same content", func(k *cache.Key) { k.RequirementFiles = []string{reqB} }, true},
		{"resolution listed in another order", func(k *cache.Key) { k.Resolved = []string{k.Resolved[1], k.Resolved[0]} }, true},
		{"other wheel hash", func(k *cache.Key) { k.Resolved = []string{"six==1.16.0 sha256:ab", "requests==2.0 sha256:bb"} }, false},
		{"other python", func(k *cache.Key) { k.Python = "3.11" }, false},
		{"other arch", func(k *cache.Key) { k.Arch = "arm64" }, false},
		{"other glibc", func(k *cache.Key) { k.Glibc = "2.34" }, false},
		{"other lithops", func(k *cache.Key) { k.Lithops = "3.6.0" }, false},
		{"other tool", func(k *cache.Key) { k.Tool = "1.0.1" }, false},
		{"extra requirement", func(k *cache.Key) { k.Requirements = append(k.Requirements, "tblib") }, false},
		{"fields do not run together", func(k *cache.Key) { k.Python, k.Arch = "3.12x", "86_64" }, false},
		{"other extra", func(k *cache.Key) { k.Extra = []string{"layout=1"} }, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			k := base
			k.Resolved = append([]string(nil), base.Resolved...)
			tt.edit(&k)
			if got := sum(k) == want; got != tt.same {
				t.Errorf("same key = %v, want %v", got, tt.same)
			}
		})
	}
	if _, err := (cache.Key{RequirementFiles: []string{filepath.Join(dir, "missing")}}).Sum(); err == nil {
		t.Error("a missing requirements file gave a key")
	}
}

func TestPutGet(t *testing.T) {
	dir := t.TempDir()
	c, err := cache.New(filepath.Join(dir, "cache"))
	if err != nil {
		t.Fatal(err)
	}
	key, err := cache.Key{Python: "3.12"}.Sum()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := c.Get(key); ok || err != nil {
		t.Fatalf("empty cache: ok=%v err=%v", ok, err)
	}
	src := filepath.Join(dir, "layer.zip")
	os.WriteFile(src, []byte("zip bytes"), 0o644)
	if _, err := c.Put(key, map[string]string{"layer.zip": src}, []byte(`{"m":1}`)); err != nil {
		t.Fatal(err)
	}
	os.Remove(src) // the entry does not depend on the source file
	e, ok, err := c.Get(key)
	if err != nil || !ok {
		t.Fatalf("after Put: ok=%v err=%v", ok, err)
	}
	data, err := os.ReadFile(e.Path("layer.zip"))
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"zip bytes", `{"m":1}`}, []string{string(data), string(e.Meta)}); d != "" {
		t.Errorf("entry (-want +got)\n%s", d)
	}
	// A second Put of the same key keeps the first entry.
	if _, err := c.Put(key, map[string]string{}, []byte("other")); err != nil {
		t.Fatal(err)
	}
	if e, _, _ := c.Get(key); string(e.Meta) != `{"m":1}` {
		t.Errorf("second Put replaced the entry: %s", e.Meta)
	}
	for _, bad := range []string{"../x", "meta.json", ".hidden"} {
		if _, err := c.Put(key[:63]+"0", map[string]string{bad: filepath.Join(dir, "cache", key, "layer.zip")}, nil); err == nil {
			t.Errorf("Put accepted file name %q", bad)
		}
	}
	if _, _, err := c.Get("../etc"); err == nil {
		t.Error("Get accepted a key that is not a sha256")
	}
	// No temporary directories are left behind.
	entries, _ := os.ReadDir(filepath.Join(dir, "cache"))
	if len(entries) != 1 {
		t.Errorf("cache dir holds %d entries, want 1", len(entries))
	}
}

func TestDefaultDir(t *testing.T) {
	got, err := cache.DefaultDir("/opt/hostedtoolcache")
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join("/opt/hostedtoolcache", cache.DirName); got != want {
		t.Errorf("DefaultDir = %q, want %q", got, want)
	}
	got, err = cache.DefaultDir("")
	if err != nil {
		need.Missing(t, "no user cache directory here (HOME or XDG_CACHE_HOME): %v", err)
	}
	if filepath.Base(got) != cache.DirName {
		t.Errorf("DefaultDir(\"\") = %q, want a %s directory", got, cache.DirName)
	}
}
