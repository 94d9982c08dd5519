package run

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/bytesize"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/pip"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/lithops"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/verify"
)

// limits checks the artifacts against the platform's limits before anything is uploaded.
func (p *pipeline) limits(ctx context.Context) error {
	cfg, art := p.cfg, p.artifact
	if art.Reused {
		return skip{reason: "the image is the one every function already runs"}
	}
	lim := lithops.LimitsFor(cfg.Backend)
	platform := platformName(cfg.Backend)
	var errs []error
	if art.Image != nil && art.ImageSize > lim.ImageMax {
		errs = append(errs, fmt.Errorf("the image is %s (compressed), over %s's limit of %s for container images: make the image smaller (drop build tools and caches in the Dockerfile, or requirements you do not need)",
			bytesize.Format(art.ImageSize), platform, bytesize.Format(lim.ImageMax)))
	}
	if art.Layer != nil && lim.UnzippedMax > 0 {
		total := art.Layer.UnzippedSize + art.Function.UnzippedSize
		if total > lim.UnzippedMax {
			errs = append(errs, fmt.Errorf("the runtime is %s unzipped (dependencies layer %s + function %s), over %s's limit of %d bytes for a function and its layers: "+
				"drop requirements you do not need, or build a container runtime (the dockerfile input, or package-type image), which may be up to 10 GB",
				bytesize.Format(total), bytesize.Format(art.Layer.UnzippedSize), bytesize.Format(art.Function.UnzippedSize), platform, lim.UnzippedMax))
		}
	}
	if art.Layer == nil && art.Function != nil && lim.StagedZipMax > 0 && art.Function.Size > lim.StagedZipMax {
		errs = append(errs, fmt.Errorf("the code zip is %s, over %s's limit of %s for code uploaded through object storage: drop requirements you do not need, or build a container runtime (the dockerfile input)",
			bytesize.Format(art.Function.Size), platform, bytesize.Format(lim.StagedZipMax)))
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	p.deps.UI.Infof("within %s's limits", platform)
	return nil
}

// verify invokes every function with Lithops' metadata request. A failure restores what was
// live before and fails the run: no metadata is written and no output published.
func (p *pipeline) verify(ctx context.Context) error {
	switch {
	case p.cfg.DryRun:
		return skip{reason: "dry-run: nothing was deployed"}
	case !p.cfg.SmokeTest:
		return skip{reason: "smoke-test is false: the deployed runtime was not checked, and no runtime metadata is written", warn: true}
	}
	want := verify.Expect{
		Backend: p.cfg.Backend,
		Python:  p.cfg.Python.String(),
		Lithops: p.cfg.Lithops.String(),
		Modules: p.artifact.Modules,
	}
	fns := p.deployment.Functions
	mds := make([]*lithops.Metadata, len(fns))
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mds[i], errs[i] = verify.Run(ctx, p.backend, fn, want)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		if ctx.Err() != nil {
			// Interrupted: restoring would be cut short too; Run says where this leaves the cloud.
			return err
		}
		if !p.deployment.Changed {
			return fmt.Errorf("%w\nnothing was changed by this run: the runtime that fails is the one that was already deployed", err)
		}
		if rerr := p.backend.Restore(ctx, p.deployment); rerr != nil {
			if superseded(rerr) {
				return fmt.Errorf("%w\nthe functions were restored to what was deployed before this run, except where another deployment changed them since (left as that deployment made them): %v; no runtime metadata was written", err, rerr)
			}
			return fmt.Errorf("%w\nrestoring the previous functions also failed: %v; the functions may run the new, failing code: run again once fixed", err, rerr)
		}
		return fmt.Errorf("%w\nthe functions were restored to what was deployed before this run, and no runtime metadata was written", err)
	}
	for i, fn := range fns {
		p.deps.UI.Infof("function %s: Python %s, Lithops %s, %d modules importable", fn.Name, mds[i].PythonVersion, mds[i].LithopsVersion, len(mds[i].Preinstalls))
	}
	p.metadata = mds
	return nil
}

// publish writes the runtime metadata for every function, then the outputs and the summary.
func (p *pipeline) publish(ctx context.Context) error {
	if p.cfg.WriteMetadata && !p.cfg.DryRun {
		for i, fn := range p.deployment.Functions {
			md := *p.metadata[i]
			md.RuntimeTimeout = p.cfg.Timeout
			body := md.Encode()
			key := fn.MetadataKey()
			wrote, err := p.writeMetadata(ctx, fn, key, body)
			if err != nil {
				return err
			}
			if !wrote {
				p.deps.UI.Infof("runtime metadata %s is up to date", key)
				continue
			}
			p.deps.UI.Infof("wrote runtime metadata %s in bucket %s", key, p.plan.Bucket)
			p.written = append(p.written, key)
			p.changed = true
		}
	}
	if p.plan == nil {
		return skip{reason: "dry-run without usable credentials: no plan, so no function names or other outputs", warn: true}
	}
	outs := p.publishOutputs()
	p.result.Outputs = outs
	p.result.Changed = p.changed
	if err := p.deps.UI.Outputs(p.deps.Stdout, outs); err != nil {
		return err
	}
	if _, err := p.deps.UI.Summary(renderSummary(p)); err != nil {
		return err
	}
	return nil
}

func platformName(backend string) string {
	switch backend {
	case lithops.AliyunFC:
		return "Aliyun Function Compute"
	case lithops.Local:
		return "AWS Lambda (the local backend mirrors it)"
	}
	return "AWS Lambda"
}

func pipPlatform(python, arch string, glibcMajor, glibcMinor int) pip.Platform {
	return pip.Platform{Python: python, Arch: arch, GlibcMajor: glibcMajor, GlibcMinor: glibcMinor}
}

var _ = build.Zip

// superseded tells whether every error joined in err is a function left to a newer deployment.
func superseded(err error) bool {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			if !superseded(e) {
				return false
			}
		}
		return true
	}
	return errors.Is(err, deploy.ErrSuperseded)
}
