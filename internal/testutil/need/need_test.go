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

func TestToolMissingFailsUnderCI(t *testing.T) {
	t.Setenv("CI", "true")
	var r recorder
	if p := Tool(&r, "no-such-tool-7f3a", "install it"); p != "" || r.failed == "" || r.skipped != "" {
		t.Errorf("CI=true: path %q, failed %q, skipped %q; want a failure", p, r.failed, r.skipped)
	}
}

func TestToolFound(t *testing.T) {
	var r recorder
	if p := Tool(&r, "sh", "it is POSIX"); !filepath.IsAbs(p) || r.failed != "" || r.skipped != "" {
		t.Errorf("sh: path %q, failed %q, skipped %q", p, r.failed, r.skipped)
	}
}
