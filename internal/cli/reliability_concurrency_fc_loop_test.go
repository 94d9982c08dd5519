package cli

import (
	"archive/zip"
	"bytes"
	"fmt"
	"math/rand"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/fakealiyun"
)

// fcDescribes is what a requirements set, a function's code zip or a runtime metadata object says
// about the two optional modules of the FC loop's requirement sets.
type fcDescribes struct{ acme, idna bool }

func (d fcDescribes) String() string { return fmt.Sprintf("{acmetext:%v idna:%v}", d.acme, d.idna) }

func fcReqsDescribe(reqs string) fcDescribes {
	return fcDescribes{acme: strings.Contains(reqs, "acme-text-utils"), idna: strings.Contains(reqs, "idna")}
}

func fcMetadataDescribes(md []byte) fcDescribes {
	return fcDescribes{acme: strings.Contains(string(md), `"acmetext"`), idna: strings.Contains(string(md), `"idna"`)}
}

// fcCodeDescribes reads a function's code zip: which of the modules it holds.
func fcCodeDescribes(t *testing.T, code []byte) fcDescribes {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(code), int64(len(code)))
	if err != nil {
		t.Fatalf("a function's code is not a zip: %v", err)
	}
	var d fcDescribes
	for _, f := range zr.File {
		name := "/" + f.Name
		d.acme = d.acme || strings.Contains(name, "/acmetext/")
		d.idna = d.idna || strings.Contains(name, "/idna/")
	}
	return d
}

// What a failed FC run says when it may leave a function and its runtime metadata apart (each
// documented in the README's guarantees table): it wrote the metadata and then found another
// deployment's code live, or (FC 3.0, which has no conditional update) it restored the previous
// code after its failed smoke test.
const (
	fcMetadataMayDiffer = "may describe this run's runtime rather than the one that runs now"
	fcRestored          = "the functions were restored to what was deployed before this run"
)

// TestFCConcurrentDeploysLoop runs rounds of three deployments of one FC runtime at the same time,
// each with other requirements, while some smoke-test invocations fail (those runs restore what
// they changed) and some calls are slow (so the interleavings vary), on both FC generations.
//
// What it checks is exactly what the README's guarantees table promises for FC: every run exits 0
// or fails with an error saying why; when every run of a round exits 0, every function's runtime
// metadata describes the code it runs; otherwise they may differ only where a failed run said so
// (it wrote metadata and then saw another deployment's code live; or, on FC 3.0 only, it restored
// the previous code and may have overwritten an update made in the moment before), and one more
// run converges. On FC 2.0, updates and restores are conditional on the function's ETag, so a
// restore never leaves functions and metadata apart.
func TestFCConcurrentDeploysLoop(t *testing.T) {
	parallelOffline(t, fcWheels)
	for _, v := range []struct {
		name, lithops, python, service, runtime string
		conditional                             bool
	}{
		{"FC3", "3.7.0", "3.12", "", "default-python-runtime-v312", false},
		{"FC2", "3.6.0", "3.10", fc2Service, fc2Runtime, true},
	} {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			testFCConcurrentDeploysLoop(t, v.lithops, v.python, v.service, v.runtime, v.conditional)
		})
	}
}

