// Package build turns a runtime specification into deployable artifacts: zip bundles with
// platform-targeted wheels (and, later, container images). It knows nothing of the clouds.
package build

import (
	"context"
	"errors"
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
	// BuildKey is a Dockerfile build's key (dockerfile.BuildKey), "" for other builds: the image
	// carries it as the BuildKeyLabel label, and backends tag the functions with it.
	BuildKey string
	// ContentDigest is the digest of a Dockerfile build's image before the BuildKeyLabel label was
	// added: equal for two builds that produced the same image from different keys.
	ContentDigest string
	// Reused tells that the image was not built or not pushed: the live functions already run the
	// image ImageDigest names (with the same build key, or the same content). Image is nil then.
	Reused bool
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

// Planner is the optional part of an Installer that plans the installed tree of a request without
// writing it ([pip.Installer] with the wheel installer): the zips are then written straight from
// the wheels.
type Planner interface {
	PlanRequirements(ctx context.Context, req pip.InstallRequest) (*pip.Tree, error)
}

// build installs and zips, without the cache.
func (b *ZipBuilder) build(ctx context.Context, spec ZipSpec) (*Artifact, error) {
	code := filepath.Join(spec.WorkDir, "function")
	if err := os.MkdirAll(code, 0o755); err != nil {
		return nil, err
	}
	// The dependencies and lithops go to different places: pip installs lithops while the
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
	deps, report, release, err := b.dependencies(ctx, spec)
	defer release()
	if err != nil {
		cancelLithops()
		<-lithopsDone
		return nil, err
	}
	if err := <-lithopsDone; err != nil {
		return nil, err
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
	layer := deps
	layer.Prefix = "python/"
	switch spec.Layout {
	case LambdaLayout:
		if art.Layer, err = zipbundle.Write(ctx, filepath.Join(spec.WorkDir, "layer.zip"),
			[]zipbundle.Source{layer}, opts...); err != nil {
			return nil, fmt.Errorf("writing the layer zip: %w", err)
		}
		if art.Function, err = zipbundle.Write(ctx, filepath.Join(spec.WorkDir, "function.zip"),
			[]zipbundle.Source{{Dir: code}}, opts...); err != nil {
			return nil, fmt.Errorf("writing the function zip: %w", err)
		}
	case FCLayout:
		if art.Function, err = zipbundle.Write(ctx, filepath.Join(spec.WorkDir, "code.zip"),
			[]zipbundle.Source{{Dir: code}, deps}, opts...); err != nil {
			return nil, fmt.Errorf("writing the code zip: %w", err)
		}
	default:
		return nil, fmt.Errorf("unknown zip layout %d", spec.Layout)
	}
	return art, nil
}

// dependencies installs the requirements and returns them as a zip source (without prefix), checked
// with wheelcheck. When the installer can plan the tree, nothing but the .dist-info directories
// and the shared objects is written: the zips copy the files' compressed bytes straight from the
// wheels (release closes them after the zips are written). Otherwise the tree is installed into
// WorkDir/dependencies.
func (b *ZipBuilder) dependencies(ctx context.Context, spec ZipSpec) (zipbundle.Source, *pip.Report, func(), error) {
	req := pip.InstallRequest{RequirementFiles: spec.RequirementFiles, Requirements: spec.Requirements, Platform: spec.Platform}
	if pl, ok := b.installer.(Planner); ok {
		tree, err := pl.PlanRequirements(ctx, req)
		switch {
		case err == nil:
			src, err := b.fromTree(ctx, spec, tree)
			return src, tree.Report, tree.Close, err
		case !errors.Is(err, pip.ErrNotPlanned):
			return zipbundle.Source{}, nil, func() {}, err
		}
	}
	deps := filepath.Join(spec.WorkDir, "dependencies")
	if err := os.MkdirAll(deps, 0o755); err != nil {
		return zipbundle.Source{}, nil, func() {}, err
	}
	req.Target = deps
	report, err := b.installer.InstallRequirements(ctx, req)
	if err != nil {
		return zipbundle.Source{}, nil, func() {}, err
	}
	if err := dropLithops(deps, report, spec.Lithops, b.logger); err != nil {
		return zipbundle.Source{}, nil, func() {}, err
	}
	if err := wheelcheck.Check(deps, spec.Platform, wheelcheck.WithLogger(b.logger)); err != nil {
		return zipbundle.Source{}, nil, func() {}, fmt.Errorf("the dependencies installed for %s cannot load there:\n%w", spec.Platform, err)
	}
	return zipbundle.Source{Dir: deps}, report, func() {}, nil
}

// fromTree checks a planned tree and returns its files as a zip source.
func (b *ZipBuilder) fromTree(ctx context.Context, spec ZipSpec, tree *pip.Tree) (zipbundle.Source, error) {
	for _, d := range tree.Report.Distributions {
		if strings.EqualFold(d.Name, "lithops") {
			tree.Drop(d.Name)
			warnLithops(b.logger, d.Version, spec.Lithops)
			break
		}
	}
	meta := filepath.Join(spec.WorkDir, "dependencies-metadata")
	if err := tree.WriteMetadata(ctx, meta, wheelcheck.IsSharedObjectName); err != nil {
		return zipbundle.Source{}, err
	}
	if err := wheelcheck.Check(meta, spec.Platform, wheelcheck.WithLogger(b.logger)); err != nil {
		return zipbundle.Source{}, fmt.Errorf("the dependencies installed for %s cannot load there:\n%w", spec.Platform, err)
	}
	files, err := tree.Files()
	if err != nil {
		return zipbundle.Source{}, err
	}
	src := zipbundle.Source{Files: make([]zipbundle.File, len(files))}
	for i, f := range files {
		src.Files[i] = zipbundle.File{Name: f.Name, Exec: f.Exec, Raw: f.Raw, Method: f.Method, CRC32: f.CRC32,
			Size: f.Size, CompressedSize: f.CompressedSize, Data: f.Data}
	}
	b.logger.Info("planned the dependencies from their wheels", "files", len(files), "distributions", len(tree.Report.Distributions))
	return src, nil
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
		warnLithops(logger, d.Version, version)
	}
	report.Distributions = kept
	return nil
}

// warnLithops says that the requirements' lithops (of version got) is left out of the runtime.
func warnLithops(logger *slog.Logger, got, version string) {
	if got != version {
		logger.Warn("the requirements install lithops "+got+", the runtime carries lithops "+version+
			" (the lithops-version input): the requirements' copy is left out", "requirements", got, "lithops-version", version)
		return
	}
	logger.Info("the requirements install lithops too: the runtime carries it once, in the function code", "version", version)
}
