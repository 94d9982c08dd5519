// Package run is the pipeline: build -> limits -> deploy -> verify -> publish. It is the only code
// that talks to the GitHub Actions UI (groups, masks, annotations, outputs, the step summary).
package run

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/bytesize"
	"github.com/lithops-runtime-action/lithops-runtime-action/internal/config"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/pip"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/lithops"
)

// ZipBuilder builds zip runtimes.
type ZipBuilder interface {
	Build(ctx context.Context, spec build.ZipSpec) (*build.Artifact, error)
}

// ImageBuilder builds image runtimes.
type ImageBuilder interface {
	Build(ctx context.Context, spec build.ImageSpec) (*build.Artifact, error)
}

// BasePuller reads a base image for a platform from its registry.
type BasePuller func(ctx context.Context, ref string, platform v1.Platform) (v1.Image, error)

// Deps are the pipeline's collaborators, wired by main (and by tests).
type Deps struct {
	UI *UI
	// Stdout receives name=value output lines outside GitHub Actions.
	Stdout io.Writer
	// Builder builds zip runtimes.
	Builder ZipBuilder
	// Images builds image runtimes (nil: image runtimes are refused).
	Images ImageBuilder
	// PullBase reads base images of daemonless image builds.
	PullBase BasePuller
	// RunImage runs a container runtime on this machine for the local test (nil: no local test).
	RunImage ImageRunner
	// Backend returns the deployment backend for the configuration.
	Backend func(cfg *config.Config) (deploy.Backend, error)
	// TempDir is where build work directories are made ("" for the system default).
	TempDir string
	// Now is the clock for stage timings (time.Now when nil).
	Now func() time.Time
	// Workspace is the directory tree files a requirements file includes must stay in.
	Workspace string
}

// Result is what a successful run published.
type Result struct {
	Outputs    Outputs
	Plan       *deploy.Plan
	Deployment *deploy.Deployment
	Artifact   *build.Artifact
	Changed    bool
	Timings    []StageTiming
}

// StageTiming is how long one stage took.
type StageTiming struct {
	Stage    string
	Duration time.Duration
	Skipped  string // why it was skipped, "" when it ran
}

// pipeline carries the state of one run from stage to stage.
type pipeline struct {
	cfg     *config.Config
	deps    Deps
	backend deploy.Backend
	workDir string

	artifact   *build.Artifact
	plan       *deploy.Plan
	deployment *deploy.Deployment
	metadata   []*lithops.Metadata // per function, from the smoke test
	written    []string            // metadata keys written
	partial    bool                // the deployment failed after changing something
	changed    bool
	result     *Result
	unlocks    []func() // locks held until the run ends (deploy.Locker)
	// noCloud is set when a dry run goes on without usable credentials: no plan, no outputs.
	noCloud error
}

// skip is a stage's "nothing to do", reported by the runner rather than buried in the stage;
// warn makes it a warning (a check the user turned off).
type skip struct {
	reason string
	warn   bool
}

func (s skip) Error() string { return s.reason }

// stage is one step of the pipeline.
type stage struct {
	name string
	run  func(p *pipeline, ctx context.Context) error
}

// stages is the pipeline, in order.
var stages = []stage{
	{"build", (*pipeline).build},
	{"limits", (*pipeline).limits},
	{"local-test", (*pipeline).localTest},
	{"deploy", (*pipeline).deploy},
	{"verify", (*pipeline).verify},
	{"publish", (*pipeline).publish},
}

// Run builds, checks, deploys, verifies and publishes the runtime cfg describes.
func Run(ctx context.Context, cfg *config.Config, deps Deps) (*Result, error) {
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if deps.Stdout == nil {
		deps.Stdout = io.Discard
	}
	ui := deps.UI
	for _, s := range cfg.Secrets {
		ui.Mask(s)
	}
	for _, w := range cfg.Warnings {
		ui.Warnf("%s", w)
	}
	// Checked before anything is built: outputs that cannot be published would fail the run only
	// after the cloud changed.
	if err := CheckFiles(ui.getenv); err != nil {
		return nil, err
	}
	backend, err := deps.Backend(cfg)
	if err != nil {
		return nil, err
	}
	work, err := os.MkdirTemp(deps.TempDir, "lithops-runtime-build-")
	if err != nil {
		return nil, fmt.Errorf("making a build directory: %w", err)
	}
	defer os.RemoveAll(work)

	p := &pipeline{cfg: cfg, deps: deps, backend: backend, workDir: work, result: &Result{}}
	defer p.unlock()
	ui.Infof("lithops runtime %s: backend %s, %s package, Python %s, Lithops %s, memory %v MB",
		cfg.RuntimeName, cfg.Backend, cfg.PackageType, cfg.Python, cfg.Lithops, cfg.Memory)
	if err := p.preflight(ctx); err != nil {
		return nil, fmt.Errorf("before the build: %w", err)
	}
	for _, s := range stages {
		setStage(s.name)
		start := deps.Now()
		ui.Group(s.name)
		err := s.run(p, ctx)
		ui.EndGroup()
		t := StageTiming{Stage: s.name, Duration: deps.Now().Sub(start)}
		var sk skip
		if errors.As(err, &sk) {
			t.Skipped = sk.reason
			if sk.warn {
				ui.Warnf("%s: skipped: %s", s.name, sk.reason)
			} else {
				ui.Infof("%s: skipped: %s", s.name, sk.reason)
			}
			err = nil
		}
		p.result.Timings = append(p.result.Timings, t)
		if err != nil {
			if ctx.Err() != nil {
				err = p.interrupted(s.name, err)
			}
			return nil, fmt.Errorf("%s: %w", s.name, err)
		}
	}
	return p.result, nil
}

