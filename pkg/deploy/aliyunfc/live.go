package aliyunfc

import (
	"context"
	"fmt"
	"hash/crc64"
	"strconv"

	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy"
)

// Two deployments of one runtime may run at the same time. What keeps them from mixing:
//
//   - Function Compute 2.0 (Lithops <= 3.6): UpdateFunction and DeleteFunction take If-Match with
//     the function's ETag. Apply's update is conditional on the ETag Plan read, a restore after a
//     failed smoke test (update, or delete of a function this run created) on the ETag this run's
//     own create or update left: another deployment's change is refused (412), never overwritten,
//     and the restore reports it (deploy.ErrSuperseded). A retried update whose first answer was
//     lost finds the ETag changed and recognises its own change (deployedByUs).
//   - Function Compute 3.0 (Lithops >= 3.7): its API (2023-03-30) has no condition: UpdateFunction
//     takes the function name and body only, DeleteFunction the name, and GetFunction reports no
//     ETag. So the function is read right before every update and before every retry (after 409
//     ConcurrentUpdateError, another update under way, or a lost answer): Apply's update goes on
//     only while the function is as Plan read it (unchangedSincePlan), a restore only while it is
//     as this run left it (stillDeployed). What remains is one call: another deployment's update
//     made and finished between that read and the update is overwritten.
//   - Both: before the runtime metadata is written, and again after, the function is read and must
//     be exactly as this run deployed it: code checksum (or image digest) and configuration
//     (RunsDeployedCode). OSS's PutObject can only refuse to overwrite any object
//     (x-oss-forbid-overwrite), not one that changed, so another run's metadata write delayed past
//     this run's can land last; the run that wrote it then fails its check after the write and
//     says that its metadata may describe a runtime that no longer runs.
//
// So at least one of two conflicting runs fails, a run that exits 0 saw, after its metadata
// write, exactly what it deployed, and when every run exits 0 functions and metadata agree.

// isDeployed tells whether a live function is exactly what plan p deploys under that name.
func (b *Backend) isDeployed(p *plan, live *Function) bool {
	if live == nil {
		return false
	}
	var spec *FunctionSpec
	for i := range p.functions {
		if p.functions[i].spec.Name == live.Name {
			spec = &p.functions[i].spec
		}
	}
	if spec == nil || len(configDiffs(live, *spec, b.opts.Generation)) > 0 {
		return false
	}
	if p.req.Artifact.PackageType == build.Image {
		return imageDigest(live.Image) == p.req.Artifact.ImageDigest
	}
	return live.CodeChecksum == p.req.Artifact.Function.CRC64String()
}

// RunsDeployedCode reports whether the function is still exactly as the deployment left it: the
// plan's code (codeChecksum or image digest) and configuration (deploy.CodeChecker).
func (b *Backend) RunsDeployedCode(ctx context.Context, d *deploy.Deployment, fn deploy.Function) (bool, error) {
	p, ok := d.Plan.State.(*plan)
	if !ok {
		return true, nil
	}
	live, err := try(ctx, b, func() (*Function, error) { return b.fc.Get(ctx, fn.Name) })
	if err != nil {
		return false, err
	}
	if live != nil && live.Name == "" {
		live.Name = fn.Name
	}
	return b.isDeployed(p, live), nil
}

// stillDeployed returns function name when it is still as this run deployed it, and an error
// wrapping deploy.ErrSuperseded when another deployment changed it since.
func (b *Backend) stillDeployed(ctx context.Context, p *plan, name string) (*Function, error) {
	if err := b.waitReady(ctx, name); err != nil {
		return nil, err
	}
	live, err := try(ctx, b, func() (*Function, error) { return b.fc.Get(ctx, name) })
	if err != nil {
		return nil, fmt.Errorf("restoring function %s: reading it: %w", name, err)
	}
	if live != nil && live.Name == "" {
		live.Name = name
	}
	if !b.isDeployed(p, live) {
		return nil, fmt.Errorf("function %s was not restored: %w", name, deploy.ErrSuperseded)
	}
	return live, nil
}

// deployedByUs reads function name and returns it when it is exactly as plan p deploys it (nil
// otherwise, or when it cannot be read): after a conditional update refused because the ETag
// changed, it tells this run's own earlier attempt (whose answer was lost) from another
// deployment's change.
func (b *Backend) deployedByUs(ctx context.Context, p *plan, name string) *Function {
	live, err := try(ctx, b, func() (*Function, error) { return b.fc.Get(ctx, name) })
	if err != nil || live == nil {
		return nil
	}
	if live.Name == "" {
		live.Name = name
	}
	if !b.isDeployed(p, live) {
		return nil
	}
	return live
}

// unchangedSincePlan reads function fp (FC 3.0, right before its unconditional update) and fails
// when another deployment changed its code or configuration since Plan read it: that change is
// reported, not overwritten (all but a change in the moment between this read and the update).
func (b *Backend) unchangedSincePlan(ctx context.Context, fp functionPlan) error {
	name := fp.spec.Name
	live, err := try(ctx, b, func() (*Function, error) { return b.fc.Get(ctx, name) })
	if err != nil {
		return fmt.Errorf("updating function %s: reading it first: %w", name, err)
	}
	if live == nil || !sameFunction(live, fp.live) {
		return fmt.Errorf("updating function %s: the function changed since this run read it (another deployment is running?); nothing of it was overwritten: run again to deploy over the new state", name)
	}
	return nil
}

// sameFunction tells whether two reads of a function show the same code and configuration.
func sameFunction(a, b *Function) bool {
	return a.CodeChecksum == b.CodeChecksum && a.Image == b.Image && a.Runtime == b.Runtime && a.Handler == b.Handler &&
		a.Role == b.Role && a.Description == b.Description && a.MemoryMB == b.MemoryMB && a.TimeoutSec == b.TimeoutSec &&
		a.InternetAccess == b.InternetAccess && a.Port == b.Port
}

// restored is what a function looks like once restored to prev: prev, with the checksum of the
// previous code zip when the restore puts it back.
func restored(prev *Function, prevCode []byte) *Function {
	want := *prev
	if prevCode != nil {
		// FC's codeChecksum: the CRC-64/ECMA-182 of the zip, in decimal.
		want.CodeChecksum = strconv.FormatUint(crc64.Checksum(prevCode, crc64.MakeTable(crc64.ECMA)), 10)
	}
	return &want
}
