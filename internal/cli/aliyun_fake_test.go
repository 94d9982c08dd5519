package cli

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"io"
	"log"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/fakealiyun"
	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/imagerunner"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/lithops"
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

// fcBucket is Lithops' default OSS bucket for the clients of a Lithops version (its formula changed
// in 3.7.0; internal/oracle compares lithops.DefaultOSSBucket with Lithops' own code).
func fcBucket(version, region, accessKeyID, account string) string {
	return lithops.DefaultOSSBucket(lithops.MustParseVersion(version), region, accessKeyID, account)
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
	parallelOffline(t, fcWheels)
	d := newFCDeploy(t, lithopsVersion, python)
	first := d.run(t)
	if first.code != 0 {
		t.Fatalf("first deploy: exit %d\n%s", first.code, first.stderr.String())
	}
	out := first.outputs()
	fns := []string{fcName(runtime, 256, lithopsVersion), fcName(runtime, 512, lithopsVersion)}
	bucket := fcBucket(lithopsVersion, fakealiyun.DefaultRegion, fakealiyun.AccessKeyID, fakealiyun.DefaultAccountID)
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
	useWheels(t, fcRaisingWheels)
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
	// The AccessKey never reaches a log, on success or failure (only the ::add-mask:: commands,
	// which the runner consumes, name it).
	addMask := regexp.MustCompile(`(?m)^::add-mask::.*$`)
	for _, sess := range []*session{first, second, third, failing} {
		for _, secret := range []string{fakealiyun.AccessKeySecret, fakealiyun.AccessKeyID} {
			if all := addMask.ReplaceAllString(sess.stdout.String()+sess.stderr.String(), ""); strings.Contains(all, secret) {
				i := strings.Index(all, secret)
				t.Errorf("the log holds the credential %q: ...%s...", secret, all[max(0, i-300):min(len(all), i+100)])
			}
		}
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
	parallelOffline(t, fcWheels)
	d := newFCDeploy(t, "3.7.0", "3.12", "--runtime-name", strings.Repeat("r", 40))
	s := d.run(t)
	if s.code != 1 || !strings.Contains(s.stderr.String(), "over FC's limit of 64") {
		t.Errorf("exit %d\n%s", s.code, s.stderr.String())
	}
	if len(d.cloud.Calls()) != 0 {
		t.Errorf("calls before the input error: %+v", d.cloud.Calls())
	}
}

// TestAliyunFCCustomContainerFromRequirements builds an FC custom-container runtime without Docker
// (the requirements, Lithops and dockerfiles/aliyun_fc's server on a Python base image), runs it on
// this machine before pushing, pushes it to the registry, deploys it as a custom container pinned
// by digest and smoke-tests it through FC's HTTP contract; the second run changes nothing.
func TestAliyunFCCustomContainerFromRequirements(t *testing.T) {
	parallelOffline(t, fcWheels)
	base := serveLambdaBase(t, "3.12") // any image with python3 on PATH serves as the base
	acr := httptest.NewServer(ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(acr.Close)
	repo := strings.TrimPrefix(acr.URL, "http://") + "/lithops/runtimes"
	d := newFCDeploy(t, "3.7.0", "3.12", "--package-type", "image", "--registry", repo, "--base-image", base, "--memory", "512")
	d.cloud.ContainerInvoker = imagerunner.FC(t, nil)

	first := d.run(t)
	if first.code != 0 {
		t.Fatalf("exit %d\n%s", first.code, first.stderr.String())
	}
	out := first.outputs()
	fn := fcName("default-container-runtime-v312", 512, "3.7.0")
	if out["function-name"] != fn || out["package-type"] != "image" || !strings.HasPrefix(out["image-uri"], repo+"@sha256:") || out["image-digest"] == "" {
		t.Errorf("outputs: %v", out)
	}
	if !strings.Contains(first.stderr.String(), "the image answered Lithops' metadata request on this machine") {
		t.Errorf("the image was not run locally before the push:\n%s", first.stderr.String())
	}
	st, ok := d.cloud.Function3(fn)
	if !ok || st.Config.Runtime != "custom-container" || !strings.Contains(string(st.Config.CustomContainerConfig), out["image-uri"]) {
		t.Fatalf("function %s: %+v %s", fn, st.Config, st.Config.CustomContainerConfig)
	}
	bucket := fcBucket("3.7.0", fakealiyun.DefaultRegion, fakealiyun.AccessKeyID, fakealiyun.DefaultAccountID)
	body, ok := d.cloud.Object(bucket, "lithops.runtimes/aliyun_fc/3.7.0/cn-hangzhou/"+fn+".meta.json")
	if !ok || !strings.Contains(string(body), `"acmetext"`) || !strings.Contains(string(body), `"python_version": "3.12"`) {
		t.Errorf("metadata: %s (found %v)", body, ok)
	}

	d.cloud.ResetCalls()
	second := d.run(t)
	if second.code != 0 || second.outputs()["changed"] != "false" || second.outputs()["image-digest"] != out["image-digest"] {
		t.Errorf("second run: exit %d changed=%s digest %s\n%s", second.code, second.outputs()["changed"], second.outputs()["image-digest"], second.stderr.String())
	}
	if m := d.cloud.MutatingCalls(); len(m) != 0 {
		t.Errorf("second run made mutating calls: %+v", m)
	}
}

// dockerfiles/aliyun_fc and Lithops' own FC Dockerfile are built with real buildah, real
// lithops from PyPI and deployed to the fake FC by internal/clienttest's
// TestFCCustomContainerTemplates (the stand-in lithops wheel has no container_entry_point.py).

// TestAliyunFCDryRun plans against the live state and changes nothing (FC 2.0: not even the service).
func TestAliyunFCDryRun(t *testing.T) {
	parallelOffline(t, fcWheels)
	for _, v := range []struct{ lithops, python string }{{"3.7.0", "3.12"}, {"3.6.0", "3.10"}} {
		d := newFCDeploy(t, v.lithops, v.python)
		s := d.run(t, "--dry-run", "true")
		if s.code != 0 {
			t.Fatalf("Lithops %s: exit %d\n%s", v.lithops, s.code, s.stderr.String())
		}
		if m := d.cloud.MutatingCalls(); len(m) != 0 || s.outputs()["changed"] != "false" {
			t.Errorf("Lithops %s dry run: changed=%s, mutating calls %+v", v.lithops, s.outputs()["changed"], m)
		}
		if !strings.Contains(s.stderr.String(), "create    function") {
			t.Errorf("Lithops %s: plan lacks the functions:\n%s", v.lithops, s.stderr.String())
		}
		if v.lithops == "3.6.0" && !strings.Contains(s.stderr.String(), "create    service lithops_ltai") {
			t.Errorf("FC 2.0 plan lacks the service:\n%s", s.stderr.String())
		}
	}
}

// TestAliyunFCUnderFaults deploys the same runtime twice, once without faults and once with 20%
// of every FC and OSS call answered with throttling or a server error (invocations included), on
// both API generations: the end states are the same.
func TestAliyunFCUnderFaults(t *testing.T) {
	parallelOffline(t, fcWheels)
	for _, v := range []struct{ lithops, python, service string }{{"3.7.0", "3.12", ""}, {"3.6.0", "3.10", "lithops_ltai"}} {
		t.Run(v.lithops, func(t *testing.T) {
			end := func(seed uint64) (map[string]fakealiyun.FunctionState, []byte, []string) {
				faults := seed != 0
				d := newFCDeploy(t, v.lithops, v.python)
				var injected int
				if faults {
					rnd := rand.New(rand.NewPCG(seed, uint64(len(v.lithops))))
					var mu sync.Mutex
					d.cloud.Fault = func(api, op, target string) *fakealiyun.Error {
						mu.Lock()
						defer mu.Unlock()
						if rnd.Float64() >= 0.2 {
							return nil
						}
						injected++
						if rnd.IntN(2) == 0 {
							return fakealiyun.Throttle()
						}
						return fakealiyun.InternalError()
					}
				}
				s := d.run(t)
				if s.code != 0 {
					t.Fatalf("faults=%v: exit %d\n%s", faults, s.code, s.stderr.String())
				}
				if faults && injected == 0 {
					t.Fatalf("seed %d injected no fault", seed)
				}
				t.Logf("seed %d: %d faults injected", seed, injected)
				states := map[string]fakealiyun.FunctionState{}
				runtime := map[string]string{"3.7.0": "default-python-runtime-v312", "3.6.0": "default-runtime-v310"}[v.lithops]
				var meta []byte
				for i, m := range []int{256, 512} {
					fn := fcName(runtime, m, v.lithops)
					st, _ := d.function(fn, v.service)
					st.Config.LastModifiedTime, st.Config.CreatedTime, st.Config.FunctionID = "", "", ""
					states[fn] = st
					if i == 0 {
						key := "lithops.runtimes/aliyun_fc/" + v.lithops + "/cn-hangzhou/"
						if v.service != "" {
							key += v.service + "/"
						}
						meta, _ = d.cloud.Object(fcBucket(v.lithops, fakealiyun.DefaultRegion, fakealiyun.AccessKeyID, fakealiyun.DefaultAccountID), key+fn+".meta.json")
					}
				}
				return states, meta, d.cloud.Objects(fcBucket(v.lithops, fakealiyun.DefaultRegion, fakealiyun.AccessKeyID, fakealiyun.DefaultAccountID))
			}
			want, wantMeta, wantObjects := end(0)
			for _, seed := range []uint64{7, 11, 23} {
				got, gotMeta, gotObjects := end(seed)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("seed %d: functions under faults differ (-without +with):\n%s", seed, diff)
				}
				if string(wantMeta) != string(gotMeta) || len(gotMeta) == 0 {
					t.Errorf("seed %d: metadata under faults: %s, want %s", seed, gotMeta, wantMeta)
				}
				if diff := cmp.Diff(wantObjects, gotObjects); diff != "" {
					t.Errorf("seed %d: bucket objects (-without +with):\n%s", seed, diff)
				}
			}
		})
	}
}

// flakyRegistry answers 20% of the registry's requests with 503, seeded.
func flakyRegistry(t *testing.T, seed uint64) *httptest.Server {
	rnd := rand.New(rand.NewPCG(seed, 1))
	var mu sync.Mutex
	reg := ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		fail := seed != 0 && rnd.Float64() < 0.2
		mu.Unlock()
		if fail {
			http.Error(w, `{"errors":[{"code":"UNAVAILABLE","message":"try again"}]}`, http.StatusServiceUnavailable)
			return
		}
		reg.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestAliyunFCContainerUnderFaults: an FC custom-container runtime deploys to the same end state
// with 20% of FC, OSS and registry requests failing.
func TestAliyunFCContainerUnderFaults(t *testing.T) {
	parallelOffline(t, fcWheels)
	base := serveLambdaBase(t, "3.12")
	end := func(seed uint64) (fakealiyun.FunctionState, []byte, string) {
		acr := flakyRegistry(t, seed)
		repo := strings.TrimPrefix(acr.URL, "http://") + "/lithops/runtimes"
		d := newFCDeploy(t, "3.7.0", "3.12", "--package-type", "image", "--registry", repo, "--base-image", base, "--memory", "512", "--local-test", "false")
		d.cloud.ContainerInvoker = imagerunner.FC(t, nil)
		if seed != 0 {
			rnd := rand.New(rand.NewPCG(seed, 2))
			var mu sync.Mutex
			d.cloud.Fault = func(api, op, target string) *fakealiyun.Error {
				mu.Lock()
				defer mu.Unlock()
				if rnd.Float64() < 0.2 {
					return fakealiyun.InternalError()
				}
				return nil
			}
		}
		s := d.run(t)
		if s.code != 0 {
			t.Fatalf("seed %d: exit %d\n%s", seed, s.code, s.stderr.String())
		}
		fn := fcName("default-container-runtime-v312", 512, "3.7.0")
		st, _ := d.cloud.Function3(fn)
		st.Config.LastModifiedTime, st.Config.CreatedTime, st.Config.FunctionID, st.Config.CustomContainerConfig = "", "", "", nil
		meta, _ := d.cloud.Object(fcBucket("3.7.0", fakealiyun.DefaultRegion, fakealiyun.AccessKeyID, fakealiyun.DefaultAccountID), "lithops.runtimes/aliyun_fc/3.7.0/cn-hangzhou/"+fn+".meta.json")
		return st, meta, s.outputs()["image-digest"]
	}
	want, wantMeta, wantDigest := end(0)
	got, gotMeta, gotDigest := end(11)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("function under faults (-without +with):\n%s", diff)
	}
	if string(gotMeta) != string(wantMeta) || len(gotMeta) == 0 || gotDigest != wantDigest {
		t.Errorf("under faults: digest %s (want %s), metadata %s (want %s)", gotDigest, wantDigest, gotMeta, wantMeta)
	}
}

// TestAliyunFCInterruptedConverges: a run interrupted (as on SIGTERM) while it creates the
// functions exits 1 promptly saying the deployment stopped part way, and the next run converges.
func TestAliyunFCInterruptedConverges(t *testing.T) {
	offline(t, fcWheels) // not parallel: it measures how fast an interrupted run stops
	d := newFCDeploy(t, "3.7.0", "3.12")
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	c := &canceler{marker: "creating function", stop: stop}
	code := Main(ctx, d.args, System{
		Getenv: getenvOf(withWheels(t, d.env)), Stdout: io.Discard, Stderr: c, Workdir: d.ws,
		Probe: func(context.Context) (string, string, error) { return "3.11", "", nil },
	})
	done := time.Now()
	c.mu.Lock()
	log, at := c.buf.String(), c.at
	c.mu.Unlock()
	if at.IsZero() || code != 1 {
		t.Fatalf("interrupted run: exit %d, interrupted %v\n%s", code, !at.IsZero(), log)
	}
	if took := done.Sub(at); took > 3*time.Second {
		t.Errorf("the run took %v to stop", took)
	}
	if !strings.Contains(log, "interrupted") || !strings.Contains(log, "run again") || !strings.Contains(log, "where the deployment stopped: function ") {
		t.Errorf("the interrupted run does not say what to do:\n%s", log)
	}
	next := d.run(t)
	if next.code != 0 || next.outputs()["changed"] != "true" {
		t.Fatalf("the next run: exit %d changed=%s\n%s", next.code, next.outputs()["changed"], next.stderr.String())
	}
	if last := d.run(t); last.code != 0 || last.outputs()["changed"] != "false" {
		t.Errorf("the run after: exit %d changed=%s", last.code, last.outputs()["changed"])
	}
}
