package run

import (
	"bytes"
	"context"
	"fmt"

	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy"
)

// metadataAttempts bounds how often the metadata of one function is written again after another
// deployment wrote it between this run's read and write.
const metadataAttempts = 5

// writeMetadata writes the runtime metadata of fn when it differs from the stored object (wrote
// false: it was up to date), only for what this run deployed and checked:
//
//   - the object is read (with its version, where the storage writes conditionally), then the
//     function is checked to be exactly as this run deployed it (code, layers, configuration);
//   - the object is written only if it is still at the version read, else all is done again (a
//     concurrent deployment wrote its metadata meanwhile);
//   - the function is checked once more after the write: a deployment that changed it in between
//     makes this run fail, saying the metadata may describe this run's runtime.
func (p *pipeline) writeMetadata(ctx context.Context, fn deploy.Function, key string, body []byte) (bool, error) {
	bucket := p.plan.Bucket
	cs, conditional := p.backend.(deploy.ConditionalStore)
	attempted := false // a conditional write was refused
	for attempt := 1; ; attempt++ {
		var (
			old     []byte
			version string
			found   bool
			err     error
		)
		if conditional {
			old, version, found, err = cs.ReadObjectVersion(ctx, bucket, key)
		} else {
			old, found, err = p.backend.ReadObject(ctx, bucket, key)
		}
		if err != nil {
			return false, fmt.Errorf("reading runtime metadata %s in bucket %s: %w", key, bucket, err)
		}
		if err := p.checkDeployed(ctx, fn, "before writing its metadata"); err != nil {
			return false, err
		}
		if found && bytes.Equal(old, body) {
			// After a refused conditional write: this run's own write, whose reply was lost and
			// whose retry found the object changed (or another run wrote the same bytes).
			return attempted, nil
		}
		if !conditional {
			if err := p.backend.WriteObject(ctx, bucket, key, body); err != nil {
				return false, fmt.Errorf("writing runtime metadata %s in bucket %s: %w", key, bucket, err)
			}
		} else {
			written, err := cs.WriteObjectIf(ctx, bucket, key, body, version)
			if err != nil {
				return false, fmt.Errorf("writing runtime metadata %s in bucket %s: %w", key, bucket, err)
			}
			if !written {
				attempted = true
				if attempt < metadataAttempts {
					p.deps.UI.Infof("runtime metadata %s changed since it was read (another deployment wrote it, or this run's own write whose reply was lost): reading it and checking function %s again", key, fn.Name)
					continue
				}
				return false, fmt.Errorf("runtime metadata %s in bucket %s was changed by another deployment %d times while this run wrote it; it was not written: run again", key, bucket, metadataAttempts)
			}
		}
		if err := p.checkDeployed(ctx, fn, "after writing its metadata"); err != nil {
			return true, fmt.Errorf("%w\nthe runtime metadata %s this run wrote may describe this run's runtime rather than the one that runs now: run again", err, key)
		}
		return true, nil
	}
}

// checkDeployed fails when fn is no longer exactly as this run deployed and smoke-tested it.
func (p *pipeline) checkDeployed(ctx context.Context, fn deploy.Function, when string) error {
	cc, ok := p.backend.(deploy.CodeChecker)
	if !ok {
		return nil
	}
	same, err := cc.RunsDeployedCode(ctx, p.deployment, fn)
	if err != nil {
		return fmt.Errorf("checking function %s %s: %w", fn.Name, when, err)
	}
	if !same {
		return fmt.Errorf("function %s runs other code than this run deployed and smoke-tested (or other layers or configuration; checked %s): another deployment changed it meanwhile; its runtime metadata was not written by this run (it belongs to that deployment): run again to deploy over it", fn.Name, when)
	}
	return nil
}
