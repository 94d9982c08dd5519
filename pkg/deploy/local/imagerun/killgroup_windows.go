//go:build windows

package imagerun

import (
	"errors"
	"os"
	"syscall"
)

// killGroup stops the process: Windows has neither signals nor process groups of this kind, so
// any signal terminates it.
func killGroup(p *process, _ syscall.Signal) error {
	err := p.cmd.Process.Kill()
	if errors.Is(err, os.ErrProcessDone) {
		return nil
	}
	return err
}
