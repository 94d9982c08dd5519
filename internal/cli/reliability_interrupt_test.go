package cli

import (
	"bytes"
	"context"
	"io"
	"math/rand"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/fakeaws"
	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/wheelhouse"
)

// bigWheels writes a wheelhouse with "bigblob", a distribution of 51 MB of incompressible bytes:
// with it the layer zip is over the 50 MB of an inline request, and is staged through S3. The
// bytes are the same on every call, so that builds with it are reproducible.
func bigWheels(t *testing.T) string {
	t.Helper()
	blob := make([]byte, 51<<20)
	rand.New(rand.NewSource(1)).Read(blob)
	dir := t.TempDir()
	if _, err := wheelhouse.WriteWheel(dir, wheelhouse.Wheel{Name: "bigblob", Version: "1.0.0", Files: map[string]string{
		"bigblob/__init__.py": "", "bigblob/blob.bin": string(blob),
	}}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// canceler cancels a run: when its log shows a line containing marker, or when cancel is called.
type canceler struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	marker string
	stop   context.CancelFunc
	at     time.Time
}

func (c *canceler) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf.Write(p)
	if c.marker != "" && c.at.IsZero() && strings.Contains(c.buf.String(), c.marker) {
		c.cancelLocked()
	}
	return len(p), nil
}

func (c *canceler) cancel() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cancelLocked()
}

func (c *canceler) cancelLocked() {
	if c.at.IsZero() {
		c.at = time.Now()
		c.stop()
	}
}

// interrupt runs a deploy and cancels its context (as main does on SIGTERM) when its log shows
// marker, or when the cancel function given to arm is called. It checks that the run exits 1
// within a few seconds of the cancellation, and returns its log.
func interrupt(t *testing.T, d *awsDeploy, marker string, arm func(cancel func())) string {
	t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	c := &canceler{marker: marker, stop: stop}
	if arm != nil {
		arm(c.cancel)
	}
	code := Main(ctx, d.args, System{
		Getenv: getenvOf(withWheels(t, d.env)), Stdout: io.Discard, Stderr: c, Workdir: d.ws,
		Probe: func(context.Context) (string, string, error) { return "3.11", "", nil },
	})
	done := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	log := c.buf.String()
	if c.at.IsZero() {
		t.Fatalf("the run was never interrupted (exit %d):\n%s", code, log)
	}
	if code != 1 {
		t.Errorf("interrupted run: exit %d, want 1", code)
	}
	if took := done.Sub(c.at); took > 3*time.Second {
		t.Errorf("the run took %v to stop after the interruption", took)
	}
	return log
}

// afterOp returns a Fault that calls cancel at the first call of op after a call of prev: with
// prev UpdateFunctionConfiguration and op GetFunction, while the run waits for the update.
func afterOp(prev, op string, cancel func()) fakeaws.Fault {
	var mu sync.Mutex
	seen := false
	return func(o, target string) *fakeaws.Error {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case o == prev:
			seen = true
		case o == op && seen:
			cancel()
		}
		return nil
	}
}

func wantLines(t *testing.T, what, log string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(log, w) {
			t.Errorf("%s: the log lacks %q:\n%s", what, w, log)
		}
	}
}

// noStaging checks that no staging object is left in the bucket.
func noStaging(t *testing.T, c *fakeaws.Cloud, what string) {
	t.Helper()
	for _, k := range c.Objects(awsBucket) {
		if strings.HasPrefix(k, stagingPrefix) {
			t.Errorf("%s: staging object %s left in %s", what, k, awsBucket)
		}
	}
}

