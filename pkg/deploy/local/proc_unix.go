//go:build unix

package local

import (
	"os"
	"syscall"
)

// groupAttr starts the function in a process group of its own.
func groupAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

// killGroup kills the function's process group: nothing it started outlives the invocation.
func killGroup(_ *os.Process, pgid int) { _ = syscall.Kill(-pgid, syscall.SIGKILL) }

// maxRSSMB is the peak resident memory of the process, in MB (0 when unknown).
func maxRSSMB(ps *os.ProcessState) float64 {
	if ps == nil {
		return 0
	}
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return float64(ru.Maxrss) / 1024 // kilobytes on Linux
	}
	return 0
}
