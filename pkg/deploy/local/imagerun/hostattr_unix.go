//go:build unix && !linux

package imagerun

import "syscall"

func hostAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }
