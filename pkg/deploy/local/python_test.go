package local

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/need"
)

// realPython returns the real interpreter of version, or skips: the tests need python3.X on PATH
// (run them with PYENV_VERSION=3.11.7:3.12.1:3.10.13:3.9.18:3.13.0 on the dev machine, or
// actions/setup-python in CI).
func realPython(t *testing.T, version string) string {
	t.Helper()
	p, err := FindPython(context.Background(), version, nil)
	if err != nil {
		need.Missing(t, "Python %s on PATH: %v", version, err)
	}
	return p
}

// writeExecutable writes a program named name into dir.
func writeExecutable(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o755); err != nil {
		t.Fatal(err)
	}
}

func TestFindPythonFound(t *testing.T) {
	py312 := realPython(t, "3.12")
	tests := []struct {
		name string
		// script: dir holds a script, not an interpreter; FindPython must see through it.
		script bool
		setup  func(t *testing.T, dir string)
	}{
		{"python3.X on PATH", false, func(t *testing.T, dir string) {
			if err := os.Symlink(py312, filepath.Join(dir, "python3.12")); err != nil {
				t.Fatal(err)
			}
		}},
		{"python3 of the version", false, func(t *testing.T, dir string) {
			if err := os.Symlink(py312, filepath.Join(dir, "python3")); err != nil {
				t.Fatal(err)
			}
		}},
		{"python3.X is a failing shim, python3 matches", false, func(t *testing.T, dir string) {
			writeExecutable(t, dir, "python3.12", "#!/bin/sh\necho 'pyenv: python3.12: command not found' >&2\nexit 127\n")
			if err := os.Symlink(py312, filepath.Join(dir, "python3")); err != nil {
				t.Fatal(err)
			}
		}},
		{"python3.X is a wrapper script (like a pyenv shim)", true, func(t *testing.T, dir string) {
			writeExecutable(t, dir, "python3.12", "#!/bin/sh\nexec "+py312+" \"$@\"\n")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.setup(t, dir)
			got, err := FindPython(context.Background(), "3.12", LookPathIn(dir))
			if err != nil {
				t.Fatalf("FindPython: %v", err)
			}
			// The interpreter, not a wrapper script in dir: it runs with no environment.
			if tt.script && strings.HasPrefix(got, dir) {
				t.Errorf("FindPython = %q, want the real interpreter outside %s", got, dir)
			}
			cmd := exec.Command(got, "-I", "-S", "-c", "import sys; print('%d.%d' % sys.version_info[:2])")
			cmd.Env = []string{}
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("running %s with an empty environment: %v", got, err)
			}
			if v := strings.TrimSpace(string(out)); v != "3.12" {
				t.Errorf("%s is Python %s, want 3.12", got, v)
			}
		})
	}
}

func TestFindPythonNotFound(t *testing.T) {
	py311 := realPython(t, "3.11")
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string)
		want  []string // substrings of the error
	}{
		{"empty PATH", func(t *testing.T, dir string) {},
			[]string{"no python3.12 interpreter found", "python3.12 is not on PATH", "python3 is not on PATH",
				"actions/setup-python", `python-version: "3.12"`, "pyenv install 3.12"}},
		{"inactive pyenv shim and another python3", func(t *testing.T, dir string) {
			writeExecutable(t, dir, "python3.12", "#!/bin/sh\necho 'pyenv: python3.12: command not found' >&2\nexit 127\n")
			if err := os.Symlink(py311, filepath.Join(dir, "python3")); err != nil {
				t.Fatal(err)
			}
		}, []string{"no python3.12 interpreter found", "does not run", "pyenv: python3.12: command not found",
			"is Python 3.11", "actions/setup-python"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.setup(t, dir)
			_, err := FindPython(context.Background(), "3.12", LookPathIn(dir))
			if err == nil {
				t.Fatal("FindPython succeeded, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestFindPythonBadVersion(t *testing.T) {
	for _, v := range []string{"", "3", "python3.12", "3.12.1", "2.7"} {
		t.Run(v, func(t *testing.T) {
			if _, err := FindPython(context.Background(), v, LookPathIn(t.TempDir())); err == nil {
				t.Errorf("FindPython(%q) succeeded, want an error", v)
			}
		})
	}
}

func TestHostCachesDiscovery(t *testing.T) {
	realPython(t, "3.12")
	var calls atomic.Int32
	h := NewHost(WithLookPath(func(file string) (string, error) {
		calls.Add(1)
		return exec.LookPath(file)
	}))
	code := writeCode(t, map[string]string{"entry_point.py": "def lambda_handler(e, c):\n    return 1\n"})
	for range 3 {
		res, err := h.Invoke(context.Background(), Function{Name: "f", CodeDir: code, Handler: "entry_point.lambda_handler",
			Python: "3.12", Timeout: 10 * time.Second}, []byte("{}"))
		if err != nil {
			t.Fatal(err)
		}
		if string(res.Payload) != "1" {
			t.Fatalf("payload %q, want 1", res.Payload)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("lookPath called %d times for 3 invocations, want 1", n)
	}
}
