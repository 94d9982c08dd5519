package pip_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/wheelhouse"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/pip"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/need"
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
	return need.Python(t, version)
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
	ix := pip.Index{NoIndex: true, FindLinks: []string{os.Getenv("PIP_FIND_LINKS")}}
	_, err := pip.NewInstaller(pip.WithIndex(ix)).InstallRequirements(context.Background(), pip.InstallRequest{
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

// lockFor writes a pip-compile style hash-locked requirements file pinning every wheel of the
// fixture wheelhouse named in names.
func lockFor(t *testing.T, names ...string) string {
	t.Helper()
	wheels, _ := filepath.Glob(filepath.Join(os.Getenv("PIP_FIND_LINKS"), "*.whl"))
	var b strings.Builder
	b.WriteString("# generated like pip-compile --generate-hashes\n")
	for _, n := range names {
		found := false
		for _, w := range wheels {
			parts := strings.Split(filepath.Base(w), "-")
			if pep503(parts[0]) != pep503(n) {
				continue
			}
			data, err := os.ReadFile(w)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%s==%s \\\n    --hash=sha256:%x\n    # via -r requirements.in\n", n, parts[1], sha256.Sum256(data))
			found = true
		}
		if !found {
			t.Fatalf("no wheel of %s in the fixture wheelhouse", n)
		}
	}
	f := filepath.Join(t.TempDir(), "requirements.txt")
	if err := os.WriteFile(f, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

// A hash-locked requirements file (pip-compile --generate-hashes) installs with Lithops' default
// list on top when the lock pins it: pip's hash-checking mode would refuse the unhashed extras.
func TestHashLockedRequirements(t *testing.T) {
	offline(t)
	defaults := []string{"numpy", "requests", "redis", "pika", "cloudpickle", "ps-mem", "tblib", "urllib3<2", "psutil"}
	lock := lockFor(t, "acme-text-utils", "acme-core", "numpy", "requests", "redis", "pika", "cloudpickle", "ps-mem",
		"tblib", "urllib3", "psutil", "certifi", "charset-normalizer", "idna")
	p := pip.Platform{Python: "3.12", Arch: "x86_64", GlibcMajor: 2, GlibcMinor: 26}
	for name, inst := range map[string]*pip.Installer{"pip": pip.NewInstaller(), "wheel installer": pip.NewInstaller(pip.WithWheelInstaller(0))} {
		t.Run(name, func(t *testing.T) {
			rep, err := inst.InstallRequirements(context.Background(), pip.InstallRequest{
				RequirementFiles: []string{lock}, Requirements: defaults, Target: t.TempDir(), Platform: p,
			})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, d := range rep.Distributions {
				got = append(got, pep503(d.Name))
			}
			sort.Strings(got)
			want := []string{"acme-core", "acme-text-utils", "certifi", "charset-normalizer", "cloudpickle", "idna", "numpy", "pika", "ps-mem", "psutil", "redis", "requests", "tblib", "urllib3"}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("installed (-want +got)\n%s", d)
			}
		})
	}

	// Without the lock's cover, the error names what to add, before pip runs.
	partial := lockFor(t, "acme-text-utils", "acme-core")
	_, err := pip.NewInstaller().InstallRequirements(context.Background(), pip.InstallRequest{
		RequirementFiles: []string{partial}, Requirements: defaults, Target: t.TempDir(), Platform: p,
	})
	var le *pip.LockError
	if !errors.As(err, &le) || len(le.Missing) != len(defaults) {
		t.Errorf("got %v, want a LockError naming the 9 defaults", err)
	}

	// A hash that does not match the wheel: pip's own refusal comes through.
	data, _ := os.ReadFile(lock)
	bad := filepath.Join(t.TempDir(), "requirements.txt")
	os.WriteFile(bad, []byte(strings.Replace(string(data), "--hash=sha256:", "--hash=sha256:0", 1)[:len(data)]), 0o644)
	_, err = pip.NewInstaller(pip.WithWheelInstaller(0)).InstallRequirements(context.Background(), pip.InstallRequest{
		RequirementFiles: []string{bad}, Requirements: defaults, Target: t.TempDir(), Platform: p,
	})
	if err == nil || !strings.Contains(err.Error(), "HASH") {
		t.Errorf("a wrong hash: %v", err)
	}
	// Located at the requirement whose hash does not match (the first one, line 2).
	var ie *pip.InstallError
	if !errors.As(err, &ie) {
		t.Fatalf("a wrong hash: %T %v, want an InstallError", err, err)
	}
	if f, n := ie.Location(); f != bad || n != 2 {
		t.Errorf("a wrong hash located at %s:%d, want %s:2", f, n, bad)
	}
}

func pep503(name string) string {
	return strings.ToLower(strings.NewReplacer("_", "-", ".", "-").Replace(name))
}
