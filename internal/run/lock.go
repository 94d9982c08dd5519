package run

import (
	"context"

	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy"
)

// lock takes the backend's lock (deploy.Locker) before planning; Run releases it when it ends,
// after the metadata is written. A dry run changes nothing, and takes no lock.
func (p *pipeline) lock(ctx context.Context) error {
	lk, ok := p.backend.(deploy.Locker)
	if !ok || p.cfg.DryRun {
		return nil
	}
	unlock, err := lk.Lock(ctx)
	if err != nil {
		return err
	}
	p.unlocks = append(p.unlocks, unlock)
	return nil
}

// unlock releases the locks lock took.
func (p *pipeline) unlock() {
	for _, u := range p.unlocks {
		u()
	}
	p.unlocks = nil
}
