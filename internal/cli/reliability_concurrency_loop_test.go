package cli

import (
	"fmt"
	"math/rand"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/fakeaws"
)

// concurrencyRounds is how many rounds of concurrent deployments the loop tests run: 3 in .ci/run,
// more with LITHOPS_ACTION_CONCURRENCY_ROUNDS (e.g. 30 while working on the deployment code).
func concurrencyRounds(t *testing.T) int {
	n := 3
	if v := os.Getenv("LITHOPS_ACTION_CONCURRENCY_ROUNDS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			t.Fatalf("LITHOPS_ACTION_CONCURRENCY_ROUNDS=%q: want a positive number", v)
		}
	}
	return n
}

// describes is what a runtime metadata object or a requirements file says about the two optional
// modules of the loop's requirement sets.
type describes struct{ six, acme bool }

func reqsDescribe(reqs string) describes {
	return describes{six: strings.Contains(reqs, "six"), acme: strings.Contains(reqs, "acme-text-utils")}
}

func metadataDescribes(md []byte) describes {
	return describes{six: strings.Contains(string(md), `"six"`), acme: strings.Contains(string(md), `"acmetext"`)}
}

var unchangedLayer = regexp.MustCompile(`unchanged\s+layer (\S+): same CodeSha256`)

// layerOf is the layer version a run deployed (published or reused), "" when its log names none.
func layerOf(log string) string {
	if m := publishedLayer.FindStringSubmatch(log); m != nil {
		return m[1]
	}
	if m := unchangedLayer.FindStringSubmatch(log); m != nil {
		return m[1]
	}
	return ""
}

