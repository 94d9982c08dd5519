package imagerun

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// process is one running runtime process and how to stop it.
type process struct {
	cmd    *exec.Cmd
	exited chan struct{} // closed when the process has exited; then err is its Wait result
	err    error
	// kill stops the process: sig is SIGTERM first, then SIGKILL.
	kill func(sig syscall.Signal) error
}

// startProcess starts cmd and watches for its exit.
func startProcess(cmd *exec.Cmd, kill func(p *process, sig syscall.Signal) error) (*process, error) {
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &process{cmd: cmd, exited: make(chan struct{})}
	p.kill = func(sig syscall.Signal) error { return kill(p, sig) }
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

// hasExited reports whether the process is gone.
func (p *process) hasExited() bool {
	select {
	case <-p.exited:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM, waits up to grace, then SIGKILL, and waits for the exit.
func (p *process) stop(grace time.Duration) error {
	if p.hasExited() {
		return nil
	}
	if err := p.kill(syscall.SIGTERM); err != nil {
		return fmt.Errorf("stopping pid %d with SIGTERM: %w", p.cmd.Process.Pid, err)
	}
	select {
	case <-p.exited:
		return nil
	case <-time.After(grace):
	}
	if err := p.kill(syscall.SIGKILL); err != nil {
		return fmt.Errorf("stopping pid %d with SIGKILL: %w", p.cmd.Process.Pid, err)
	}
	select {
	case <-p.exited:
		return nil
	case <-time.After(10 * time.Second):
		return fmt.Errorf("pid %d did not exit 10s after SIGKILL", p.cmd.Process.Pid)
	}
}

// exitStatus describes how the process ended, in Lambda's words.
func (p *process) exitStatus() string {
	if ps := p.cmd.ProcessState; ps != nil && !ps.Success() {
		return "Runtime exited with error: " + ps.String()
	}
	if p.err != nil {
		return "Runtime exited with error: " + p.err.Error()
	}
	return "Runtime exited without providing a reason"
}

// openOutput opens (creates) the file the process's stdout and stderr are appended to.
func openOutput(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("creating the output file: %w", err)
	}
	return f, nil
}
