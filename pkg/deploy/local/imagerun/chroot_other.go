//go:build !linux

package imagerun

import (
	"runtime"
	"syscall"
)

func chrootSupported() (bool, string) {
	return false, "chroot isolation needs Linux (this is " + runtime.GOOS + ")"
}

func chrootAttr(string) *syscall.SysProcAttr { return nil }

func prepareRootfs(string) ([]string, error) { return nil, nil }

func unmountAll([]string) error { return nil }

func mountsUnder(string) ([]string, error) { return nil, nil }
