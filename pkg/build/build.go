// Package build turns a runtime specification into deployable artifacts: zip bundles with
// platform-targeted wheels (and, later, container images). It knows nothing of the clouds.
package build

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/cache"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/pip"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/wheelcheck"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/zipbundle"
)

// Package types.
const (
	Zip   = "zip"
	Image = "image"
)

// Layout is how a zip runtime's files are split into zips.
type Layout int

const (
	// LambdaLayout is AWS Lambda's: a layer zip with the dependencies under python/, and a function
	// zip with entry_point.py and the lithops/ package at its root.
	LambdaLayout Layout = iota
	// FCLayout is Aliyun Function Compute's: one code zip with entry_point.py, lithops/ and the
	// dependencies at its root.
	FCLayout
)

// Artifact is a built runtime.
type Artifact struct {
	PackageType string
	// Layer is the layer zip (LambdaLayout only).
	Layer *zipbundle.Bundle
	// Function is the function code zip.
	Function *zipbundle.Bundle
	// Dependencies are the distributions installed, sorted by name.
	Dependencies []pip.Distribution
	// Modules are the top-level import names of the distributions that were asked for (the
	// requirements and Lithops' own list); the smoke test expects each in the runtime.
	Modules []string

	// Image is the container image of an image runtime: one platform, ready to push.
	Image v1.Image
	// ImageDigest is Image's manifest digest ("sha256:...").
	ImageDigest string
	// ImageSize is the size of Image's compressed layers and config, as a registry stores them.
	ImageSize int64
	// ImageBuilder says what built Image: "daemonless", "docker", "buildah" or "podman".
	ImageBuilder string
}

// ZipSpec describes a zip runtime.
type ZipSpec struct {
	Layout Layout
	// RequirementFiles are pip requirements files (the requirements input).
	RequirementFiles []string
	// Requirements are further requirement specifiers (Lithops' own runtime dependencies).
	Requirements []string
	// Lithops is the exact lithops version installed (without its dependencies) in the code.
	Lithops string
	// EntryPoint is the path, inside the installed lithops, of the backend's entry_point.py.
	EntryPoint string
	Platform   pip.Platform
	// ModTime is the timestamp of every entry (zero: zipbundle's constant default).
	ModTime time.Time
	// WorkDir receives the installed trees and the zips; the caller removes it.
	WorkDir string
}

// Installer installs Python distributions for a target platform.
type Installer interface {
	InstallRequirements(ctx context.Context, req pip.InstallRequest) (*pip.Report, error)
	InstallLithops(ctx context.Context, version, target string, platform pip.Platform, entryPoint string) error
}

// ZipBuilder builds zip runtimes.
type ZipBuilder struct {
	installer Installer
	logger    *slog.Logger
	zipOpts   []zipbundle.Option
	cache     *cache.Cache
	tool      func() string
}

// NewZipBuilder returns a ZipBuilder installing with inst and logging to logger (nil discards).
func NewZipBuilder(inst Installer, logger *slog.Logger, opts ...ZipOption) *ZipBuilder {
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	b := &ZipBuilder{installer: inst, logger: logger}
	for _, o := range opts {
		o(b)
	}
	return b
}

// Build installs the dependencies and lithops for the target platform and writes the zips.
func (b *ZipBuilder) Build(ctx context.Context, spec ZipSpec) (*Artifact, error) {
	if b.cache == nil {
		return b.build(ctx, spec)
	}
	return b.cachedBuild(ctx, spec)
}

