package wheelhouse

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/need"
)

// pyenvVersions makes python3.9 ... python3.13 resolvable through the pyenv shims.
const pyenvVersions = "3.11.7:3.12.1:3.10.13:3.9.18:3.13.0"

// python312 returns the python3.12 command's environment (offline pip on wheelhouse), skipping
// the test when python3.12 with pip is not installed.
func python312(t *testing.T, wheelhouse string) []string {
	t.Helper()
	env := append(os.Environ(),
		"PYENV_VERSION="+pyenvVersions,
		"PIP_NO_INDEX=1",
		"PIP_FIND_LINKS="+wheelhouse,
		"PIP_DISABLE_PIP_VERSION_CHECK=1",
		"PIP_CONFIG_FILE="+os.DevNull,
	)
	need.Python(t, "3.12")
	cmd := exec.Command("python3.12", "-m", "pip", "--version")
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		need.Missing(t, "python3.12 -m pip does not run: %v\n%s", err, out)
	}
	return env
}

// pipInstall runs the project's platform-targeted pip install of reqs into target.
func pipInstall(env []string, target string, platform string, extra ...string) (string, error) {
	args := []string{"-m", "pip", "install", "--target", target,
		"--platform", platform, "--platform", "manylinux2014_x86_64",
		"--implementation", "cp", "--python-version", "3.12", "--only-binary=:all:", "--no-compile"}
	cmd := exec.Command("python3.12", append(args, extra...)...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// probeScript imports the installed runtime from sys.argv[1] like a Lambda / FC function would,
// invokes both entry points for metadata and prints one JSON object.
const probeScript = `
import json, os, sys
sys.path.insert(0, sys.argv[1])
out = {}
try:
    import acmetext, requests, numpy, redis, pika, urllib3, psutil, six
    import lithops.worker.utils
    from lithops.serverless.backends.aws_lambda import entry_point as aws
    from lithops.serverless.backends.aliyun_fc import entry_point as fc
    out["shout"] = acmetext.shout("  Hello ")
    out["urllib3"] = urllib3.__version__
    out["metadata"] = lithops.worker.utils.get_runtime_metadata()
    class Ctx:
        aws_request_id = "aws-req-1"
        request_id = "fc-req-1"
    out["aws"] = aws.lambda_handler({"get_metadata": {}}, Ctx())
    out["aws_backend"] = [os.environ["__LITHOPS_BACKEND"], os.environ["__LITHOPS_ACTIVATION_ID"]]
    out["fc"] = fc.main(json.dumps({"log_level": 20, "get_metadata": True}), Ctx())
    out["fc_backend"] = [os.environ["__LITHOPS_BACKEND"], os.environ["__LITHOPS_ACTIVATION_ID"]]
    try:
        aws.lambda_handler({"job": 1}, Ctx())
    except NotImplementedError as e:
        out["job"] = str(e)
except Exception as e:
    out["error"] = type(e).__name__ + ": " + str(e)
print(json.dumps(out))
`

// probeResult is probeScript's output.
type probeResult struct {
	Shout      string
	Urllib3    string
	Metadata   *metadata
	AWS        *metadata
	AWSBackend []string `json:"aws_backend"`
	FC         *metadata
	FCBackend  []string `json:"fc_backend"`
	Job        string
	Error      string
}

// metadata is get_runtime_metadata's result.
type metadata struct {
	Preinstalls    [][2]any `json:"preinstalls"`
	PythonVersion  string   `json:"python_version"`
	LithopsVersion string   `json:"lithops_version"`
}

func probe(t *testing.T, env []string, target string) probeResult {
	t.Helper()
	cmd := exec.Command("python3.12", "-I", "-c", probeScript, target)
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("running the probe: %v\n%s", err, out)
	}
	var r probeResult
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("parsing probe output %q: %v", out, err)
	}
	return r
}

// defaultDeps is Lithops' default dependency list for AWS zip runtimes plus a fixture package.
var defaultDeps = []string{"numpy", "requests", "redis", "pika", "cloudpickle", "ps-mem", "tblib", "urllib3<2", "psutil", "acme-text-utils"}

