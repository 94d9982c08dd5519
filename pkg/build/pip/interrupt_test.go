package pip

import (
	"context"
	"testing"
	"time"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/stubborn"
)

// TestInstallInterruptStopsPipAndItsChildren: pip run through a pyenv-like shim that ignores
// SIGTERM and whose child (the real interpreter) ignores it too and holds the output pipe. When the
// build is interrupted, the install returns promptly and no process of pip's group survives.
// (With only the direct child killed, the install waited for the grandchild's 600 s.)
func TestInstallInterruptStopsPipAndItsChildren(t *testing.T) {
	python, pids := stubborn.Script(t, "python3")
	inst := NewInstaller(WithPython(python))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := inst.InstallRequirements(ctx, InstallRequest{Requirements: []string{"six"}, Target: t.TempDir(), Platform: Platform{Python: "3.12", Arch: "x86_64", GlibcMajor: 2, GlibcMinor: 17}})
		done <- err
	}()
	stubborn.WaitStarted(t, pids)
	cancel()
	select {
	case err := <-done:
		if err == nil {
			t.Error("an interrupted install returned no error")
		}
	case <-time.After(time.Minute):
		t.Fatal("the install did not return within a minute of the interruption")
	}
	stubborn.WaitGone(t, pids)
}
