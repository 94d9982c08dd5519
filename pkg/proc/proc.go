// Package proc runs child processes (pip, Python probes, image builders, pyenv shims) each in a
// process group of its own, so that stopping one stops everything it started: a pyenv shim is a
// shell that runs the real python as its child, and pip starts build backends and compilers.
//
// When the context is canceled the whole group gets SIGTERM, and SIGKILL Grace later; Run returns
// once the group leader has exited, even if a grandchild still holds the output pipes. KillAll
// SIGKILLs every group still running, for an exit that cannot wait (a second interrupt).
package proc

import (
	"context"
	"os/exec"
	"sync"
	"time"
)

// Grace is how long a canceled process group has to exit after SIGTERM before it gets SIGKILL.
const Grace = 3 * time.Second

var (
	mu     sync.Mutex
	groups = map[int]bool{} // process group ids of the commands running
)

// Command is exec.CommandContext for a command that runs in a process group of its own, the group
// being signaled on cancellation (SIGTERM, then SIGKILL after Grace). Run it with Run.
func Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	setGroup(cmd)
	cmd.Cancel = func() error {
		pid := cmd.Process.Pid
		signalGroup(pid, false)
		time.AfterFunc(Grace, func() { signalGroup(pid, true) })
		return nil
	}
	// Wait returns even when a grandchild keeps stdout or stderr open.
	cmd.WaitDelay = Grace + time.Second
	return cmd
}

// Run starts cmd (made by Command) and waits for it. After a cancellation, what is left of its
// process group is killed before Run returns, so no process it started outlives it.
func Run(ctx context.Context, cmd *exec.Cmd) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	pid := cmd.Process.Pid
	mu.Lock()
	groups[pid] = true
	mu.Unlock()
	err := cmd.Wait()
	if ctx.Err() != nil {
		signalGroup(pid, true)
	}
	mu.Lock()
	delete(groups, pid)
	mu.Unlock()
	return err
}

// KillAll sends SIGKILL to the process group of every command still running.
func KillAll() {
	mu.Lock()
	defer mu.Unlock()
	for pid := range groups {
		signalGroup(pid, true)
	}
}

// Track registers the process group pgid of a command started elsewhere (one that manages its
// own group) for KillAll; the returned function unregisters it.
func Track(pgid int) (untrack func()) {
	mu.Lock()
	groups[pgid] = true
	mu.Unlock()
	return func() {
		mu.Lock()
		delete(groups, pgid)
		mu.Unlock()
	}
}
