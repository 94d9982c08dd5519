// Package containerstore gives tests container storage of their own for buildah and podman:
// a storage.conf under a test's temporary directory, with the fastest driver this machine runs.
//
// overlay where overlayfs mounts here (root, a kernel with overlay, a temporary directory that can
// hold an upper directory): a build on a 400 MB base then takes a third of the time and half the
// CPU it takes with vfs, which copies the whole root filesystem for every working container and
// compares trees file by file at every commit. vfs elsewhere. GitHub's Ubuntu runners use overlay
// too; the tool passes no driver, so the builder uses what storage.conf says.
package containerstore

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Driver returns "overlay" when an overlay mount works in a temporary directory here, else "vfs".
// The probe runs once per process.
var Driver = sync.OnceValue(func() string {
	if probeOverlay() {
		return "overlay"
	}
	return "vfs"
})

// StorageConf writes a storage.conf for storage under a temporary directory of t (Driver, graph
// and run roots of its own) and returns its path, for CONTAINERS_STORAGE_CONF. After the test,
// working containers a failed build left are removed (buildah rm --all) and any mount still under
// the storage is unmounted, so that the temporary directory can be removed.
func StorageConf(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	graph, run := filepath.Join(dir, "graph"), filepath.Join(dir, "run")
	conf := filepath.Join(dir, "storage.conf")
	data := fmt.Sprintf("[storage]\ndriver = %q\ngraphroot = %q\nrunroot = %q\n", Driver(), graph, run)
	if err := os.WriteFile(conf, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := os.Stat(graph); err != nil {
			return // nothing was stored
		}
		if buildah, err := exec.LookPath("buildah"); err == nil {
			cmd := exec.Command(buildah, "rm", "--all")
			cmd.Env = append(os.Environ(), "CONTAINERS_STORAGE_CONF="+conf)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Logf("removing working containers from %s: %v\n%s", graph, err, out)
			}
		}
		for _, m := range mountsUnder(dir) {
			if err := unmount(m); err != nil {
				t.Logf("unmounting %s: %v", m, err)
			}
		}
	})
	return conf
}

// mountsUnder lists the mount points under dir, deepest first.
func mountsUnder(dir string) []string {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil
	}
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) > 4 && strings.HasPrefix(f[4], dir+string(os.PathSeparator)) {
			out = append(out, f[4])
		}
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}
