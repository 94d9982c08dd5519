package imagerun

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// modes are the isolation modes testable here: chroot needs root, none works anywhere.
var modes = []struct {
	mode     Isolation
	needRoot bool
}{
	{mode: IsolationChroot, needRoot: true},
	{mode: IsolationNone},
}

func startInstance(t *testing.T, mode Isolation, needRoot bool, fn Function) (*Instance, string) {
	t.Helper()
	if needRoot && os.Geteuid() != 0 {
		t.Skipf("isolation %s needs root (euid %d)", mode, os.Geteuid())
	}
	tmp := t.TempDir()
	inst, err := Start(t.Context(), bootstrapImage(t), fn, WithIsolation(mode), WithTempDir(tmp))
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = inst.Close() })
	if inst.mode != mode {
		t.Fatalf("isolation %s, want %s", inst.mode, mode)
	}
	return inst, tmp
}

// echoed is the bootstrap's answer.
type echoed struct {
	Echo             json.RawMessage `json:"echo"`
	Cwd              string          `json:"cwd"`
	Env              string          `json:"env"`
	TaskRoot         string          `json:"task_root"`
	FunctionName     string          `json:"function_name"`
	Memory           string          `json:"memory"`
	Timeout          string          `json:"timeout"`
	Region           string          `json:"region"`
	Files            []string        `json:"files"`
	PID              int             `json:"pid"`
	PIDInProc        bool            `json:"pid_in_proc"`
	UID              int             `json:"uid"`
	RootHasBootstrap bool            `json:"root_has_bootstrap"`
}

func TestInstanceInvoke(t *testing.T) {
	for _, m := range modes {
		t.Run(string(m.mode), func(t *testing.T) {
			fn := Function{Name: "echo", MemoryMB: 256, Timeout: 5 * time.Second, Region: "eu-west-1"}
			inst, tmp := startInstance(t, m.mode, m.needRoot, fn)

			res, tail, err := inst.Invoke(t.Context(), []byte(`{"hello":"world"}`))
			if err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			if res.FunctionError != "" {
				t.Fatalf("FunctionError %q, payload %s; output:\n%s", res.FunctionError, res.Payload, tail)
			}
			var got echoed
			if err := json.Unmarshal(res.Payload, &got); err != nil {
				t.Fatalf("payload %s: %v", res.Payload, err)
			}
			want := echoed{
				Echo:         json.RawMessage(`{"hello":"world"}`),
				Cwd:          "/var/task",
				Env:          "hello",
				TaskRoot:     "/var/task",
				FunctionName: "echo",
				Memory:       "256",
				Timeout:      "5",
				Region:       "eu-west-1",
				Files:        []string{"app.py"}, // gone.txt is whited out by the upper layer
				// The process finds itself in /proc under its getpid() (psutil.Process() does).
				PIDInProc: true,
				UID:       993, // Lambda's unprivileged user
				// "/" is the rootfs: the image's /bootstrap is there.
				RootHasBootstrap: true,
			}
			want.PID = got.PID
			if m.mode == IsolationNone {
				// No chroot: the working directory is the rootfs's, "/" is the host's.
				want.Cwd = filepath.Join(inst.rootfs, "var", "task")
				want.UID = os.Getuid()
				want.RootHasBootstrap = got.RootHasBootstrap
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("echo (-want +got):\n%s", diff)
			}
			if !strings.Contains(string(tail), "bootstrap: handling "+res.RequestID) {
				t.Errorf("output tail %q does not show the invocation %s", tail, res.RequestID)
			}
			if !strings.Contains(string(tail), "bootstrap: init") {
				t.Errorf("output tail %q of the first invocation lacks the init output", tail)
			}

			res, tail, err = inst.Invoke(t.Context(), []byte(`{"fail":true}`))
			if err != nil {
				t.Fatalf("Invoke fail: %v", err)
			}
			if diff := cmp.Diff("bootstrap: handling "+res.RequestID+"\n", string(tail)); diff != "" {
				t.Errorf("output tail of the second invocation (-want +got):\n%s", diff)
			}
			var errObj map[string]any
			if err := json.Unmarshal(res.Payload, &errObj); err != nil {
				t.Fatalf("error payload %s: %v", res.Payload, err)
			}
			if diff := cmp.Diff(map[string]any{"errorMessage": "asked to fail", "errorType": "TestFailure", "stackTrace": []any{}}, errObj); diff != "" {
				t.Errorf("error object (-want +got):\n%s", diff)
			}
			if res.FunctionError != "Unhandled" {
				t.Errorf("FunctionError %q, want Unhandled", res.FunctionError)
			}

			// Close stops the process and removes the rootfs (after unmounting).
			pid := inst.proc.cmd.Process.Pid
			if err := inst.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
				t.Errorf("after Close, kill(%d, 0) = %v, want ESRCH (process gone)", pid, err)
			}
			if left, _ := os.ReadDir(tmp); len(left) != 0 {
				t.Errorf("after Close, %s still holds %v", tmp, left)
			}
			if mounts, err := mountsUnder(tmp); err != nil || len(mounts) != 0 {
				t.Errorf("after Close, mounts under %s: %v (%v)", tmp, mounts, err)
			}
			if _, _, err := inst.Invoke(t.Context(), []byte(`{}`)); err == nil {
				t.Error("Invoke after Close succeeded, want an error")
			}
		})
	}
}

func TestInstanceRestartsAfterFailure(t *testing.T) {
	tests := []struct {
		name      string
		event     string
		wantType  string // errorType, "" for none
		wantInMsg string
	}{
		{name: "timeout", event: `{"sleep_ms":3000}`, wantInMsg: "Task timed out after 0.50 seconds"},
		{name: "crash", event: `{"exit":3}`, wantType: "Runtime.ExitError", wantInMsg: "Runtime exited with error: exit status 3"},
	}
	for _, m := range modes {
		for _, tc := range tests {
			t.Run(string(m.mode)+"/"+tc.name, func(t *testing.T) {
				inst, _ := startInstance(t, m.mode, m.needRoot, Function{Timeout: 500 * time.Millisecond})
				first := inst.proc.cmd.Process.Pid
				res, _, err := inst.Invoke(t.Context(), []byte(tc.event))
				if err != nil {
					t.Fatalf("Invoke: %v", err)
				}
				var obj struct{ ErrorMessage, ErrorType string }
				if err := json.Unmarshal(res.Payload, &obj); err != nil {
					t.Fatalf("payload %s: %v", res.Payload, err)
				}
				if res.FunctionError != "Unhandled" || obj.ErrorType != tc.wantType || !strings.Contains(obj.ErrorMessage, tc.wantInMsg) {
					t.Errorf("Result %+v (payload %s), want Unhandled, errorType %q, message containing %q",
						res, res.Payload, tc.wantType, tc.wantInMsg)
				}
				if err := syscall.Kill(first, 0); !errors.Is(err, syscall.ESRCH) {
					t.Errorf("the failed runtime (pid %d) is still there: kill = %v", first, err)
				}

				// The next invocation gets a new runtime process.
				res, _, err = inst.Invoke(t.Context(), []byte(`{"again":1}`))
				if err != nil || res.FunctionError != "" {
					t.Fatalf("Invoke after %s = %+v, %v; want success", tc.name, res, err)
				}
				var got echoed
				if err := json.Unmarshal(res.Payload, &got); err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(`{"again":1}`, string(got.Echo)); diff != "" {
					t.Errorf("echo after restart (-want +got):\n%s", diff)
				}
				if inst.proc.cmd.Process.Pid == first {
					t.Errorf("the runtime was not restarted (pid %d)", first)
				}
			})
		}
	}
}
