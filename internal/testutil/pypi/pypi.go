// Package pypi gives tests real wheels from PyPI: `pip download` of a request for a target
// platform, run once and kept under the user cache directory (never in the repository), so that
// reruns are offline and fast.
package pypi

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/pip"
)

// CacheDir is where the downloads are kept: $LITHOPS_RUNTIME_TEST_CACHE, else
// <user cache dir>/lithops-runtime-action-tests.
func CacheDir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("LITHOPS_RUNTIME_TEST_CACHE"); d != "" {
		return d
	}
	if userCacheErr != nil {
		t.Fatalf("no cache directory for the PyPI downloads (set LITHOPS_RUNTIME_TEST_CACHE): %v", userCacheErr)
	}
	return filepath.Join(userCacheDir, "lithops-runtime-action-tests")
}

// userCacheDir is the user cache directory as the process started with it: captured when the
// package is initialised, before a TestMain points XDG_CACHE_HOME at a run's own directory (as
// internal/cli's does for the tool's build cache), so that downloads stay cached across runs.
var userCacheDir, userCacheErr = os.UserCacheDir()

// Wheels returns a directory holding the wheels of reqs themselves (no dependencies), downloaded
// once like Wheelhouse: a find-links wheelhouse of, e.g., the real lithops==3.7.0.
func Wheels(t testing.TB, reqs ...string) string {
	t.Helper()
	args := append([]string{"-m", "pip", "download", "--disable-pip-version-check", "--no-input", "--quiet",
		"--no-deps", "--only-binary=:all:"}, reqs...)
	return download(t, args)
}

// Wheelhouse returns a directory holding the wheels pip downloads from PyPI for reqs (with their
// dependencies, binary only) for platform p: a find-links wheelhouse. The first call downloads
// (PyPI must be reachable); later calls with the same arguments reuse the directory.
func Wheelhouse(t testing.TB, p pip.Platform, reqs ...string) string {
	t.Helper()
	args := []string{"-m", "pip", "download", "--disable-pip-version-check", "--no-input", "--quiet",
		"--implementation", "cp", "--python-version", p.Python, "--only-binary=:all:"}
	for _, tag := range p.Tags() {
		args = append(args, "--platform", tag)
	}
	args = append(args, reqs...)
	return download(t, args)
}

// Sdists returns a directory holding the source distributions of reqs (no dependencies, no
// wheels), downloaded once like Wheelhouse.
func Sdists(t testing.TB, reqs ...string) string {
	t.Helper()
	args := append([]string{"-m", "pip", "download", "--disable-pip-version-check", "--no-input", "--quiet",
		"--no-deps", "--no-binary=:all:", "--no-build-isolation"}, reqs...)
	return download(t, args)
}

func download(t testing.TB, args []string) string {
	t.Helper()
	sum := sha256.Sum256([]byte(strings.Join(args, "\x00")))
	root := filepath.Join(CacheDir(t), "pypi")
	dir := filepath.Join(root, hex.EncodeToString(sum[:8]))
	if _, err := os.Stat(filepath.Join(dir, ".complete")); err == nil {
		return dir
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	tmp, err := os.MkdirTemp(root, "download-*")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	cmd := exec.Command("python3", append(args, "--dest", tmp)...)
	// The download goes to PyPI whatever the test (or the caller) set for its own pip runs.
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); !strings.HasPrefix(k, "PIP_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "PIP_CONFIG_FILE="+os.DevNull)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("downloading from PyPI (python3 %s): %v\n%s\nthese tests need PyPI once; later runs use %s", strings.Join(args, " "), err, out, root)
	}
	if err := os.WriteFile(filepath.Join(tmp, ".complete"), []byte(fmt.Sprintln(args)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		if _, statErr := os.Stat(filepath.Join(dir, ".complete")); statErr != nil {
			t.Fatalf("keeping the download: %v", err)
		}
		// Another test process stored the same download first.
	}
	return dir
}
