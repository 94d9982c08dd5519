package deploy

import "context"

// Preflighter is implemented by backends that can check their target before anything is built:
// the identity they deploy as, and what depends on it (the execution role's account). The
// pipeline calls Preflight right after making the backend, so that a wrong account or role fails
// in seconds, not after a build.
type Preflighter interface {
	Preflight(ctx context.Context) error
}

// Locker is implemented by backends whose target one run at a time should change (the local
// state directory). The pipeline takes the lock before planning and keeps it until the metadata is
// written, so that concurrent runs happen one after the other.
type Locker interface {
	// Lock waits (until ctx ends) for the target to be free and takes it; unlock releases it.
	Lock(ctx context.Context) (unlock func(), err error)
}
