//go:build windows

package imagerun

import "syscall"

// hostAttr: Windows has no process groups to set; the runtime is stopped through its process.
func hostAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{} }
