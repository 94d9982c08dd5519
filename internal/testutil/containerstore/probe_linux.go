package containerstore

import (
	"os"
	"path/filepath"
	"syscall"
)

// probeOverlay mounts an overlay of two empty directories in a temporary directory and unmounts it.
func probeOverlay() bool {
	dir, err := os.MkdirTemp("", "containerstore-probe-")
	if err != nil {
		return false
	}
	defer os.RemoveAll(dir)
	lower, upper, work, merged := filepath.Join(dir, "l"), filepath.Join(dir, "u"), filepath.Join(dir, "w"), filepath.Join(dir, "m")
	for _, d := range []string{lower, upper, work, merged} {
		if err := os.Mkdir(d, 0o755); err != nil {
			return false
		}
	}
	if err := syscall.Mount("overlay", merged, "overlay", 0, "lowerdir="+lower+",upperdir="+upper+",workdir="+work); err != nil {
		return false
	}
	return syscall.Unmount(merged, 0) == nil
}

func unmount(path string) error { return syscall.Unmount(path, syscall.MNT_DETACH) }
