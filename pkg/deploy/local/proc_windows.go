//go:build windows

package local

import (
	"os"
	"syscall"
)

// groupAttr: Windows has no process groups of this kind.
func groupAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{} }

// killGroup kills the function's process (its children are not tracked on Windows).
func killGroup(p *os.Process, _ int) { _ = p.Kill() }

// maxRSSMB is unknown on Windows.
func maxRSSMB(*os.ProcessState) float64 { return 0 }