// build installs and zips, without the cache.
func (b *ZipBuilder) build(ctx context.Context, spec ZipSpec) (*Artifact, error) {
	deps := filepath.Join(spec.WorkDir, "dependencies")
	code := filepath.Join(spec.WorkDir, "function")
	for _, d := range []string{deps, code} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	// The dependencies and lithops go to different directories: pip installs lithops while the
	// dependencies are installed (a failure of either stops the other).
	lxCtx, cancelLithops := context.WithCancel(ctx)
	defer cancelLithops()
	lithopsDone := make(chan error, 1)
	b.logger.Info("installing lithops", "version", spec.Lithops)
	go func() {
		lithopsDone <- b.installer.InstallLithops(lxCtx, spec.Lithops, code, spec.Platform, spec.EntryPoint)
	}()
	b.logger.Info("installing dependencies", "python", spec.Platform.Python, "architecture", spec.Platform.Arch,
		"requirements", spec.RequirementFiles, "plus", spec.Requirements)
	report, err := b.installer.InstallRequirements(ctx, pip.InstallRequest{
		RequirementFiles: spec.RequirementFiles,
		Requirements:     spec.Requirements,
		Target:           deps,
		Platform:         spec.Platform,
	})
	if err != nil {
		cancelLithops()
		<-lithopsDone
		return nil, err
	}
	if err := <-lithopsDone; err != nil {
		return nil, err
	}
	if err := dropLithops(deps, report, spec.Lithops, b.logger); err != nil {
		return nil, err
	}
	if err := wheelcheck.Check(deps, spec.Platform, wheelcheck.WithLogger(b.logger)); err != nil {
		return nil, fmt.Errorf("the dependencies installed for %s cannot load there:\n%w", spec.Platform, err)
	}
	if err := wheelcheck.Check(code, spec.Platform, wheelcheck.WithLogger(b.logger)); err != nil {
		return nil, fmt.Errorf("lithops as installed for %s cannot load there:\n%w", spec.Platform, err)
	}

	art := &Artifact{PackageType: Zip, Dependencies: report.Distributions}
	sort.Slice(art.Dependencies, func(i, j int) bool { return art.Dependencies[i].Name < art.Dependencies[j].Name })
	art.Modules = requestedModules(art.Dependencies)

	opts := b.zipOpts
	if !spec.ModTime.IsZero() {
		opts = append(append([]zipbundle.Option(nil), opts...), zipbundle.WithModTime(spec.ModTime))
	}
	switch spec.Layout {
	case LambdaLayout:
		if art.Layer, err = zipbundle.Write(ctx, filepath.Join(spec.WorkDir, "layer.zip"),
			[]zipbundle.Source{{Dir: deps, Prefix: "python/"}}, opts...); err != nil {
			return nil, fmt.Errorf("writing the layer zip: %w", err)
		}
		if art.Function, err = zipbundle.Write(ctx, filepath.Join(spec.WorkDir, "function.zip"),
			[]zipbundle.Source{{Dir: code}}, opts...); err != nil {
			return nil, fmt.Errorf("writing the function zip: %w", err)
		}
	case FCLayout:
		if art.Function, err = zipbundle.Write(ctx, filepath.Join(spec.WorkDir, "code.zip"),
			[]zipbundle.Source{{Dir: code}, {Dir: deps}}, opts...); err != nil {
			return nil, fmt.Errorf("writing the code zip: %w", err)
		}
	default:
		return nil, fmt.Errorf("unknown zip layout %d", spec.Layout)
	}
	return art, nil
}

// dropLithops removes lithops from the installed dependencies when the requirements brought it (a
// lock compiled from requirements that name lithops does): the runtime's lithops is the one of the
// lithops-version input in the function code, and a second copy would clash with it in an FC code
// zip or an image directory, or sit unused in a Lambda layer.
func dropLithops(deps string, report *pip.Report, version string, logger *slog.Logger) error {
	kept := report.Distributions[:0]
	for _, d := range report.Distributions {
		if !strings.EqualFold(d.Name, "lithops") {
			kept = append(kept, d)
			continue
		}
		if _, err := pip.RemoveDistribution(deps, d.Name); err != nil {
			return err
		}
		if d.Version != version {
			logger.Warn("the requirements install lithops "+d.Version+", the runtime carries lithops "+version+
				" (the lithops-version input): the requirements' copy is left out", "requirements", d.Version, "lithops-version", version)
		} else {
			logger.Info("the requirements install lithops too: the runtime carries it once, in the function code", "version", version)
		}
	}
	report.Distributions = kept
	return nil
}
