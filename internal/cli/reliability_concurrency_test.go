package cli

import (
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/fakeaws"
)

// barrier returns a Fault that holds the first n calls of op until all n have arrived (or a
// timeout passes), so that n runs are at the same step at the same time.
func barrier(op string, n int, timeout time.Duration) fakeaws.Fault {
	var mu sync.Mutex
	arrived := 0
	all := make(chan struct{})
	return func(o, target string) *fakeaws.Error {
		if o != op {
			return nil
		}
		mu.Lock()
		arrived++
		switch {
		case arrived == n:
			close(all)
		case arrived > n:
			mu.Unlock()
			return nil
		}
		mu.Unlock()
		select {
		case <-all:
		case <-time.After(timeout):
		}
		return nil
	}
}

var publishedLayer = regexp.MustCompile(`published layer arn=(\S+)`)

// TestReliabilityConcurrentDeploys runs two deploys of the same runtime with different
// requirements at the same time on one account that has it deployed. Both plan against the same
// function revisions (they are held at the layer publish until both are there), so one wins and
// the other's conditional update fails; the loser says so, and changed no function. The end state
// is consistent: each function runs one of the two layers, with the metadata of that layer's
// requirements.
func TestReliabilityConcurrentDeploys(t *testing.T) {
	parallelOffline(t, goodWheels)
	d := newAWSDeploy(t)
	d.cloud.Settle = 0 // the revision condition decides, not the time updates take
	if s := d.run(t); s.code != 0 {
		t.Fatalf("first deploy: exit %d\n%s", s.code, s.stderr.String())
	}

	// Two workspaces: a requirement more (six), and one less (no acme-text-utils).
	reqs := []string{"acme-text-utils\nsix\n", "six\n"}
	var wss []string
	for _, r := range reqs {
		ws := t.TempDir()
		writeFile(t, filepath.Join(ws, "requirements.txt"), r)
		wss = append(wss, ws)
	}
	d.cloud.Fault = barrier("PublishLayerVersion", 2, 30*time.Second)
	sessions := make([]*session, len(wss))
	var wg sync.WaitGroup
	for i, ws := range wss {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sessions[i] = runMain(t, ws, d.env, d.args...)
		}()
	}
	wg.Wait()

	// One wins, one loses on the revision condition, having changed no function.
	layers := map[string]int{} // layer version ARN -> which run published it
	winners, losers := 0, 0
	for i, s := range sessions {
		m := publishedLayer.FindStringSubmatch(s.stderr.String())
		if m == nil {
			t.Fatalf("run %d published no layer:\n%s", i, s.stderr.String())
		}
		layers[m[1]] = i
		switch s.code {
		case 0:
			winners++
		case 1:
			losers++
			log := s.stderr.String()
			wantLines(t, "the run that lost", log, "the function changed since this run read it", "nothing of it was overwritten", "run again",
				"Lambda refused the change")
			t.Logf("the run that lost says:\n%s", log[strings.LastIndex(log, "error: "):])
		default:
			t.Errorf("run %d: exit %d", i, s.code)
		}
	}
	if winners != 1 || losers != 1 {
		t.Errorf("%d runs succeeded and %d failed, want one of each", winners, losers)
	}

	// Consistent: each function runs one of the two layers, and its metadata lists that layer's
	// requirements.
	for _, fn := range awsFunctions {
		st, _ := d.cloud.Function(fn)
		if len(st.Configuration.Layers) != 1 {
			t.Fatalf("function %s layers %+v", fn, st.Configuration.Layers)
		}
		i, ok := layers[st.Configuration.Layers[0].Arn]
		if !ok {
			t.Errorf("function %s runs layer %s, which neither run published (%v)", fn, st.Configuration.Layers[0].Arn, layers)
			continue
		}
		if sessions[i].code != 0 {
			t.Errorf("function %s runs the layer of the run that failed", fn)
		}
		body, _ := d.cloud.Object(awsBucket, awsMetadataKey(fn))
		md := string(body)
		if strings.Contains(md, `"six"`) != true || strings.Contains(md, `"acmetext"`) != strings.Contains(reqs[i], "acme-text-utils") {
			t.Errorf("function %s runs the layer of requirements %q, but its metadata is:\n%s", fn, reqs[i], md)
		}
	}
}
