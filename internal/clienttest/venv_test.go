package clienttest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// cacheDir is where this package keeps what it installs from PyPI across runs (never committed):
// the client venvs and the managed runtimes' packages, keyed by what was installed.
func cacheDir(t *testing.T) string {
	t.Helper()
	base, err := os.UserCacheDir()
	if err != nil {
		t.Fatalf("no user cache directory: %v", err)
	}
	return filepath.Join(base, "lithops-runtime-action-tests", "clienttest")
}

// cached returns dir/<name>-<hash of what>, creating it with make (into a scratch directory,
// renamed into place when complete, so that an interrupted or concurrent run never leaves or
// reads a half-made one).
func cached(t *testing.T, name string, what []string, make func(dir string) error) string {
	t.Helper()
	sum := sha256.Sum256([]byte(strings.Join(what, "\x00")))
	dir := filepath.Join(cacheDir(t), name+"-"+hex.EncodeToString(sum[:])[:12])
	if _, err := os.Stat(filepath.Join(dir, ".complete")); err == nil {
		return dir
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		t.Fatal(err)
	}
	scratch, err := os.MkdirTemp(filepath.Dir(dir), name+".tmp-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(scratch)
	if err := make(scratch); err != nil {
		t.Fatalf("preparing %s (%v): %v", name, what, err)
	}
	if err := os.WriteFile(filepath.Join(scratch, ".complete"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(scratch, dir); err != nil {
		if _, serr := os.Stat(filepath.Join(dir, ".complete")); serr == nil {
			return dir // another run made it meanwhile
		}
		t.Fatal(err)
	}
	return dir
}

// interpreter finds python<version> on PATH (.ci/run puts pyenv's 3.9-3.13 there).
func interpreter(t *testing.T, version string) string {
	t.Helper()
	p, err := exec.LookPath("python" + version)
	if err == nil {
		err = exec.Command(p, "-c", "import venv, ensurepip").Run()
	}
	if err != nil {
		t.Fatalf("python%s with venv is needed (as .ci/run puts it on PATH): %v", version, err)
	}
	return p
}

// pipRun runs python -m pip with args, the output kept for errors.
func pipRun(python string, args ...string) error {
	cmd := exec.Command(python, append([]string{"-m", "pip"}, args...)...)
	cmd.Env = append(os.Environ(), "PIP_DISABLE_PIP_VERSION_CHECK=1", "PIP_NO_INPUT=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("pip %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// clientVenv returns the python of a venv of python<py> with the given requirements (real
// lithops==V from PyPI and what its backends import), made once and cached.
func clientVenv(t *testing.T, py string, requirements ...string) string {
	t.Helper()
	base := interpreter(t, py)
	dir := cached(t, "venv-py"+py, append([]string{py}, requirements...), func(dir string) error {
		if out, err := exec.Command(base, "-m", "venv", dir).CombinedOutput(); err != nil {
			return fmt.Errorf("venv: %w\n%s", err, out)
		}
		return pipRun(filepath.Join(dir, "bin", "python"), append([]string{"install", "--quiet"}, requirements...)...)
	})
	return filepath.Join(dir, "bin", "python")
}

// runtimePackages returns a directory laid out like a Lambda layer (python/...) holding the
// packages a managed Python runtime includes (installed for python<py> from PyPI), made once.
func runtimePackages(t *testing.T, py string, requirements ...string) string {
	t.Helper()
	base := interpreter(t, py)
	return cached(t, "runtime-py"+py, append([]string{py}, requirements...), func(dir string) error {
		return pipRun(base, append([]string{"install", "--quiet", "--no-compile", "--target", filepath.Join(dir, "python")}, requirements...)...)
	})
}