// TestReliabilityInterruption interrupts deploys of a zip runtime whose layer is staged through S3
// (as SIGTERM does: the context is canceled) during the build, right after the layer is
// published, and while an update is being waited for. Each run stops promptly with exit 1, says
// where it left the cloud, leaves no staging object, and the next run converges; then a run
// changes nothing.
func TestReliabilityInterruption(t *testing.T) {
	offline(t, goodWheels)
	offline(t, goodWheels+" "+bigWheels(t))
	d := newAWSDeploy(t)
	writeFile(t, filepath.Join(d.ws, "requirements.txt"), "acme-text-utils\nbigblob\n")
	layerV1 := "arn:aws:lambda:us-east-1:123456789012:layer:" + awsLayer + ":1"
	layerV2 := strings.TrimSuffix(layerV1, ":1") + ":2"

	// 1. As the build starts: nothing changes in the cloud. (A build served from a cache may not
	// look at its context: the run then stops at its first cloud call, in the deploy stage.)
	log := interrupt(t, d, "==> build", nil)
	if !strings.Contains(log, "interrupted: build:") && !strings.Contains(log, "interrupted: deploy:") {
		t.Errorf("interrupted build: the log does not say where the run was interrupted:\n%s", log)
	}
	if !strings.Contains(log, "nothing was deployed: the cloud is as it was") && !strings.Contains(log, "nothing was changed in the cloud") {
		t.Errorf("interrupted build: the log does not say the cloud is unchanged:\n%s", log)
	}
	if calls := d.cloud.MutatingCalls(); len(calls) != 0 {
		t.Errorf("interrupted build: mutating calls %+v", calls)
	}

	// 2. Right after the layer is published: the layer exists, no function.
	log = interrupt(t, d, "published layer", nil)
	wantLines(t, "interrupted after the layer publish", log, "interrupted: deploy:", "layer version "+layerV1+" was published",
		"not reached: function "+awsFunctions[1], "run again to converge")
	noStaging(t, d.cloud, "interrupted after the layer publish")
	if fns := d.cloud.FunctionNames(); len(fns) != 0 {
		t.Errorf("interrupted after the layer publish: functions %v", fns)
	}
	if !strings.Contains(log, "staging zip in S3") {
		t.Errorf("the layer was not staged through S3: the test does not test staging:\n%s", log)
	}

	// 3. The next run reuses the layer and creates the functions.
	s := d.run(t)
	if o := s.outputs(); s.code != 0 || o["changed"] != "true" || o["layer-arn"] != layerV1 {
		t.Fatalf("run after the interruption: exit %d changed=%s layer-arn=%s\n%s", s.code, o["changed"], o["layer-arn"], s.stderr.String())
	}

	// 4. A requirement more, interrupted while the first function's update is waited for.
	writeFile(t, filepath.Join(d.ws, "requirements.txt"), "acme-text-utils\nbigblob\nsix\n")
	d.cloud.ResetCalls()
	log = interrupt(t, d, "", func(cancel func()) {
		d.cloud.Fault = afterOp("UpdateFunctionConfiguration", "GetFunction", cancel)
	})
	d.cloud.Fault = nil
	wantLines(t, "interrupted update", log, "interrupted: deploy:", "layer version "+layerV2+" was published",
		"it stopped during function "+awsFunctions[0]+" being updated (Lambda had accepted the change)", "not reached: function "+awsFunctions[1], "run again to converge")
	noStaging(t, d.cloud, "interrupted update")
	if n := d.cloud.CountCalls("UpdateFunctionConfiguration"); n != 1 {
		t.Errorf("interrupted update: %d configuration updates, want 1", n)
	}

	// 5. The next run converges: both functions on the new layer, metadata with the new requirement.
	s = d.run(t)
	if o := s.outputs(); s.code != 0 || o["changed"] != "true" || o["layer-arn"] != layerV2 {
		t.Fatalf("run after the interrupted update: exit %d changed=%s layer-arn=%s\n%s", s.code, o["changed"], o["layer-arn"], s.stderr.String())
	}
	if got := d.cloud.LayerVersions(awsLayer); len(got) != 2 {
		t.Errorf("layer versions %v, want 2", got)
	}
	for _, fn := range awsFunctions {
		st, _ := d.cloud.Function(fn)
		if len(st.Configuration.Layers) != 1 || st.Configuration.Layers[0].Arn != layerV2 {
			t.Errorf("function %s layers %+v, want %s", fn, st.Configuration.Layers, layerV2)
		}
		if body, _ := d.cloud.Object(awsBucket, awsMetadataKey(fn)); !strings.Contains(string(body), `"six"`) {
			t.Errorf("metadata of %s lacks the new requirement", fn)
		}
	}

	// 6. And the one after changes nothing.
	d.cloud.ResetCalls()
	s = d.run(t)
	if s.code != 0 || s.outputs()["changed"] != "false" || len(d.cloud.MutatingCalls()) != 0 {
		t.Errorf("converged run: exit %d changed=%s mutating calls %+v\n%s", s.code, s.outputs()["changed"], d.cloud.MutatingCalls(), s.stderr.String())
	}
	noStaging(t, d.cloud, "the end")
}
