package local

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// lockName is the lock file in the state directory: one run at a time plans, deploys, checks
// and writes metadata there.
const lockName = ".lock"

// lockPoll is how often a waiting run tries the lock again.
const lockPoll = 50 * time.Millisecond

// Lock takes the state directory's lock, waiting (until ctx ends) while another run holds it: two
// runs against one directory then happen one after the other, each planning against what the
// other left, instead of both reporting success for a state only one of them describes. The lock
// is an flock(2) on <dir>/.lock, released by unlock or when the process ends (a killed run leaves
// no stale lock). On systems without flock it is a no-op.
func (b *Backend) Lock(ctx context.Context) (unlock func(), err error) {
	if err := os.MkdirAll(b.store.root, 0o755); err != nil {
		return nil, fmt.Errorf("making the local state directory %s: %w", b.store.root, err)
	}
	path := filepath.Join(b.store.root, lockName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening the lock of the local state directory: %w", err)
	}
	waiting := false
	for {
		ok, err := tryLock(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("locking the local state directory %s: %w", path, err)
		}
		if ok {
			break
		}
		if !waiting {
			b.logger.Info("waiting for another run that deploys to the same local state directory", "lock", path)
			waiting = true
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("waiting for another run's lock on the local state directory %s: %w", path, ctx.Err())
		case <-time.After(lockPoll):
		}
	}
	if waiting {
		b.logger.Info("the other run finished; deploying", "lock", path)
	}
	return func() {
		unlockFile(f)
		f.Close()
	}, nil
}
