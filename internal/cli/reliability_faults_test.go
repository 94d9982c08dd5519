package cli

import (
	"fmt"
	"maps"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/fakeaws"
	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/imagerunner"
)

// stagingPrefix is where the aws_lambda backend stages zips too large for an inline request.
const stagingPrefix = "lithops-runtime-action/staging/"

// cloudState is what a deploy leaves in the fake account, without what changes on every write
// (revision ids, modification times).
type cloudState struct {
	Functions map[string]fakeaws.FunctionState
	Layers    []string
	Metadata  map[string]string
	Staging   []string
	Repos     []string
}

// stateOf reads the end state of the functions fns, the layer and the metadata from the cloud.
func stateOf(t *testing.T, c *fakeaws.Cloud, layer string, fns []string) cloudState {
	t.Helper()
	s := cloudState{Functions: map[string]fakeaws.FunctionState{}, Metadata: map[string]string{}, Repos: c.ECR.Repositories()}
	for _, fn := range fns {
		st, ok := c.Function(fn)
		if !ok {
			t.Errorf("function %s does not exist", fn)
			continue
		}
		s.Functions[fn] = comparable(st)
		body, _ := c.Object(awsBucket, awsMetadataKey(fn))
		s.Metadata[fn] = string(body)
	}
	if layer != "" {
		s.Layers = c.LayerVersions(layer)
	}
	for _, k := range c.Objects(awsBucket) {
		if strings.HasPrefix(k, stagingPrefix) {
			s.Staging = append(s.Staging, k)
		}
	}
	return s
}

// checkMetadataWrites checks that each function's metadata was written by exactly one served PUT
// (a PUT whose reply was lost is served; its retry, conditional on the ETag read before, is
// refused), and that the last S3 write of the run is a metadata write.
func checkMetadataWrites(t *testing.T, c *fakeaws.Cloud, fns []string) {
	t.Helper()
	answered := map[string]int{}
	last := ""
	for _, call := range c.MutatingCalls() {
		if call.Service != "s3" {
			continue
		}
		last = call.Target
		for _, fn := range fns {
			// Served (its reply may have been lost): the conditional write's retry after a lost
			// reply is refused (412), so a served write is never repeated.
			if call.Op == "PUT" && strings.HasSuffix(call.Target, "/"+awsMetadataKey(fn)) && call.Status == http.StatusOK {
				answered[fn]++
			}
		}
	}
	for _, fn := range fns {
		if answered[fn] != 1 {
			t.Errorf("metadata of %s written %d times, want once", fn, answered[fn])
		}
	}
	if !strings.Contains(last, "lithops.runtimes/") {
		t.Errorf("the last S3 write is %s, not runtime metadata", last)
	}
}

// fastRetries returns env with the AWS SDK's 2026 retry behaviour turned on (its own switch,
// which users can set too): retries after errors other than throttling back off from 50 ms
// instead of 1 s. The product's retry configuration (attempts, maximum backoff, retried codes) is
// unchanged. The SDK reads the switch from the process's environment only, so the runs that use it
// are the built program in a process of its own (runBinary), and the tests stay parallel.
func fastRetries(env map[string]string) map[string]string {
	out := maps.Clone(env)
	out["AWS_NEW_RETRIES_2026"] = "true"
	return out
}

// stagedPuts counts the answered PUTs of staging objects.
func stagedPuts(c *fakeaws.Cloud) int {
	n := 0
	for _, call := range c.MutatingCalls() {
		if call.Service == "s3" && call.Op == "PUT" && strings.Contains(call.Target, "/"+stagingPrefix) {
			n++
		}
	}
	return n
}

// faultCount counts the faults a Fault gave, by kind, over every service.
type faultCount struct {
	mu sync.Mutex
	n  map[string]int
}

// counted returns f counting the faults it gives into c.
func (c *faultCount) counted(f fakeaws.Fault) fakeaws.Fault {
	return func(op, target string) *fakeaws.Error {
		e := f(op, target)
		if e != nil {
			c.mu.Lock()
			if c.n == nil {
				c.n = map[string]int{}
			}
			kind := e.Code
			if e.Status != 0 {
				kind = strconv.Itoa(e.Status)
			}
			c.n[kind]++
			c.mu.Unlock()
		}
		return e
	}
}

func (c *faultCount) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return fmt.Sprint(c.n)
}

