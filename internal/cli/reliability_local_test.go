package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy/local"
)

// watchedLog is a log writer safe for concurrent use that closes seen when marker shows up.
type watchedLog struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	marker string
	seen   chan struct{}
}

func (w *watchedLog) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if w.marker != "" && strings.Contains(w.buf.String(), w.marker) {
		close(w.seen)
		w.marker = ""
	}
	return len(p), nil
}

func (w *watchedLog) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// runWatched runs the program with its log (stderr) watched.
func runWatched(ws string, env map[string]string, log *watchedLog, args ...string) (code int, stdout string) {
	var out bytes.Buffer
	code = Main(context.Background(), args, System{
		Getenv: getenvOf(env), Stdout: &out, Stderr: log, Workdir: ws,
		Probe: func(context.Context) (string, string, error) { return "3.11", "", nil },
	})
	return code, out.String()
}

// TestReliabilityLocalStateLocked holds the local state directory's lock as another run would:
// a run against that directory builds, then waits before planning (it says so) and changes
// nothing until the lock is released, then deploys and succeeds. Then three runs with different
// requirements at once all succeed, one after the other: the one that finished last describes
// what is live (its layer is the functions' layer).
func TestReliabilityLocalStateLocked(t *testing.T) {
	offline(t, goodWheels)
	state := filepath.Join(t.TempDir(), "state")
	ws := t.TempDir()
	writeFile(t, filepath.Join(ws, "requirements.txt"), "acme-text-utils\n")
	args := []string{"--requirements", "requirements.txt", "--lithops-version", "3.7.0", "--local-dir", state}

	unlock, err := local.New(state).Lock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	log := &watchedLog{marker: "waiting for another run", seen: make(chan struct{})}
	done := make(chan int, 1)
	go func() {
		code, _ := runWatched(ws, withWheels(t, map[string]string{}), log, args...)
		done <- code
	}()
	select {
	case <-log.seen:
	case code := <-done:
		unlock()
		t.Fatalf("the run finished (exit %d) while another held the state directory's lock:\n%s", code, log.String())
	}
	if _, err := os.Stat(filepath.Join(state, "functions")); !os.IsNotExist(err) {
		t.Errorf("the waiting run changed the state directory: %v", err)
	}
	unlock()
	if code := <-done; code != 0 {
		t.Fatalf("after the lock was released: exit %d\n%s", code, log.String())
	}

	// Three at once, with different requirements.
	reqs := []string{"acme-text-utils\n", "six\n", "acme-text-utils\nsix\n"}
	type result struct {
		code   int
		layer  string
		finish int
	}
	results := make([]result, len(reqs))
	var mu sync.Mutex
	finished := 0
	var wg sync.WaitGroup
	for i, r := range reqs {
		ws := t.TempDir()
		writeFile(t, filepath.Join(ws, "requirements.txt"), r)
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, out := runWatched(ws, withWheels(t, map[string]string{}), &watchedLog{}, args...)
			mu.Lock()
			defer mu.Unlock()
			finished++
			s := &session{}
			s.stdout.WriteString(out)
			results[i] = result{code: code, layer: s.outputs()["layer-arn"], finish: finished}
		}()
	}
	wg.Wait()
	last := results[0]
	for i, r := range results {
		if r.code != 0 {
			t.Errorf("run %d: exit %d", i, r.code)
		}
		if r.finish > last.finish {
			last = r
		}
	}
	fns, _ := os.ReadDir(filepath.Join(state, "functions"))
	if len(fns) == 0 {
		t.Fatal("no function in the state directory")
	}
	for _, fn := range fns {
		if strings.HasSuffix(fn.Name(), ".previous") {
			continue // what a restore would put back
		}
		var cfg struct{ Layers []string }
		data, err := os.ReadFile(filepath.Join(state, "functions", fn.Name(), "function.json"))
		if err != nil || json.Unmarshal(data, &cfg) != nil {
			t.Fatalf("function %s: %v", fn.Name(), err)
		}
		if len(cfg.Layers) != 1 || cfg.Layers[0] != last.layer {
			t.Errorf("function %s runs layers %v; the run that finished last published %s", fn.Name(), cfg.Layers, last.layer)
		}
	}
}
