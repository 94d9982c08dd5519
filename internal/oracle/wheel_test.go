package oracle

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// cacheDir is where real Lithops wheels are installed, one directory per version, shared by every
// run and never committed: LITHOPS_ORACLE_CACHE, else the user cache directory.
func cacheDir(t *testing.T) string {
	if d := os.Getenv("LITHOPS_ORACLE_CACHE"); d != "" {
		return d
	}
	d, err := os.UserCacheDir()
	if err != nil {
		t.Fatalf("no cache directory for the Lithops wheels (set LITHOPS_ORACLE_CACHE): %v", err)
	}
	return filepath.Join(d, "lithops-runtime-action", "oracle")
}

var installMu sync.Mutex

// pipEnv is the environment pip runs with: the real index (PyPI), whatever other tests set.
func pipEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PIP_NO_INDEX=") || strings.HasPrefix(kv, "PIP_FIND_LINKS=") || strings.HasPrefix(kv, "PIP_INDEX_URL=") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "PIP_DISABLE_PIP_VERSION_CHECK=1", "PIP_ROOT_USER_ACTION=ignore")
}

// lithopsSite returns a directory holding the real lithops==version from PyPI, installed with
// pip install --no-deps --target (downloaded once; later runs reuse the cache).
func lithopsSite(t *testing.T, python, version string) string {
	t.Helper()
	dir := filepath.Join(cacheDir(t), "lithops-"+version)
	site := filepath.Join(dir, "site")
	if _, err := os.Stat(filepath.Join(site, "lithops", "version.py")); err == nil {
		return site
	}
	installMu.Lock() // one pip at a time: the machine is shared
	defer installMu.Unlock()
	if _, err := os.Stat(filepath.Join(site, "lithops", "version.py")); err == nil {
		return site
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	tmp, err := os.MkdirTemp(dir, "install-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	run := func(args ...string) {
		cmd := exec.Command(python, append([]string{"-m", "pip"}, args...)...)
		cmd.Env = pipEnv()
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("pip %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	wheels := filepath.Join(tmp, "wheels")
	run("download", "--no-deps", "--only-binary", ":all:", "-d", wheels, "lithops=="+version)
	found, _ := filepath.Glob(filepath.Join(wheels, "lithops-*.whl"))
	if len(found) != 1 {
		t.Fatalf("pip download lithops==%s: want one wheel, found %v", version, found)
	}
	run("install", "--no-deps", "--no-compile", "--target", filepath.Join(tmp, "site"), found[0])
	if err := os.Rename(filepath.Join(tmp, "site"), site); err != nil {
		if _, serr := os.Stat(filepath.Join(site, "lithops", "version.py")); serr != nil {
			t.Fatalf("installing lithops==%s into the cache: %v", version, err)
		}
	}
	return site
}