func TestPipInstallsAndRuns(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		opts        Options
		install     string // the lithops requirement
		wantVersion string // lithops_version reported
		wantError   string // probe error instead
	}{
		{"default", Options{}, "lithops==3.7.0", "3.7.0", ""},
		{"second version", Options{Lithops: []string{"3.7.0", "3.6.0"}}, "lithops==3.6.0", "3.6.0", ""},
		{"reported version differs", Options{ReportedVersion: "3.6.0"}, "lithops==3.7.0", "3.6.0", ""},
		{"handler raises", Options{HandlerError: "stand-in failure: broken"}, "lithops==3.7.0", "", "RuntimeError: stand-in failure: broken"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			wheels := filepath.Join(t.TempDir(), "wheels")
			if _, err := Build(wheels, tc.opts); err != nil {
				t.Fatalf("Build: %v", err)
			}
			env := python312(t, wheels)
			target := filepath.Join(t.TempDir(), "target")
			if out, err := pipInstall(env, target, "manylinux_2_17_x86_64", append([]string{tc.install}, defaultDeps...)...); err != nil {
				t.Fatalf("pip install: %v\n%s", err, out)
			}
			got := probe(t, env, target)
			if tc.wantError != "" {
				if diff := cmp.Diff(tc.wantError, got.Error); diff != "" {
					t.Errorf("probe error (-want +got):\n%s", diff)
				}
				return
			}
			if got.Error != "" {
				t.Fatalf("probe failed: %s", got.Error)
			}
			if diff := cmp.Diff("HELLO", got.Shout); diff != "" {
				t.Errorf("acmetext.shout (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff("1.26.18", got.Urllib3); diff != "" {
				t.Errorf("urllib3 version (-want +got):\n%s", diff)
			}
			m := got.Metadata
			if diff := cmp.Diff([]string{"3.12", tc.wantVersion}, []string{m.PythonVersion, m.LithopsVersion}); diff != "" {
				t.Errorf("python_version, lithops_version (-want +got):\n%s", diff)
			}
			pre := map[string]bool{}
			var order []string
			for _, p := range m.Preinstalls {
				name, _ := p[0].(string)
				isPkg, _ := p[1].(bool)
				pre[name] = isPkg
				order = append(order, name)
			}
			for name, wantPkg := range map[string]bool{"acmetext": true, "acme_core": true, "lithops": true, "requests": true,
				"idna": true, "certifi": true, "charset_normalizer": true, "numpy": true, "ps_mem": false, "json": true} {
				if isPkg, ok := pre[name]; !ok || isPkg != wantPkg {
					t.Errorf("preinstalls[%q] = %v (present %v), want %v", name, isPkg, ok, wantPkg)
				}
			}
			if !isSorted(order) {
				t.Errorf("preinstalls are not sorted: %v", order)
			}
			if diff := cmp.Diff(m, got.AWS); diff != "" {
				t.Errorf("lambda_handler get_metadata (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(m, got.FC); diff != "" {
				t.Errorf("aliyun main get_metadata (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"AWS Lambda", "aws-req-1"}, got.AWSBackend); diff != "" {
				t.Errorf("lambda_handler environment (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"Alibaba Function Compute", "fc-req-1"}, got.FCBackend); diff != "" {
				t.Errorf("aliyun main environment (-want +got):\n%s", diff)
			}
			if !strings.HasPrefix(got.Job, "stand-in lithops:") {
				t.Errorf("a job invoke should raise NotImplementedError from the stand-in, got %q", got.Job)
			}
		})
	}
}

// isSorted reports whether names are in Python's sort order (code point order).
func isSorted(names []string) bool {
	for i := 1; i < len(names); i++ {
		if names[i-1] > names[i] {
			return false
		}
	}
	return true
}

func TestLithopsWithoutDepsFailsAtImport(t *testing.T) {
	t.Parallel()
	wheels := filepath.Join(t.TempDir(), "wheels")
	if _, err := Build(wheels, Options{}); err != nil {
		t.Fatalf("Build: %v", err)
	}
	env := python312(t, wheels)
	tests := []struct {
		name        string
		installed   []string // besides lithops, all with --no-deps
		module      string
		wantMissing string
	}{
		{"worker needs tblib", nil, "lithops.worker", "tblib"},
		{"worker needs cloudpickle", []string{"tblib"}, "lithops.worker", "cloudpickle"},
		{"utils needs ps_mem", []string{"tblib", "cloudpickle"}, "lithops.worker.utils", "ps_mem"},
		{"entry point needs ps_mem", []string{"tblib", "cloudpickle"}, "lithops.serverless.backends.aws_lambda.entry_point", "ps_mem"},
		{"complete", []string{"tblib", "cloudpickle", "ps-mem"}, "lithops.serverless.backends.aws_lambda.entry_point", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			target := filepath.Join(t.TempDir(), "target")
			reqs := append([]string{"--no-deps", "lithops==3.7.0"}, tc.installed...)
			if out, err := pipInstall(env, target, "manylinux_2_17_x86_64", reqs...); err != nil {
				t.Fatalf("pip install: %v\n%s", err, out)
			}
			cmd := exec.Command("python3.12", "-I", "-c",
				"import sys; sys.path.insert(0, sys.argv[1])\ntry:\n    import "+tc.module+"\nexcept ModuleNotFoundError as e:\n    print(e.name)", target)
			cmd.Env = env
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("importing %s: %v", tc.module, err)
			}
			if diff := cmp.Diff(tc.wantMissing, strings.TrimSpace(string(out))); diff != "" {
				t.Errorf("missing module (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPipPlatformTags(t *testing.T) {
	t.Parallel()
	wheels := filepath.Join(t.TempDir(), "wheels")
	if _, err := Build(wheels, Options{}); err != nil {
		t.Fatalf("Build: %v", err)
	}
	env := python312(t, wheels)
	tests := []struct {
		platform string
		wantOK   bool
	}{
		{"manylinux_2_17_x86_64", false},
		{"macosx_11_0_arm64", true}, // the control: the wheel itself is valid
	}
	for _, tc := range tests {
		t.Run(tc.platform, func(t *testing.T) {
			t.Parallel()
			target := filepath.Join(t.TempDir(), "target")
			out, err := pipInstall(env, target, tc.platform, "fastnative==2.0.0")
			if tc.wantOK {
				if err != nil {
					t.Fatalf("pip install: %v\n%s", err, out)
				}
				if _, err := os.Stat(filepath.Join(target, "fastnative", "__init__.py")); err != nil {
					t.Errorf("fastnative not installed: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(out, "No matching distribution found for fastnative") {
				t.Errorf("pip install for %s: err %v, want a refusal; output:\n%s", tc.platform, err, out)
			}
		})
	}
}
