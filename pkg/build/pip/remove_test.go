package pip

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRemoveDistribution(t *testing.T) {
	target := t.TempDir()
	outside := filepath.Join(filepath.Dir(target), "outside.txt")
	os.WriteFile(outside, []byte("keep"), 0o644)
	t.Cleanup(func() { os.Remove(outside) })
	files := map[string]string{
		"lithops/__init__.py":              "",
		"lithops/worker/handler.py":        "",
		"lithops/shared/keep_other.py":     "", // not in RECORD: stays, with its directory
		"lithops-3.7.0.dist-info/METADATA": "",
		"lithops-3.7.0.dist-info/RECORD":   "lithops/__init__.py,sha256=x,0\nlithops/worker/handler.py,,\n\"lithops/shared/a,b.py\",,\n../outside.txt,,\nbin/lithops,,\nlithops-3.7.0.dist-info/RECORD,,\n",
		"lithops/shared/a,b.py":            "",
		"bin/lithops":                      "",
		"six.py":                           "",
		"six-1.16.0.dist-info/RECORD":      "six.py,,\n",
	}
	for name, content := range files {
		p := filepath.Join(target, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(content), 0o644)
	}
	removed, err := RemoveDistribution(target, "Lithops")
	if err != nil || !removed {
		t.Fatalf("removed %t, %v", removed, err)
	}
	var left []string
	filepath.WalkDir(target, func(p string, d os.DirEntry, err error) error {
		if p != target {
			rel, _ := filepath.Rel(target, p)
			left = append(left, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(left)
	want := []string{"lithops", "lithops/shared", "lithops/shared/keep_other.py", "six-1.16.0.dist-info", "six-1.16.0.dist-info/RECORD", "six.py"}
	if d := cmp.Diff(want, left); d != "" {
		t.Errorf("left (-want +got)\n%s", d)
	}
	if data, err := os.ReadFile(outside); err != nil || !strings.Contains(string(data), "keep") {
		t.Errorf("a RECORD path outside the target was removed: %v", err)
	}
	if removed, err := RemoveDistribution(target, "lithops"); removed || err != nil {
		t.Errorf("second removal: %t, %v", removed, err)
	}
}
