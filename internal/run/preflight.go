package run

import (
	"context"
	"errors"

	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy"
)

// preflight runs the backend's cheap checks (credentials, the local interpreter) before the
// build, so that a run that cannot deploy stops in seconds, not after the build. A dry run with
// no usable credentials goes on: it builds and checks the limits, and says what it could not check.
func (p *pipeline) preflight(ctx context.Context) error {
	pf, ok := p.backend.(deploy.Preflighter)
	if !ok {
		return nil
	}
	cfg := p.cfg
	err := pf.Preflight(ctx, &deploy.Request{
		RuntimeName: cfg.RuntimeName, Lithops: cfg.Lithops, Python: cfg.Python, MemoryMB: cfg.Memory,
		TimeoutSec: cfg.Timeout, Architecture: cfg.Architecture, StorageBucket: cfg.StorageBucket,
		PackageType: cfg.PackageType, Invoke: cfg.SmokeTest && !cfg.DryRun,
	})
	var ce *deploy.CredentialsError
	if err != nil && cfg.DryRun && errors.As(err, &ce) {
		p.noCloud = ce
		p.deps.UI.Warnf("dry-run without usable credentials: %v", err)
		p.deps.UI.Warnf("dry-run could not check: the credentials, what is live in %s (functions, layer or image, bucket), and so the plan and the function names; it builds the runtime and checks the platform's limits only", cfg.Backend)
		return nil
	}
	return err
}