// TestReliabilityConcurrentDeploysLoop runs rounds of three deployments of one runtime at the same
// time, each with other requirements, while some smoke-test invocations fail (so those runs restore
// what they changed) and some calls are slow (so the interleavings vary). Whatever the
// interleaving, every round ends consistent: each run exits 0 or fails with an error saying why,
// and every function runs the layer of a run that succeeded, with that layer's runtime metadata,
// unless a run that failed (and said where it stopped) left it; then one more run converges.
func TestReliabilityConcurrentDeploysLoop(t *testing.T) {
	parallelOffline(t, goodWheels)
	d := newAWSDeploy(t)
	d.cloud.Settle = 20 * time.Millisecond //: updates overlap, without slowing the rounds down
	first := d.run(t)
	if first.code != 0 {
		t.Fatalf("first deploy: exit %d\n%s", first.code, first.stderr.String())
	}
	sets := []string{"acme-text-utils\nsix\n", "six\n", "acme-text-utils\n"}
	layerReqs := map[string]string{layerOf(first.stderr.String()): "acme-text-utils\n"}
	var wss []string
	for _, r := range sets {
		ws := t.TempDir()
		writeFile(t, filepath.Join(ws, "requirements.txt"), r)
		wss = append(wss, ws)
	}
	outcomes := map[string]int{}
	for round := range concurrencyRounds(t) {
		rnd := rand.New(rand.NewSource(int64(round)))
		var mu sync.Mutex
		// pick draws a number in [0, 1) and a delay up to max, under the lock (the fake calls the
		// hooks concurrently). Held calls let one run overtake another at any step.
		pick := func(max time.Duration) (float64, time.Duration) {
			mu.Lock()
			defer mu.Unlock()
			return rnd.Float64(), time.Duration(rnd.Int63n(int64(max)))
		}
		d.cloud.Fault = func(op, target string) *fakeaws.Error {
			x, wait := pick(1500 * time.Millisecond)
			switch {
			case op == "Invoke" && x < 0.15:
				return &fakeaws.Error{Status: http.StatusBadRequest, Code: "InvalidRequestContentException", Message: "injected: the smoke test fails"}
			case op == "Invoke" && x < 0.5, op == "GetFunction" && x < 0.1, op == "UpdateFunctionConfiguration" && x < 0.3:
				time.Sleep(wait)
			}
			return nil
		}
		d.cloud.S3Fault = func(op, target string) *fakeaws.Error {
			if x, wait := pick(800 * time.Millisecond); op == http.MethodPut && x < 0.3 {
				time.Sleep(wait)
			}
			return nil
		}
		starts := make([]time.Duration, len(wss))
		for i := range starts {
			_, starts[i] = pick(2 * time.Second)
		}
		sessions := make([]*session, len(wss))
		var wg sync.WaitGroup
		for i, ws := range wss {
			wg.Add(1)
			go func() {
				defer wg.Done()
				time.Sleep(starts[i])
				sessions[i] = runMain(t, ws, d.env, d.args...)
			}()
		}
		wg.Wait()
		d.cloud.Fault, d.cloud.S3Fault = nil, nil

		failedLayers := map[string]bool{}
		for i, s := range sessions {
			log := s.stderr.String()
			layer := layerOf(log)
			if layer != "" {
				if r, ok := layerReqs[layer]; ok && r != sets[i] {
					t.Fatalf("round %d: layer %s holds requirements %q and %q", round, layer, r, sets[i])
				}
				layerReqs[layer] = sets[i]
			}
			switch s.code {
			case 0:
				outcomes["succeeded"]++
				if out := s.outputs()["layer-arn"]; out != layer {
					t.Errorf("round %d run %d: output layer-arn %q, but it deployed layer %q", round, i, out, layer)
				}
			case 1:
				outcomes["failed"]++
				if !strings.Contains(log, "error: ") {
					t.Errorf("round %d run %d failed without saying why:\n%s", round, i, log)
				}
				if layer != "" {
					failedLayers[layer] = true
				}
				for _, kind := range []string{"the function changed since this run read it", "another deployment changed it", "smoke test", "changed since it was read"} {
					if strings.Contains(log, kind) {
						outcomes[kind]++
					}
				}
			default:
				t.Fatalf("round %d run %d: exit %d\n%s", round, i, s.code, log)
			}
		}

		inconsistent := checkConsistent(t, d, layerReqs, failedLayers, fmt.Sprintf("round %d", round), sessions)
		if inconsistent {
			// A failed run left a function part way; one more run converges.
			outcomes["converged after a failed run"]++
			s := runMain(t, wss[0], d.env, d.args...)
			if s.code != 0 {
				t.Fatalf("round %d: the run after it: exit %d\n%s", round, s.code, s.stderr.String())
			}
			layerReqs[layerOf(s.stderr.String())] = sets[0]
			if checkConsistent(t, d, layerReqs, nil, fmt.Sprintf("round %d, after one more run", round), []*session{s}) {
				t.Fatalf("round %d: not consistent after one more run", round)
			}
		}
	}
	t.Logf("outcomes over %d rounds: %v", concurrencyRounds(t), outcomes)
}

// checkConsistent checks that every function runs a layer whose requirements its runtime metadata
// lists, and reports true when a function is not so but runs a layer of a run that failed
// (allowed: that run said where it stopped).
func checkConsistent(t *testing.T, d *awsDeploy, layerReqs map[string]string, failedLayers map[string]bool, when string, sessions []*session) bool {
	t.Helper()
	inconsistent := false
	for _, fn := range awsFunctions {
		st, ok := d.cloud.Function(fn)
		if !ok || len(st.Configuration.Layers) != 1 {
			t.Fatalf("%s: function %s: %v, layers %+v", when, fn, ok, st.Configuration.Layers)
		}
		layer := st.Configuration.Layers[0].Arn
		reqs, known := layerReqs[layer]
		if !known {
			t.Fatalf("%s: function %s runs layer %s, which no run deployed (%v)", when, fn, layer, layerReqs)
		}
		md, _ := d.cloud.Object(awsBucket, awsMetadataKey(fn))
		if metadataDescribes(md) == reqsDescribe(reqs) {
			continue
		}
		if failedLayers[layer] {
			inconsistent = true
			continue
		}
		var logs []string
		for i, s := range sessions {
			logs = append(logs, fmt.Sprintf("--- run %d (exit %d):\n%s", i, s.code, s.stderr.String()))
		}
		t.Errorf("%s: function %s runs layer %s (requirements %q), but its runtime metadata says %+v:\n%s\n%s", when, fn, layer, reqs, metadataDescribes(md), md, strings.Join(logs, "\n"))
	}
	return inconsistent
}
