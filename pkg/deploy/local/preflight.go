package local

import (
	"context"

	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy"
)

// Preflight checks, before anything is built, that a zip runtime that will be invoked has its
// interpreter: python<major.minor> on PATH (or python3 of that version), as the smoke test needs.
func (b *Backend) Preflight(ctx context.Context, req *deploy.Request) error {
	if !req.Invoke || req.PackageType == "image" {
		return nil
	}
	_, err := b.host.python(ctx, req.Python.String())
	return err
}
