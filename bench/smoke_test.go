// Package bench holds the side-by-side benchmark harness of issue 8 (compare.sh and its driver);
// this test runs the harness on tiny inputs so that it cannot rot. It asserts that every case ran
// and the table was printed, never the timings.
package bench

import (
	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/need"
	"os"
	"os/exec"
	"strings"
	"testing"
)

func TestCompareSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("benchmark smoke skipped in -short mode")
	}
	for _, tool := range []string{"bash", "python3", "go", "/usr/bin/time", "bc"} {
		need.Tool(t, tool, "bench/compare.sh needs it; .ci/run installs time and bc")
	}
	cmd := exec.Command("bash", "compare.sh", "--smoke")
	cmd.Env = append(os.Environ(), "BENCH_REPS=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("bench/compare.sh --smoke: %v\n%s", err, out)
	}
	want := []string{
		"| (a) zip runtime, baseline: pip install --target + zipfile | 1 |",
		"| (a) zip runtime, ours cold: zips written straight from the wheels | 1 |",
		"| (b) zip runtime, ours rerun unchanged (cache hit) | 1 |",
		"| (b') zip runtime, ours rerun unchanged, hash-locked (cache hit, no pip) | 1 |",
		"| bytes uploaded on unchanged zip rerun, hash-locked | 0 | 0 | met |",
		"| zip a 1 GB tree (ours) | 1 |",
		"| binary start to first log line | 3 |",
		"| zip cold build, ours / baseline |",
		"| bytes uploaded on unchanged zip rerun | 0 | 0 | met |",
	}
	if _, err := exec.LookPath("buildah"); err == nil {
		if _, err := os.Stat("/bin/busybox"); err == nil {
			want = append(want,
				"| (c) image, baseline: buildah build + buildah push | 1 |",
				"| (c) image, ours: image.Assemble (layers compressed once, to files) + registry.Push | 1 |",
				"| blobs uploaded on unchanged re-push | 0 | 0 | met |")
		}
	}
	for _, w := range want {
		if !strings.Contains(string(out), w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}
