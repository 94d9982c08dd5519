package run

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/lithops-runtime-action/lithops-runtime-action/dockerfiles"
	"github.com/lithops-runtime-action/lithops-runtime-action/internal/bytesize"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/image"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/lithops"
)

// Where Lithops' AWS Lambda container templates and base images put the function.
const (
	lambdaTaskRoot   = "/var/task"
	lambdaContextZip = "lithops_lambda.zip"
)

// lambdaImageHandler is the CMD of Lithops' AWS Lambda container runtimes.
var lambdaImageHandler = []string{"handler.entry_point.lambda_handler"}

// Where the FC custom-container image built without Docker puts the runtime.
const fcCodeDir = "/code"

// Lithops' FC custom-container build context (aliyun_fc.py, _build_container_image): the zip
// holds container_entry_point.py (a flask app its Dockerfiles serve with gunicorn) and lithops/.
const (
	fcContextZip        = "lithops_aliyun_fc.zip"
	fcContextEntryPoint = "lithops/serverless/backends/aliyun_fc/container_entry_point.py"
	fcContextEntryName  = "container_entry_point.py"
)

// defaultBaseImage is the base of images built from requirements: the AWS Lambda Python base image
// of the runtime's Python (a multi-platform index), or for FC the Debian slim Python image.
func defaultBaseImage(backend string, py lithops.Python) string {
	if backend == lithops.AliyunFC {
		return "python:" + py.String() + "-slim"
	}
	return "public.ecr.aws/lambda/python:" + py.String()
}

// buildImage builds an image runtime: the user's Dockerfile with Lithops' zip in its context, or,
// from requirements, a daemonless image on the base image.
func (p *pipeline) buildImage(ctx context.Context) error {
	cfg := p.cfg
	if p.deps.Images == nil {
		return fmt.Errorf("package-type image: this build of the tool cannot build images")
	}
	platform, err := image.PlatformFor(cfg.Architecture)
	if err != nil {
		return err
	}
	major, minor := lithops.Glibc(cfg.Backend, cfg.Python)
	spec := build.ImageSpec{
		Dockerfile: cfg.Dockerfile, Context: cfg.Context, Tool: cfg.Builder, ContextZip: lambdaContextZip,
		Requirements: lithops.DefaultRequirements(cfg.Backend), TaskRoot: lambdaTaskRoot, Cmd: lambdaImageHandler, HandlerPackage: true,
		Lithops: cfg.Lithops.String(), EntryPoint: lithops.EntryPoint(cfg.Backend),
		Platform:      pipPlatform(cfg.Python.String(), cfg.Architecture, major, minor),
		ImagePlatform: platform, ModTime: cfg.ModTime, NotReproducible: !cfg.Reproducible, Cache: cfg.BuildCache, WorkDir: p.workDir,
	}
	if cfg.Backend == lithops.AliyunFC {
		// FC custom containers. From a Dockerfile: Lithops' context zip (dockerfiles/aliyun_fc
		// serves it as Lithops' templates do). Without Docker: Lithops, its entry point and our
		// standard-library HTTP server in /code, served on FC_SERVER_PORT.
		spec.ContextZip, spec.TaskRoot, spec.HandlerPackage, spec.Cmd = fcContextZip, fcCodeDir, false, []string{}
		spec.ContextEntryPoint, spec.ContextEntryName = fcContextEntryPoint, fcContextEntryName
		spec.Entrypoint = []string{"python3", fcCodeDir + "/fc_server.py"}
		spec.ExtraFiles = map[string][]byte{"fc_server.py": dockerfiles.AliyunFCServer}
	}
	if cfg.Dockerfile == "" {
		if cfg.Requirements != "" {
			spec.RequirementFiles = []string{cfg.Requirements}
		}
		ref := cfg.BaseImage
		if ref == "" {
			ref = defaultBaseImage(cfg.Backend, cfg.Python)
		}
		p.deps.UI.Infof("base image %s (%s)", ref, platform)
		if spec.Base, err = p.deps.PullBase(ctx, ref, platform); err != nil {
			return fmt.Errorf("reading the base image %s: %w; set base-image to an image your runner can pull", ref, err)
		}
	} else {
		spec.Requirements = nil
		spec.BuildArgs = cfg.BuildArgs
		if len(cfg.BuildArgs) > 0 {
			// Names only: the values may be secret-ish (the build key covers them as a hash).
			p.deps.UI.Infof("build args: %s", strings.Join(slices.Sorted(maps.Keys(cfg.BuildArgs)), ", "))
		}
		if lr, ok := p.backend.(deploy.LiveImageReader); ok {
			// What the functions run now: a Dockerfile runtime of the same build key is not built.
			if spec.Live, err = lr.LiveImage(ctx, p.request()); err != nil {
				return fmt.Errorf("reading the image the functions run: %w", err)
			}
		}
	}
	art, err := p.deps.Images.Build(ctx, spec)
	if err != nil {
		return err
	}
	p.artifact = art
	p.result.Artifact = art
	if art.Reused {
		if spec.Live != nil && spec.Live.BuildKey == art.BuildKey {
			return skip{reason: fmt.Sprintf("every function already runs image %s of build key %s: nothing to build or push", art.ImageDigest, art.BuildKey)}
		}
		p.deps.UI.Infof("image %s: the image built has the content (%s) of the image every function runs: that one is kept, not pushed again; build key %s", art.ImageDigest, art.ContentDigest, art.BuildKey)
		return nil
	}
	p.deps.UI.Infof("image %s: %s, built by %s", art.ImageDigest, bytesize.Format(art.ImageSize), art.ImageBuilder)
	if art.BuildKey != "" {
		p.deps.UI.Infof("build key %s (label %s)", art.BuildKey, build.BuildKeyLabel)
	}
	if len(art.Modules) > 0 {
		p.deps.UI.Infof("modules checked in the runtime: %v", art.Modules)
	}
	return nil
}