func (p *pipeline) build(ctx context.Context) error {
	cfg := p.cfg
	if cfg.Requirements != "" {
		// pip's own failures on such files are raw tracebacks, or echo lines of files outside it.
		if err := pip.CheckRequirementsTree(cfg.Requirements, p.deps.Workspace); err != nil {
			return err
		}
	}
	if cfg.PackageType == build.Image {
		return p.buildImage(ctx)
	}
	layout := build.LambdaLayout
	if cfg.Backend == lithops.AliyunFC {
		layout = build.FCLayout
	}
	major, minor := lithops.Glibc(cfg.Backend, cfg.Python)
	spec := build.ZipSpec{
		Layout:       layout,
		Requirements: lithops.DefaultRequirements(cfg.Backend),
		Lithops:      cfg.Lithops.String(),
		EntryPoint:   lithops.EntryPoint(cfg.Backend),
		Platform:     pipPlatform(cfg.Python.String(), cfg.Architecture, major, minor),
		ModTime:      cfg.ModTime,
		WorkDir:      p.workDir,
	}
	if cfg.Requirements != "" {
		spec.RequirementFiles = []string{cfg.Requirements}
	}
	art, err := p.deps.Builder.Build(ctx, spec)
	if err != nil {
		return err
	}
	p.artifact = art
	p.result.Artifact = art
	if art.Layer != nil {
		p.deps.UI.Infof("layer zip: %s, %d files, %s unzipped, sha256 %s", bytesize.Format(art.Layer.Size), art.Layer.Files, bytesize.Format(art.Layer.UnzippedSize), art.Layer.SHA256)
	}
	p.deps.UI.Infof("function zip: %s, %d files, %s unzipped, sha256 %s", bytesize.Format(art.Function.Size), art.Function.Files, bytesize.Format(art.Function.UnzippedSize), art.Function.SHA256)
	p.deps.UI.Infof("modules checked in the runtime: %v", art.Modules)
	return nil
}

func (p *pipeline) deploy(ctx context.Context) error {
	cfg := p.cfg
	if p.noCloud != nil {
		return skip{reason: "dry-run without usable credentials: no plan against what is live", warn: true}
	}
	if err := p.lock(ctx); err != nil {
		return err
	}
	plan, err := p.backend.Plan(ctx, p.request())
	if err != nil {
		return err
	}
	p.plan = plan
	p.result.Plan = plan
	p.deps.UI.Infof("plan:\n%s", plan.Summary())
	if cfg.DryRun {
		return skip{reason: "dry-run: the plan above was not applied"}
	}
	d, err := p.backend.Apply(ctx, plan)
	if err != nil {
		if d != nil && d.Changed {
			p.partial = true
			return fmt.Errorf("%w\nthe deployment stopped part way: run again to converge", err)
		}
		return err
	}
	p.deployment = d
	p.result.Deployment = d
	p.changed = d.Changed
	return nil
}

// request is what the deploy stage asks the backend for.
func (p *pipeline) request() *deploy.Request {
	cfg := p.cfg
	return &deploy.Request{
		RuntimeName:   cfg.RuntimeName,
		Lithops:       cfg.Lithops,
		Python:        cfg.Python,
		Artifact:      p.artifact,
		MemoryMB:      cfg.Memory,
		TimeoutSec:    cfg.Timeout,
		Architecture:  cfg.Architecture,
		StorageBucket: cfg.StorageBucket,
	}
}

func (p *pipeline) publishOutputs() Outputs {
	cfg, art := p.cfg, p.artifact
	fns := p.plan.Functions
	names := make([]string, len(fns))
	for i, f := range fns {
		names[i] = f.Name
	}
	namesJSON, _ := json.Marshal(names)
	pyV, lxV := cfg.Python.String(), cfg.Lithops.String()
	if len(p.metadata) > 0 {
		pyV, lxV = p.metadata[0].PythonVersion, p.metadata[0].LithopsVersion
	}
	metaKey := ""
	if len(p.written) > 0 || (len(p.metadata) > 0 && cfg.WriteMetadata) {
		metaKey = fns[0].MetadataKey()
	}
	layer, imageURI, bundle := "", "", ""
	if p.deployment != nil {
		layer, imageURI = p.deployment.LayerID, p.deployment.ImageURI
	} else if art.Layer != nil {
		layer = p.plan.LayerID
	}
	if art.Function != nil {
		bundle = art.Function.SHA256
	}
	return Outputs{
		{"runtime-name", cfg.RuntimeName},
		{"function-name", names[0]},
		{"function-names", string(namesJSON)},
		{"function-arn", fns[0].ID},
		{"runtime-key", fns[0].RuntimeKey},
		{"metadata-key", metaKey},
		{"python-version", pyV},
		{"lithops-version", lxV},
		{"package-type", cfg.PackageType},
		{"bundle-sha256", bundle},
		{"layer-arn", layer},
		{"image-uri", imageURI},
		{"image-digest", art.ImageDigest},
		{"changed", strconv.FormatBool(p.changed)},
	}
}
