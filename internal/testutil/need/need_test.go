package need

import (
	"fmt"
	"path/filepath"
	"testing"
)

// recorder is a TB that records which of Skipf and Fatalf was called.
type recorder struct{ skipped, failed string }

func (r *recorder) Helper()                          {}
func (r *recorder) Skipf(format string, args ...any) { r.skipped = fmt.Sprintf(format, args...) }
func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = fmt.Sprintf(format, args...)
}

func TestMissingFailsUnderCI(t *testing.T) {
	t.Setenv("CI", "true")
	var r recorder
	Python(&r, "2.1-not-installed")
	if r.failed == "" || r.skipped != "" {
		t.Errorf("CI=true: failed %q, skipped %q; want a failure", r.failed, r.skipped)
	}
}

func TestMissingSkipsLocally(t *testing.T) {
	t.Setenv("CI", "")
	var r recorder
	Python(&r, "2.1-not-installed")
	if r.skipped == "" || r.failed != "" {
		t.Errorf("no CI: failed %q, skipped %q; want a skip", r.failed, r.skipped)
	}
}

func TestPythonFound(t *testing.T) {
	if p := Python(t, "3"); !filepath.IsAbs(p) {
		t.Errorf("python3: got %q, want the interpreter's absolute path", p)
	}
}
