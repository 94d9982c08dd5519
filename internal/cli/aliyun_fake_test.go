package cli

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"maps"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/fakealiyun"
)

// fcDeploy is one deployment target in the fake Aliyun account.
type fcDeploy struct {
	cloud *fakealiyun.Cloud
	ws    string
	env   map[string]string
	args  []string
}

func newFCDeploy(t *testing.T, lithopsVersion, python string, extra ...string) *fcDeploy {
	t.Helper()
	cloud := fakealiyun.Start(t)
	env := cloud.Env()
	ws := t.TempDir()
	writeFile(t, filepath.Join(ws, "requirements.txt"), "acme-text-utils\n")
	args := append([]string{"--backend", "aliyun_fc", "--fc-endpoint", cloud.FC3.URL, "--oss-endpoint", cloud.OSS.URL,
		"--requirements", "requirements.txt", "--lithops-version", lithopsVersion, "--python-version", python, "--memory", "256,512"}, extra...)
	if strings.HasPrefix(lithopsVersion, "3.6") {
		args[3] = cloud.FC2.URL
	}
	return &fcDeploy{cloud: cloud, ws: ws, env: env, args: args}
}

func (d *fcDeploy) run(t *testing.T, extra ...string) *session {
	t.Helper()
	return runMain(t, d.ws, d.env, append(append([]string{}, d.args...), extra...)...)
}

// fcName computes the contract's FC function name independently of pkg/lithops:
// lithops-worker-<runtime>-v<ver with dashes>-<sha1(runtime-memory-version)[:10]>.
func fcName(runtime string, memory int, version string) string {
	sum := sha1.Sum([]byte(runtime + "-" + itoa(memory) + "-" + version))
	return "lithops-worker-" + runtime + "-v" + strings.ReplaceAll(version, ".", "-") + "-" + hex.EncodeToString(sum[:])[:10]
}

// fcBucket is Lithops' default OSS bucket: lithops-<region>-<sha1(access key id + account id)[:12]>.
func fcBucket(region, accessKeyID, account string) string {
	sum := sha1.Sum([]byte(accessKeyID + account))
	return "lithops-" + region + "-" + hex.EncodeToString(sum[:])[:12]
}

// fcFunction reads a function of either generation.
func (d *fcDeploy) function(name string, fc2Service string) (fakealiyun.FunctionState, bool) {
	if fc2Service != "" {
		return d.cloud.Function2(fc2Service, name)
	}
	return d.cloud.Function3(name)
}

