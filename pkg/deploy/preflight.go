package deploy

import (
	"context"
	"fmt"
)

// Preflighter is implemented by backends that can check cheaply, before anything is built, what
// would otherwise fail only after the build: that the cloud's credentials resolve, the identity
// they deploy as and what depends on it (the execution role's account), that the interpreter a
// local runtime needs is there.
type Preflighter interface {
	// Preflight checks that req can be deployed (and invoked when req.Invoke), without changing
	// anything. req.Artifact is nil: nothing is built yet.
	Preflight(ctx context.Context, req *Request) error
}

// CredentialsError is a Preflight failure of the credentials: none were found, or the cloud
// rejected them. A dry run goes on without the cloud and says what it could not check.
type CredentialsError struct {
	Backend string // the backend's name, e.g. aws_lambda
	Err     error  // what the credential check said
	Fix     string // the standard ways to provide credentials
}

func (e *CredentialsError) Error() string {
	return fmt.Sprintf("%s: no usable credentials: %v; %s", e.Backend, e.Err, e.Fix)
}

func (e *CredentialsError) Unwrap() error { return e.Err }

// Locker is implemented by backends whose target one run at a time should change (the local
// state directory). The pipeline takes the lock before planning and keeps it until the metadata is
// written, so that concurrent runs happen one after the other.
type Locker interface {
	// Lock waits (until ctx ends) for the target to be free and takes it; unlock releases it.
	Lock(ctx context.Context) (unlock func(), err error)
}
