package proc_test

import (
	"context"
	"testing"
	"time"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/stubborn"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/proc"
)

// TestRunStopsTheWholeGroup: a child that ignores SIGTERM and has a grandchild that ignores it
// too (and holds the output pipe) is stopped, grandchild included, soon after the context is
// canceled: SIGTERM to the group, SIGKILL after Grace.
func TestRunStopsTheWholeGroup(t *testing.T) {
	script, pids := stubborn.Script(t, "pip")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out captured
	cmd := proc.Command(ctx, script)
	cmd.Stdout, cmd.Stderr = &out, &out
	done := make(chan error, 1)
	go func() { done <- proc.Run(ctx, cmd) }()
	stubborn.WaitStarted(t, pids)
	cancel()
	select {
	case err := <-done:
		if err == nil {
			t.Error("Run of a canceled command returned no error")
		}
	case <-time.After(proc.Grace + time.Minute):
		t.Fatal("Run did not return after the cancellation")
	}
	stubborn.WaitGone(t, pids)
}

type captured struct{ n int }

func (c *captured) Write(p []byte) (int, error) { c.n += len(p); return len(p), nil }
