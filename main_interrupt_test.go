package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/stubborn"
)

// buildTool builds this command into a temporary directory.
func buildTool(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "lithops-runtime")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestInterruptStopsChildProcesses runs the tool while its python3 probe hangs (a python3 that
// ignores SIGTERM, with a child that ignores it too), and sends SIGTERM: once, the tool stops its
// children's process group and exits 1 saying why; twice, it exits at once (130) saying where the
// run stopped. Either way no process of the group survives. (Before, only the direct child was
// killed and the tool waited on the grandchild's output for its 600 s.)
func TestInterruptStopsChildProcesses(t *testing.T) {
	bin := buildTool(t)
	for _, tc := range []struct {
		name     string
		signals  int
		wantCode int
		want     []string
	}{
		{"one signal", 1, 1, []string{"received terminated: stopping"}},
		{"two signals", 2, 130, []string{"received terminated again: exiting at once", "nothing was deployed"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			python, pids := stubborn.Script(t, "python3")
			cmd := exec.Command(bin, "--backend", "local", "--local-dir", t.TempDir())
			cmd.Dir = t.TempDir()
			cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(python)+string(os.PathListSeparator)+os.Getenv("PATH"), "GITHUB_ACTIONS=")
			var stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stderr, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			stubborn.WaitStarted(t, pids)
			for range tc.signals {
				cmd.Process.Signal(syscall.SIGTERM)
				time.Sleep(100 * time.Millisecond)
			}
			select {
			case <-done:
			case <-time.After(time.Minute):
				cmd.Process.Kill()
				t.Fatalf("the tool did not exit within a minute of the interruption:\n%s", stderr.String())
			}
			if code := cmd.ProcessState.ExitCode(); code != tc.wantCode {
				t.Errorf("exit %d, want %d\n%s", code, tc.wantCode, stderr.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("the output lacks %q:\n%s", w, stderr.String())
				}
			}
			stubborn.WaitGone(t, pids)
		})
	}
}
