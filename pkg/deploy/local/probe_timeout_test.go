package local

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/stubborn"
)

// TestProbePythonTimesOut: an interpreter that never answers fails its probe after probeTimeout,
// and none of its processes is left running.
func TestProbePythonTimesOut(t *testing.T) {
	python, pids := stubborn.Script(t, "python3.12")
	defer func(d time.Duration) { probeTimeout = d }(probeTimeout)
	probeTimeout = 500 * time.Millisecond
	done := make(chan error, 1)
	go func() {
		_, _, err := probePython(context.Background(), python)
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "no answer after 500ms") {
			t.Errorf("probe of a hung interpreter: %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("the probe of a hung interpreter did not return within a minute")
	}
	stubborn.WaitGone(t, pids)
}
