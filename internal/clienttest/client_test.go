// Package clienttest checks the whole point of the tool: an unmodified Lithops client, real
// lithops==V from PyPI in its own venv, runs functions on what the tool deployed to the fake
// clouds, and deploys nothing itself.
package clienttest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/cli"
)

// clientLithops is the Lithops release the client runs (and the tool deploys).
const clientLithops = "3.7.0"

// clientPython is the client's Python: a runtime's Python must equal the client's.
const clientPython = "3.12"

// wantResults is what add_seven gives: call_async(f, 3) and map(f, [1, 2, 3]).
var wantResults = clientResult{CallAsync: 10, Map: []int{8, 9, 10}}

type clientResult struct {
	CallAsync int   `json:"call_async"`
	Map       []int `json:"map"`
}

// deployTool runs the tool in-process (the same program as the binary) and fails the test unless
// it succeeded; it returns the outputs.
func deployTool(t *testing.T, env map[string]string, args ...string) map[string]string {
	t.Helper()
	return deployToolIn(t, t.TempDir(), env, args...)
}

// deployToolIn is deployTool in the workspace ws.
func deployToolIn(t *testing.T, ws string, env map[string]string, args ...string) map[string]string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := cli.Main(context.Background(), args, cli.System{
		Getenv: func(k string) string { return env[k] }, Stdout: &stdout, Stderr: &stderr, Workdir: ws,
		Probe: func(context.Context) (string, string, error) { return clientPython, "", nil },
	})
	if code != 0 {
		t.Fatalf("the tool failed: exit %d\n%s", code, stderr.String())
	}
	out := map[string]string{}
	for _, line := range strings.Split(stdout.String(), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			out[k] = v
		}
	}
	return out
}

// clientRun is one run of the client program.
type clientRun struct {
	result *clientResult
	err    error
	log    string
}

// runClient runs testdata/client.py with the client venv's python, a config file, a HOME of its
// own (Lithops caches runtime metadata under ~/.lithops) and env; it is stopped after timeout.
func runClient(t *testing.T, python string, config map[string]any, env map[string]string, timeout time.Duration) clientRun {
	t.Helper()
	dir := t.TempDir()
	home := filepath.Join(dir, "home")
	if err := os.MkdirAll(home, 0o755); err != nil {
		t.Fatal(err)
	}
	data, err := json.MarshalIndent(config, "", "  ") // JSON is YAML
	if err != nil {
		t.Fatal(err)
	}
	cfgFile := filepath.Join(dir, "lithops_config.yaml")
	if err := os.WriteFile(cfgFile, data, 0o644); err != nil {
		t.Fatal(err)
	}
	script, err := filepath.Abs(filepath.Join("testdata", "client.py"))
	if err != nil {
		t.Fatal(err)
	}
	shim, _ := filepath.Abs(filepath.Join("testdata", "shim"))
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, script)
	cmd.Dir = dir
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + home, "TMPDIR=" + dir, "LANG=C.UTF-8",
		"LITHOPS_CONFIG_FILE=" + cfgFile, "PYTHONPATH=" + shim, "PYTHONUNBUFFERED=1", "PYTHONDONTWRITEBYTECODE=1",
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 5 * time.Second
	runErr := cmd.Run()
	run := clientRun{log: out.String()}
	if ctx.Err() != nil {
		run.err = fmt.Errorf("the client did not finish within %s", timeout)
		return run
	}
	if runErr != nil {
		run.err = fmt.Errorf("the client failed: %w", runErr)
		return run
	}
	for _, line := range strings.Split(run.log, "\n") {
		if js, ok := strings.CutPrefix(line, "CLIENT-RESULT "); ok {
			var r clientResult
			if err := json.Unmarshal([]byte(js), &r); err != nil {
				run.err = fmt.Errorf("the client's result %q: %w", js, err)
				return run
			}
			run.result = &r
			return run
		}
	}
	run.err = fmt.Errorf("the client printed no result")
	return run
}

// check is the verdict on a client run: the right results, and no deploying call from the client
// (deploying lists the deploying calls the cloud recorded since the tool finished).
func (r clientRun) check(deploying []string) error {
	var errs []string
	if len(deploying) > 0 {
		errs = append(errs, fmt.Sprintf("the client made deploying calls: %v", deploying))
	}
	if r.err != nil {
		errs = append(errs, r.err.Error())
	} else if diff := cmp.Diff(&wantResults, r.result); diff != "" {
		errs = append(errs, "results (-want +got):\n"+diff)
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("%s", strings.Join(errs, "\n"))
}
