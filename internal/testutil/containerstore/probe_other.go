//go:build !linux

package containerstore

import "errors"

// probeOverlay: overlay storage is Linux's.
func probeOverlay() bool { return false }

func unmount(string) error { return errors.ErrUnsupported }