// TestReliabilityFaultsConverge deploys a zip runtime with two memory sizes and an image runtime
// into a fake account failing 20% of its calls (throttling, 500s, reset connections, lost replies,
// slow answers) on Lambda, S3, STS, ECR and the registry, and checks each run succeeds and leaves
// exactly the state a run without faults leaves: same functions (configuration, code, tags), one
// layer version, the same metadata written once as the last S3 write, no staging object.
func TestReliabilityFaultsConverge(t *testing.T) {
	parallelOffline(t, goodWheels)
	t.Run("zip", func(t *testing.T) {
		t.Parallel()
		// With bigblob the layer is staged through S3, under faults too.
		useWheels(t, goodWheels+" "+bigWheels(t))
		clean := newAWSDeploy(t)
		writeFile(t, filepath.Join(clean.ws, "requirements.txt"), "acme-text-utils\nbigblob\n")
		clean.cloud.Settle = 0 // how long functions take to settle does not change where they end
		if s := clean.run(t); s.code != 0 {
			t.Fatalf("deploy without faults: exit %d\n%s", s.code, s.stderr.String())
		}
		want := stateOf(t, clean.cloud, awsLayer, awsFunctions)

		// The first reply of every creating call is lost on top of the random faults: the run must
		// not publish, create or write twice.
		d := newAWSDeploy(t)
		writeFile(t, filepath.Join(d.ws, "requirements.txt"), "acme-text-utils\nbigblob\n")
		faulty(t, d, "first deploy", fakeaws.Chain(fakeaws.Once(fakeaws.LostReply, "PublishLayerVersion", "CreateFunction", "PUT"), fakeaws.RandomFaults(0.2, 1)))
		if diff := cmp.Diff(want, stateOf(t, d.cloud, awsLayer, awsFunctions)); diff != "" {
			t.Errorf("end state with faults (-without +with):\n%s", diff)
		}
		checkMetadataWrites(t, d.cloud, awsFunctions)

		// An update under faults: a new layer version, both functions moved to it (their
		// configuration update's first reply lost), nothing else changed.
		writeFile(t, filepath.Join(d.ws, "requirements.txt"), "acme-text-utils\nbigblob\nsix\n")
		d.cloud.ResetCalls()
		s := faulty(t, d, "update", fakeaws.Chain(fakeaws.Once(fakeaws.LostReply, "PublishLayerVersion", "UpdateFunctionConfiguration", "PUT"), fakeaws.RandomFaults(0.2, 2)))
		got := stateOf(t, d.cloud, awsLayer, awsFunctions)
		layer2 := strings.TrimSuffix(want.Layers[0], ":1") + ":2"
		if diff := cmp.Diff([]string{want.Layers[0], layer2}, got.Layers); diff != "" {
			t.Errorf("layer versions after the update (-want +got):\n%s", diff)
		}
		for _, fn := range awsFunctions {
			w, g := want.Functions[fn], got.Functions[fn]
			if len(g.Configuration.Layers) != 1 || g.Configuration.Layers[0].Arn != layer2 {
				t.Errorf("function %s layers %+v, want %s", fn, g.Configuration.Layers, layer2)
			}
			w.Configuration.Layers, g.Configuration.Layers = nil, nil
			if diff := cmp.Diff(w, g); diff != "" {
				t.Errorf("function %s changed beyond its layer (-before +after):\n%s", fn, diff)
			}
			if !strings.Contains(got.Metadata[fn], `"six"`) {
				t.Errorf("metadata of %s lacks the new requirement: %s", fn, got.Metadata[fn])
			}
		}
		if o := s.outputs(); o["changed"] != "true" || o["layer-arn"] != layer2 {
			t.Errorf("update outputs: changed=%s layer-arn=%s", o["changed"], o["layer-arn"])
		}
		checkMetadataWrites(t, d.cloud, awsFunctions)
		if n := stagedPuts(d.cloud); n == 0 {
			t.Error("no layer was staged through S3: the test does not test staging under faults")
		}
	})
	t.Run("image", func(t *testing.T) {
		t.Parallel()
		base := serveLambdaBase(t, "3.12")
		// The local test of the image is not what this test is about: it is skipped for speed.
		args := []string{"--package-type", "image", "--runtime-name", "my-runtime:1", "--base-image", base, "--memory", "512", "--local-test", "false"}
		fns := []string{functionName("mple", "3.7.0", "my-runtime:1", 512)}
		clean := newAWSDeploy(t, args...)
		clean.cloud.ImageInvoker = imagerunner.Lambda(t)
		clean.cloud.Settle = 0
		if s := clean.run(t); s.code != 0 {
			t.Fatalf("deploy without faults: exit %d\n%s", s.code, s.stderr.String())
		}
		want := stateOf(t, clean.cloud, "", fns)

		d := newAWSDeploy(t, args...)
		d.cloud.ImageInvoker = imagerunner.Lambda(t)
		faulty(t, d, "deploy", fakeaws.Chain(fakeaws.Once(fakeaws.LostReply, "CreateRepository", "CreateFunction", "PUT"), fakeaws.RandomFaults(0.2, 3)))
		got := stateOf(t, d.cloud, "", fns)
		// The image is the same (a reproducible build), in a registry of another host.
		for _, fn := range fns {
			if g := got.Functions[fn]; g.Configuration.CodeSha256 != want.Functions[fn].Configuration.CodeSha256 {
				t.Errorf("function %s runs image %s, want %s", fn, g.Configuration.CodeSha256, want.Functions[fn].Configuration.CodeSha256)
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("end state with faults (-without +with):\n%s", diff)
		}
		if n := d.cloud.ECR.Requests(); n == 0 {
			t.Error("the registry saw no request")
		}
		checkMetadataWrites(t, d.cloud, fns)
	})
}

// faulty runs a deploy (the built program, with the SDK's fast retries) with f injected into
// every service of the cloud; the run must succeed despite the faults. It logs the faults met.
func faulty(t *testing.T, d *awsDeploy, what string, f fakeaws.Fault) *session {
	t.Helper()
	var count faultCount
	d.cloud.InjectFaults(count.counted(f))
	start := time.Now()
	s := runBinary(t, d.ws, fastRetries(d.env), d.args...)
	if s.code != 0 {
		t.Fatalf("%s with faults: exit %d\n%s", what, s.code, s.stderr.String())
	}
	t.Logf("%s with faults: %v, %d Lambda/S3/STS calls and %d ECR requests, faults given %v", what, time.Since(start).Round(time.Millisecond), len(d.cloud.Calls()), d.cloud.ECR.Requests(), &count)
	return s
}