func testFCConcurrentDeploysLoop(t *testing.T, version, python, service, runtime string, conditional bool) {
	d := newFCDeploy(t, version, python, "--memory", "256,512")
	d.cloud.Settle = 20 * time.Millisecond // FC 3.0: updates overlap, without slowing the rounds down
	if first := d.run(t); first.code != 0 {
		t.Fatalf("first deploy: exit %d\n%s", first.code, first.stderr.String())
	}
	fns := []string{fcName(runtime, 256, version), fcName(runtime, 512, version)}
	bucket := fcBucket(version, fakealiyun.DefaultRegion, fakealiyun.AccessKeyID, fakealiyun.DefaultAccountID)
	prefix := "lithops.runtimes/aliyun_fc/" + version + "/" + fakealiyun.DefaultRegion + "/"
	if service != "" {
		prefix += service + "/"
	}
	sets := []string{"acme-text-utils\nidna\n", "idna\n", "acme-text-utils\n"}
	known := map[fcDescribes]bool{}
	var wss []string
	for _, r := range sets {
		known[fcReqsDescribe(r)] = true
		ws := t.TempDir()
		writeFile(t, filepath.Join(ws, "requirements.txt"), r)
		wss = append(wss, ws)
	}

	// check returns the functions whose runtime metadata does not describe the code they run, with
	// what each runs and what its metadata says; a function running code of no requirement set, or
	// no function at all, fails the test.
	check := func(when string, live map[string]int) map[string]string {
		apart := map[string]string{}
		for _, fn := range fns {
			st, ok := d.function(fn, service)
			if !ok {
				t.Fatalf("%s: function %s does not exist", when, fn)
			}
			code := fcCodeDescribes(t, st.Code)
			if !known[code] {
				t.Fatalf("%s: function %s runs code of no requirement set: %v", when, fn, code)
			}
			if live != nil {
				live["runs "+code.String()]++
			}
			md, _ := d.cloud.Object(bucket, prefix+fn+".meta.json")
			if got := fcMetadataDescribes(md); got != code {
				apart[fn] = fmt.Sprintf("function %s runs %v, its runtime metadata says %v", fn, code, got)
			}
		}
		return apart
	}
	if apart := check("after the first deploy", nil); len(apart) > 0 {
		t.Fatalf("after the first deploy: %v", apart)
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
		d.cloud.Fault = func(api, op, target string) *fakealiyun.Error {
			x, wait := pick(800 * time.Millisecond)
			switch {
			case op == "InvokeFunction" && x < 0.1:
				return &fakealiyun.Error{Status: http.StatusBadRequest, Code: "InvalidArgument", Message: "injected: the smoke test fails"}
			case op == "InvokeFunction" && x < 0.4, op == "GetFunction" && x < 0.1, op == "UpdateFunction" && x < 0.3, op == "PutObject" && x < 0.3:
				time.Sleep(wait)
			}
			return nil
		}
		starts := make([]time.Duration, len(wss))
		for i := range starts {
			_, starts[i] = pick(1500 * time.Millisecond)
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
		d.cloud.Fault = nil

		allSucceeded := true
		var logs []string
		// explained tells whether a failed run said it may leave function fn and its metadata
		// apart: it wrote the metadata and then saw another deployment's code live; or it changed
		// the function (its code is live) and failed after; or, on FC 3.0 only, it restored the
		// function's previous code after its failed smoke test.
		explained := func(fn string, code fcDescribes) string {
			reasons := []struct {
				why  string
				said func(i int, log string) bool
			}{
				{"a failed run's code is live", func(i int, log string) bool {
					return fcReqsDescribe(sets[i]) == code && strings.Contains(log, "updating function function="+fn+"\n")
				}},
				{"a failed run wrote its metadata, then saw other code live", func(i int, log string) bool {
					return strings.Contains(log, "the runtime metadata "+prefix+fn+".meta.json this run wrote "+fcMetadataMayDiffer)
				}},
				{"a failed run restored the previous code (FC 3.0)", func(i int, log string) bool {
					return !conditional && strings.Contains(log, fcRestored) && strings.Contains(log, "restoring the previous code and configuration function="+fn+"\n")
				}},
			}
			for _, r := range reasons {
				for i, s := range sessions {
					if s.code != 0 && r.said(i, s.stderr.String()) {
						return r.why
					}
				}
			}
			return ""
		}
		for i, s := range sessions {
			log := s.stderr.String()
			logs = append(logs, fmt.Sprintf("--- run %d (%q, exit %d):\n%s", i, sets[i], s.code, log))
			switch s.code {
			case 0:
				outcomes["succeeded"]++
				if got, want := s.outputs()["function-name"], fns[0]; got != want {
					t.Errorf("round %d run %d: output function-name %q, want %q", round, i, got, want)
				}
			case 1:
				outcomes["failed"]++
				allSucceeded = false
				if !strings.Contains(log, "error: ") {
					t.Errorf("round %d run %d failed without saying why:\n%s", round, i, log)
				}
				for _, kind := range []string{"the function changed since this run read it", "another deployment changed it", "smoke test", fcMetadataMayDiffer, fcRestored} {
					if strings.Contains(log, kind) {
						outcomes["failed: "+kind]++
					}
				}
			default:
				t.Fatalf("round %d run %d: exit %d\n%s", round, i, s.code, log)
			}
		}

		apart := check(fmt.Sprintf("round %d", round), outcomes)
		if len(apart) == 0 {
			outcomes["consistent"]++
			continue
		}
		if allSucceeded {
			t.Fatalf("round %d: every run exited 0, but %v\n%s", round, apart, strings.Join(logs, "\n"))
		}
		for fn, what := range apart {
			st, _ := d.function(fn, service)
			why := explained(fn, fcCodeDescribes(t, st.Code))
			outcomes["apart: "+why]++
			if why == "" {
				t.Fatalf("round %d: %s, and no failed run said it may have left them apart\n%s", round, what, strings.Join(logs, "\n"))
			}
		}
		// Failed runs said where they left functions and metadata apart; one more run converges.
		outcomes["apart, as a failed run said; converged after one more run"]++
		s := runMain(t, wss[0], d.env, d.args...)
		if s.code != 0 {
			t.Fatalf("round %d: the run after it: exit %d\n%s", round, s.code, s.stderr.String())
		}
		if apart := check(fmt.Sprintf("round %d, after one more run", round), nil); len(apart) > 0 {
			t.Fatalf("round %d: not consistent after one more run: %v", round, apart)
		}
	}
	t.Logf("outcomes over %d rounds: %v", concurrencyRounds(t), outcomes)
}
