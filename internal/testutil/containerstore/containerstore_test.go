package containerstore

import (
	"os"
	"runtime"
	"strings"
	"testing"
)

// TestStorageConf: the configuration names the driver the probe chose and roots under the test's
// own directory; as root on Linux, where this machine mounts overlayfs, the driver is overlay.
func TestStorageConf(t *testing.T) {
	conf := StorageConf(t)
	data, err := os.ReadFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	d := Driver()
	if d != "overlay" && d != "vfs" {
		t.Fatalf("Driver() = %q", d)
	}
	for _, want := range []string{`driver = "` + d + `"`, `graphroot = "` + strings.TrimSuffix(conf, "storage.conf") + `graph"`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("storage.conf lacks %s:\n%s", want, data)
		}
	}
	if runtime.GOOS == "linux" && os.Geteuid() == 0 && d != "overlay" {
		t.Logf("overlay does not mount here: the container tests use vfs (slower)")
	}
}
