package pip_test

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/pip"
)

// TestSourceOnlyRequirements against real PyPI: docopt publishes only a source distribution of
// pure Python, which is built into a none-any wheel, kept, and planned like any wheel (a second
// installer reuses the built wheel: same bytes); crcmod's source builds a C extension, which is
// refused, naming the wheel pip built here.
func TestSourceOnlyRequirements(t *testing.T) {
	pypiOnly(t)
	built := t.TempDir()
	platform := pip.Platform{Python: "3.12", Arch: "x86_64", GlibcMajor: 2, GlibcMinor: 34}
	ctx := context.Background()
	var sums []string
	for run := 0; run < 2; run++ {
		var logs strings.Builder
		inst := pip.NewInstaller(pip.WithWheelInstaller(0), pip.WithSourceBuilds(built), pip.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
		req := pip.InstallRequest{RequirementFiles: []string{writeReqs(t, "six\ndocopt==0.6.2\n")}, Platform: platform}
		tree, err := inst.PlanRequirements(ctx, req)
		if err != nil {
			t.Fatalf("run %d: %v\n%s", run, err, logs.String())
		}
		files, err := tree.Files()
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, f := range files {
			found = found || f.Name == "docopt.py"
		}
		tree.Close()
		if !found {
			t.Errorf("run %d: docopt.py is not in the tree", run)
		}
		if builds := strings.Contains(logs.String(), "built a pure-Python wheel"); builds != (run == 0) {
			t.Errorf("run %d: built = %v, want a build on the first run only:\n%s", run, builds, logs.String())
		}
		res, err := inst.Resolve(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range res.Distributions {
			if strings.EqualFold(d.Name, "docopt") {
				sums = append(sums, d.SHA256)
			}
		}
	}
	if len(sums) != 2 || sums[0] != sums[1] {
		t.Errorf("the built wheel's hash changed between runs: %v", sums)
	}
	if m, _ := filepath.Glob(filepath.Join(built, "docopt-0.6.2-*none-any.whl")); len(m) != 1 {
		t.Errorf("built wheels kept: %v", m)
	}

	inst := pip.NewInstaller(pip.WithWheelInstaller(0), pip.WithSourceBuilds(built))
	f := writeReqs(t, "six\ncrcmod==1.7\n")
	_, err := inst.Resolve(ctx, pip.InstallRequest{RequirementFiles: []string{f}, Platform: platform})
	var ne *pip.NativeSourceError
	if !errors.As(err, &ne) || !strings.Contains(err.Error(), "builds native code (crcmod-1.7-cp") || !strings.Contains(err.Error(), "dockerfile") {
		t.Fatalf("got %v, want a NativeSourceError naming the native wheel built", err)
	}
	if file, line := ne.Location(); file != f || line != 2 {
		t.Errorf("located at %s:%d, want %s:2", file, line, f)
	}
}
