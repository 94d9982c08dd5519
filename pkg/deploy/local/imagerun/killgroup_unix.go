//go:build unix

package imagerun

import (
	"errors"
	"syscall"
)

// killGroup signals the process group the process leads (Setpgid).
func killGroup(p *process, sig syscall.Signal) error {
	err := syscall.Kill(-p.cmd.Process.Pid, sig)
	if errors.Is(err, syscall.ESRCH) {
		return nil
	}
	return err
}
