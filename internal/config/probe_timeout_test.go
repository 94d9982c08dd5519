package config

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/stubborn"
)

// TestPythonProbeTimesOut: a python3 that never answers (a hung interpreter or pyenv shim, which
// also ignores SIGTERM) makes the probe fail with a clear error after ProbeTimeout, instead of
// holding the run (and ignoring interrupts) for as long as it hangs; nothing of it is left running.
func TestPythonProbeTimesOut(t *testing.T) {
	python, pids := stubborn.Script(t, "python3")
	defer func(d time.Duration) { ProbeTimeout = d }(ProbeTimeout)
	ProbeTimeout = 500 * time.Millisecond
	done := make(chan error, 1)
	go func() {
		_, _, err := PythonProbe(python)(context.Background())
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "no answer after 500ms") {
			t.Errorf("probe of a hung python3: %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("the probe of a hung python3 did not return within a minute")
	}
	stubborn.WaitGone(t, pids)
}