// testFCLifecycle deploys a zip runtime with the user's requirement, redeploys unchanged, adds a
// requirement, and deploys a failing runtime, on one FC API generation.
func testFCLifecycle(t *testing.T, lithopsVersion, python, runtime, service string) {
	offline(t, fcWheels)
	d := newFCDeploy(t, lithopsVersion, python)
	first := d.run(t)
	if first.code != 0 {
		t.Fatalf("first deploy: exit %d\n%s", first.code, first.stderr.String())
	}
	out := first.outputs()
	fns := []string{fcName(runtime, 256, lithopsVersion), fcName(runtime, 512, lithopsVersion)}
	bucket := fcBucket(fakealiyun.DefaultRegion, fakealiyun.AccessKeyID, fakealiyun.DefaultAccountID)
	key := "aliyun_fc/" + lithopsVersion + "/" + fakealiyun.DefaultRegion + "/"
	if service != "" {
		key += service + "/"
	}
	metaKey := "lithops.runtimes/" + key + fns[0] + ".meta.json"
	want := map[string]string{"runtime-name": runtime, "function-name": fns[0], "runtime-key": key + fns[0], "metadata-key": metaKey,
		"python-version": python, "lithops-version": lithopsVersion, "changed": "true", "layer-arn": ""}
	for k, w := range want {
		if out[k] != w {
			t.Errorf("output %s = %q, want %q", k, out[k], w)
		}
	}
	for i, fn := range fns {
		st, ok := d.function(fn, service)
		if !ok {
			t.Fatalf("function %s missing", fn)
		}
		c := st.Config
		if c.Runtime != "python"+python || c.Handler != "entry_point.main" || int(c.MemorySize) != []int{256, 512}[i] || c.Timeout != 300 {
			t.Errorf("function %s: %+v", fn, c)
		}
		body, ok := d.cloud.Object(bucket, "lithops.runtimes/"+key+fn+".meta.json")
		if !ok {
			t.Fatalf("no metadata for %s in %s: %v", fn, bucket, d.cloud.Objects(bucket))
		}
		var md map[string]any
		if err := json.Unmarshal(body, &md); err != nil || md["python_version"] != python || md["runtime_timeout"] != float64(300) {
			t.Errorf("metadata of %s: %s", fn, body)
		}
		// The user's requirement is in the runtime: Lithops 3.7's own FC build would have dropped it.
		if !strings.Contains(string(body), `"acmetext"`) {
			t.Errorf("the requirement's module is not in the runtime's preinstalls: %s", body)
		}
	}
	if service != "" {
		if got := d.cloud.Services(); !cmp.Equal(got, []string{service}) {
			t.Errorf("services %v, want [%s]", got, service)
		}
	}

	// Unchanged: nothing uploaded or changed.
	d.cloud.ResetCalls()
	second := d.run(t)
	if second.code != 0 || second.outputs()["changed"] != "false" {
		t.Fatalf("unchanged redeploy: exit %d changed=%s\n%s", second.code, second.outputs()["changed"], second.stderr.String())
	}
	if m := d.cloud.MutatingCalls(); len(m) != 0 {
		t.Errorf("unchanged redeploy made mutating calls: %+v", m)
	}

	// A requirement more: the code (one zip on FC) is updated in place.
	before, _ := d.function(fns[0], service)
	writeFile(t, filepath.Join(d.ws, "requirements.txt"), "acme-text-utils\nidna\n")
	third := d.run(t)
	if third.code != 0 || third.outputs()["changed"] != "true" {
		t.Fatalf("requirement change: exit %d\n%s", third.code, third.stderr.String())
	}
	after, _ := d.function(fns[0], service)
	if after.Config.CodeChecksum == before.Config.CodeChecksum || after.Config.FunctionID != before.Config.FunctionID {
		t.Errorf("requirement change: checksum %s -> %s, id %s -> %s (want a new checksum, the same function)", before.Config.CodeChecksum, after.Config.CodeChecksum, before.Config.FunctionID, after.Config.FunctionID)
	}

	// A failing runtime: restored exactly, no metadata written.
	good := map[string]fakealiyun.FunctionState{}
	for _, fn := range fns {
		good[fn], _ = d.function(fn, service)
	}
	metaBefore, _ := d.cloud.Object(bucket, metaKey)
	offline(t, fcRaisingWheels)
	env, outFile, _ := actionsEnv(t, nil)
	maps.Copy(env, d.env)
	failing := runMain(t, d.ws, env, d.args...)
	if failing.code != 1 {
		t.Fatalf("failing runtime: exit %d, want 1\n%s", failing.code, failing.stdout.String())
	}
	for _, w := range []string{"stand-in failure: the runtime is broken", "restored"} {
		if !strings.Contains(failing.stdout.String(), w) {
			t.Errorf("failing runtime: log lacks %q:\n%s", w, failing.stdout.String())
		}
	}
	if data := readFileString(t, outFile); data != "" {
		t.Errorf("failing runtime published outputs: %s", data)
	}
	for _, fn := range fns {
		now, _ := d.function(fn, service)
		if diff := cmp.Diff(fcComparable(good[fn]), fcComparable(now)); diff != "" {
			t.Errorf("function %s not restored (-before +after):\n%s", fn, diff)
		}
	}
	if metaNow, _ := d.cloud.Object(bucket, metaKey); string(metaNow) != string(metaBefore) {
		t.Error("the failing run changed the metadata")
	}
}

// fcComparable drops what FC changes on every write.
func fcComparable(st fakealiyun.FunctionState) fakealiyun.FunctionState {
	st.Config.LastModifiedTime = ""
	return st
}

func TestAliyunFC3ZipRuntimeLifecycle(t *testing.T) {
	testFCLifecycle(t, "3.7.0", "3.12", "default-python-runtime-v312", "")
}

func TestAliyunFC2ZipRuntimeLifecycle(t *testing.T) {
	testFCLifecycle(t, "3.6.0", "3.10", "default-runtime-v310", "lithops_"+strings.ToLower(fakealiyun.AccessKeyID[:4]))
}

// TestAliyunFCNameLimit: a runtime name whose function name would exceed FC's 64 characters is an
// input error, before any call.
func TestAliyunFCNameLimit(t *testing.T) {
	offline(t, fcWheels)
	d := newFCDeploy(t, "3.7.0", "3.12", "--runtime-name", strings.Repeat("r", 40))
	s := d.run(t)
	if s.code != 1 || !strings.Contains(s.stderr.String(), "over FC's limit of 64") {
		t.Errorf("exit %d\n%s", s.code, s.stderr.String())
	}
	if len(d.cloud.Calls()) != 0 {
		t.Errorf("calls before the input error: %+v", d.cloud.Calls())
	}
}
