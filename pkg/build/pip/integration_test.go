package pip_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/wheelhouse"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/pip"
)

// offline builds the fixture wheelhouse and points pip at it only.
func offline(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	if _, err := wheelhouse.Build(dir, wheelhouse.Options{}); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PIP_NO_INDEX", "1")
	t.Setenv("PIP_FIND_LINKS", dir)
	t.Setenv("PIP_CONFIG_FILE", os.DevNull)
}

// requirePython returns the real interpreter of a version, or skips.
func requirePython(t *testing.T, version string) string {
	t.Helper()
	out, err := exec.Command("python"+version, "-c", "import sys; print(sys.executable)").Output()
	if err != nil {
		t.Skipf("python%s is not runnable here (set PYENV_VERSION as .ci/run does): %v", version, err)
	}
	return strings.TrimSpace(string(out))
}

func TestInstallFromWheelhouse(t *testing.T) {
	offline(t)
	for _, target := range []string{"3.12", "3.10"} { // pip runs on the host's python3 (3.11)
		t.Run(target, func(t *testing.T) {
			py := requirePython(t, target)
			dir := t.TempDir()
			reqs := filepath.Join(dir, "requirements.txt")
			os.WriteFile(reqs, []byte("# comment\nacme-text-utils>=1.0\n"), 0o644)
			deps := filepath.Join(dir, "deps")
			p := pip.Platform{Python: target, Arch: "x86_64", GlibcMajor: 2, GlibcMinor: 26}
			inst := pip.NewInstaller()
			rep, err := inst.InstallRequirements(context.Background(), pip.InstallRequest{
				RequirementFiles: []string{reqs}, Requirements: []string{"ps-mem", "urllib3<2", "tblib", "cloudpickle"}, Target: deps, Platform: p,
			})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]pip.Distribution{}
			for _, d := range rep.Distributions {
				if d.Version == "" {
					t.Errorf("%s: no version in the report", d.Name)
				}
				d.Version = ""
				got[d.Name] = d
			}
			want := map[string]pip.Distribution{
				"acme-text-utils": {Name: "acme-text-utils", Requested: true, TopLevel: []string{"acmetext"}},
				"acme-core":       {Name: "acme-core", TopLevel: []string{"acme_core"}},
				"ps_mem":          {Name: "ps_mem", Requested: true, TopLevel: []string{"ps_mem"}},
				"urllib3":         {Name: "urllib3", Requested: true, TopLevel: []string{"urllib3"}},
				"tblib":           {Name: "tblib", Requested: true, TopLevel: []string{"tblib"}},
				"cloudpickle":     {Name: "cloudpickle", Requested: true, TopLevel: []string{"cloudpickle"}},
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("report (-want +got)\n%s", d)
			}
			for _, d := range rep.Distributions {
				if d.Name == "urllib3" && !strings.HasPrefix(d.Version, "1.") {
					t.Errorf("urllib3<2 gave %s", d.Version)
				}
			}
			if pyc, _ := filepath.Glob(filepath.Join(deps, "*", "__pycache__")); len(pyc) > 0 {
				t.Errorf("--no-compile ignored: %v", pyc)
			}

			code := filepath.Join(dir, "code")
			ep := "lithops/serverless/backends/aws_lambda/entry_point.py"
			if err := inst.InstallLithops(context.Background(), "3.7.0", code, p, ep); err != nil {
				t.Fatal(err)
			}
			entries, _ := os.ReadDir(code)
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			sort.Strings(names)
			if d := cmp.Diff([]string{"entry_point.py", "lithops", "lithops-3.7.0.dist-info"}, names); d != "" {
				t.Errorf("function code (-want +got)\n%s", d)
			}
			// The installed tree imports under the target interpreter, isolated from the host's site-packages.
			script := "import sys; sys.path[:0] = [sys.argv[1], sys.argv[2]]; import acmetext, acme_core, ps_mem, entry_point, lithops.worker.utils as u; " +
				"m = u.get_runtime_metadata(); print(m['python_version'], m['lithops_version'], ['acmetext', True] in m['preinstalls'])"
			out, err := exec.Command(py, "-I", "-c", script, code, deps).CombinedOutput()
			if err != nil {
				t.Fatalf("importing the installed runtime: %v\n%s", err, out)
			}
			if got := strings.TrimSpace(string(out)); got != target+" 3.7.0 True" {
				t.Errorf("metadata from the installed runtime: %q", got)
			}
		})
	}
}

func TestOtherPlatformWheelRefused(t *testing.T) {
	offline(t)
	_, err := pip.NewInstaller().InstallRequirements(context.Background(), pip.InstallRequest{
		Requirements: []string{"fastnative"}, Target: t.TempDir(),
		Platform: pip.Platform{Python: "3.12", Arch: "x86_64", GlibcMajor: 2, GlibcMinor: 34},
	})
	var nw *pip.NoWheelError
	if !errors.As(err, &nw) || nw.Package != "fastnative" {
		t.Fatalf("got %v, want a NoWheelError for fastnative", err)
	}
	if !strings.Contains(err.Error(), "Python 3.12") || !strings.Contains(err.Error(), "x86_64") {
		t.Errorf("error lacks the platform: %v", err)
	}
}
