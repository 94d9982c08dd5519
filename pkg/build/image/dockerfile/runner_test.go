package dockerfile

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestExecRunner(t *testing.T) {
	tests := []struct {
		name     string
		script   string
		env      []string
		wantLogs []string
		wantErr  []string // substrings; nil = success
	}{
		{
			name:     "success, lines logged in order",
			script:   "echo one; echo two >&2; printf three",
			wantLogs: []string{"one", "two", "three"},
		},
		{
			// The builder's own settings replace the process's (HOME is set in the process).
			name:     "the builder's environment over the process's",
			script:   `echo "$CONTAINERS_STORAGE_CONF"; echo "$HOME"; echo "$PATH" | grep -q . && echo path`,
			env:      []string{"CONTAINERS_STORAGE_CONF=/sandbox/storage.conf", "HOME=/sandbox"},
			wantLogs: []string{"/sandbox/storage.conf", "/sandbox", "path"},
		},
		{
			name:     "failure keeps the output tail",
			script:   `echo 'error building at STEP "RUN x": boom'; exit 2`,
			wantLogs: []string{`error building at STEP "RUN x": boom`},
			wantErr:  []string{"running sh -c", "exit status 2", `error building at STEP "RUN x": boom`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			logger := slog.New(slog.NewJSONHandler(&buf, nil))
			err := execRunner(logger, tt.env)(context.Background(), t.TempDir(), "sh", "-c", tt.script)
			var logs []string
			for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
				if l == "" {
					continue
				}
				var rec struct{ Msg, Tool string }
				if err := json.Unmarshal([]byte(l), &rec); err != nil {
					t.Fatalf("log line %s: %v", l, err)
				}
				if rec.Tool != "sh" {
					t.Errorf("log line %s: tool = %q, want sh", l, rec.Tool)
				}
				msg := rec.Msg
				logs = append(logs, msg)
			}
			if diff := cmp.Diff(tt.wantLogs, logs); diff != "" {
				t.Errorf("logged lines (-want +got):\n%s", diff)
			}
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("runner error = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatal("runner succeeded, want an error")
			}
			for _, s := range tt.wantErr {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("runner error = %v, want it to contain %q", err, s)
				}
			}
		})
	}
}

// TestExecRunnerErrorHidesBuildArgValues: a failed build's error shows the command line with the
// names of its build arguments, never their values.
func TestExecRunnerErrorHidesBuildArgValues(t *testing.T) {
	logger := slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil))
	err := execRunner(logger, nil)(context.Background(), t.TempDir(), "sh", "-c", "exit 3", "--build-arg", "TOKEN=hunter2-value", "--build-arg", "EMPTY=", "ctx")
	if err == nil {
		t.Fatal("runner succeeded, want an error")
	}
	want := `running sh -c exit 3 --build-arg TOKEN=… --build-arg EMPTY=… ctx: exit status 3`
	if !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("runner error = %q, want it to contain %q and not the value", err, want)
	}
}
