package cache

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestWhyMiss: a miss names the parts of the key that changed since the runtime's last build.
func TestWhyMiss(t *testing.T) {
	dir := t.TempDir()
	reqs := filepath.Join(dir, "requirements.txt")
	if err := os.WriteFile(reqs, []byte("six\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := New(filepath.Join(dir, "cache"))
	if err != nil {
		t.Fatal(err)
	}
	base := Key{RequirementFiles: []string{reqs}, Requirements: []string{"numpy"}, Resolved: []string{"six==1.16.0 sha256:aa", "numpy==2.0.0 sha256:bb"},
		Python: "3.12", Arch: "x86_64", Glibc: "2.26", Lithops: "3.7.0", Tool: "(devel)+sha256:1111", Extra: []string{"layout=0", "mod-time=1980-01-01T00:00:00Z"}}
	if got := c.WhyMiss("rt", base); got != "" {
		t.Errorf("never built: got %q, want \"\"", got)
	}
	c.Remember("rt", base)

	changed := base
	changed.Tool = "(devel)+sha256:2222"
	changed.Python = "3.13"
	changed.Resolved = []string{"six==1.17.0 sha256:cc", "numpy==2.0.0 sha256:bb", "idna==3.0 sha256:dd"}
	changed.Extra = []string{"layout=0", "mod-time=2024-05-01T12:00:00Z"}
	want := "differs from the last build of this runtime: python 3.12 -> 3.13; tool (devel)+sha256:1111 -> (devel)+sha256:2222; " +
		"resolved idna added (3.0 sha256:dd); resolved six 1.16.0 sha256:aa -> 1.17.0 sha256:cc; mod-time 1980-01-01T00:00:00Z -> 2024-05-01T12:00:00Z"
	if diff := cmp.Diff(want, c.WhyMiss("rt", changed)); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	if err := os.WriteFile(reqs, []byte("six==1.17.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff("differs from the last build of this runtime: requirements file requirements.txt changed", c.WhyMiss("rt", base)); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	if got := c.WhyMiss("another runtime", changed); got != "" {
		t.Errorf("another runtime: got %q", got)
	}
	// The record is not an entry: Prune leaves it alone.
	if res, err := c.Prune(0, 0); err != nil || res.Removed != 0 {
		t.Errorf("prune: %+v %v", res, err)
	}
}
