//go:build !unix

package local

import "os"

// tryLock: no flock here; concurrent runs on one state directory are not serialized.
func tryLock(*os.File) (bool, error) { return true, nil }

func unlockFile(*os.File) {}
