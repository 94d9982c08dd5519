package build

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/cache"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/image"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/image/dockerfile"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/pip"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/wheelcheck"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/zipbundle"
)

// ImageSpec describes an image runtime: from a Dockerfile (Dockerfile set), or daemonless from
// requirements on a base image.
type ImageSpec struct {
	// Dockerfile, Context and Tool describe a Dockerfile build (Tool: auto, docker, buildah, podman).
	Dockerfile, Context, Tool string
	// ContextZip is the name of the zip of Lithops and its entry point put in the build context,
	// as Lithops' own build does: lithops_lambda.zip (AWS) or lithops_aliyun_fc.zip (FC).
	ContextZip string
	// ContextEntryPoint is the file of the installed lithops tree (slash-separated) that the zip
	// carries at its root as ContextEntryName, as Lithops' utils.create_handler_zip does: AWS's
	// entry_point.py, FC's container_entry_point.py. The zip holds that file and lithops/, nothing
	// else. Empty: EntryPoint as entry_point.py.
	ContextEntryPoint, ContextEntryName string

	// Base is the base image of a daemonless build (already resolved to the platform).
	Base v1.Image
	// RequirementFiles and Requirements are installed into TaskRoot by a daemonless build.
	RequirementFiles []string
	Requirements     []string
	// TaskRoot is where a daemonless build puts the dependencies and the code (/var/task).
	TaskRoot string
	// Cmd is a daemonless image's CMD (["handler.entry_point.lambda_handler"]); Entrypoint its
	// ENTRYPOINT (nil keeps the base's).
	Cmd, Entrypoint []string
	// HandlerPackage moves entry_point.py into a handler/ package, as Lithops' AWS Lambda
	// templates do (FC keeps it at the root).
	HandlerPackage bool
	// ExtraFiles are added to the code layer (name -> content), e.g. FC's fc_server.py.
	ExtraFiles map[string][]byte

	// Lithops is the exact lithops version; EntryPoint the backend's entry_point.py in it.
	Lithops, EntryPoint string
	// Platform is the pip target (Python, architecture, glibc); ImagePlatform the image's.
	Platform      pip.Platform
	ImagePlatform v1.Platform
	// ModTime is every file's timestamp (zero: the builders' constant default); Dockerfile builds
	// write it as the image's times too, unless NotReproducible.
	ModTime time.Time
	// Cache is a Dockerfile build's layer cache (dockerfile.Spec.Cache).
	Cache string
	// BuildArgs are a Dockerfile build's --build-arg values.
	BuildArgs map[string]string
	// Live is the image the runtime's functions run now, as the backend read it (nil: none or
	// unknown); a Dockerfile build of the same build key is skipped.
	Live *LiveImage
	// NotReproducible lets Dockerfile builders write the current time (the reproducible input off).
	NotReproducible bool
	// WorkDir receives installed trees, zips and build scratch; the caller removes it.
	WorkDir string
}

// DockerfileBuilder builds Dockerfiles (dockerfile.Builder).
type DockerfileBuilder interface {
	Build(ctx context.Context, spec dockerfile.Spec) (v1.Image, string, error)
	// ChooseTool returns the tool a build with tool (auto, docker, buildah, podman) would use.
	ChooseTool(ctx context.Context, tool string) (string, error)
}

// ImageBuilder builds image runtimes.
type ImageBuilder struct {
	installer  Installer
	dockerfile DockerfileBuilder
	logger     *slog.Logger
	assemble   []image.Option
	cache      *cache.Cache
	tool       func() string
	bases      dockerfile.BaseResolver
}

// ImageOption configures an ImageBuilder.
type ImageOption func(*ImageBuilder)

// WithImageCache makes daemonless builds look their layers up in c (keyed like zip builds, plus
// the base image and the image settings) and store them there: an unchanged rebuild installs and
// compresses nothing. Dockerfile builds are the builder's (docker, buildah, podman) to cache. tool
// is as for [WithCache].
func WithImageCache(c *cache.Cache, tool func() string) ImageOption {
	return func(b *ImageBuilder) { b.cache, b.tool = c, tool }
}

// WithBaseResolver sets how Dockerfile builds resolve the digests of their base images for the
// build key (registry.Pull(...).Digest()). Without it, Dockerfile builds have no build key and are
// never skipped.
func WithBaseResolver(r dockerfile.BaseResolver) ImageOption {
	return func(b *ImageBuilder) { b.bases = r }
}

// NewImageBuilder returns an ImageBuilder; df may be nil when no Dockerfile builds are made.
func NewImageBuilder(inst Installer, df DockerfileBuilder, logger *slog.Logger, opts ...ImageOption) *ImageBuilder {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	b := &ImageBuilder{installer: inst, dockerfile: df, logger: logger, assemble: []image.Option{image.WithLogger(logger)}}
	for _, o := range opts {
		o(b)
	}
	return b
}

// Build builds the image and returns it with its digest and size.
func (b *ImageBuilder) Build(ctx context.Context, spec ImageSpec) (*Artifact, error) {
	art := &Artifact{PackageType: Image}
	var err error
	if spec.Dockerfile != "" {
		var code string
		if code, err = b.installLithops(ctx, spec); err != nil {
			return nil, err
		}
		if err = b.fromDockerfile(ctx, spec, code, art); err != nil {
			return nil, err
		}
		if art.Reused {
			return art, nil
		}
	} else {
		art.ImageBuilder = "daemonless"
		art.Image, err = b.cachedDaemonless(ctx, spec, art)
	}
	if err != nil {
		return nil, err
	}
	digest, err := art.Image.Digest()
	if err != nil {
		return nil, fmt.Errorf("computing the image digest: %w", err)
	}
	art.ImageDigest = digest.String()
	if art.ImageSize, err = imageSize(art.Image); err != nil {
		return nil, err
	}
	return art, nil
}

// installLithops installs lithops and its entry point into the work directory's function/.
func (b *ImageBuilder) installLithops(ctx context.Context, spec ImageSpec) (string, error) {
	code := filepath.Join(spec.WorkDir, "function")
	if err := os.MkdirAll(code, 0o755); err != nil {
		return "", err
	}
	b.logger.Info("installing lithops", "version", spec.Lithops)
	if err := b.installer.InstallLithops(ctx, spec.Lithops, code, spec.Platform, spec.EntryPoint); err != nil {
		return "", err
	}
	return code, nil
}

// fromDockerfile builds the user's Dockerfile with lithops' zip in the context, unless the live
// functions already run an image of the same build key: then nothing is built (art.Reused). The
// built image carries its key as the BuildKeyLabel label; when it equals the live image but for
// that label, the live image is kept too.
func (b *ImageBuilder) fromDockerfile(ctx context.Context, spec ImageSpec, code string, art *Artifact) error {
	if b.dockerfile == nil {
		return fmt.Errorf("building %s: no Dockerfile builder is configured", spec.Dockerfile)
	}
	zipPath := filepath.Join(spec.WorkDir, spec.ContextZip)
	opts := []zipbundle.Option{}
	if !spec.ModTime.IsZero() {
		opts = append(opts, zipbundle.WithModTime(spec.ModTime))
	}
	sources, err := contextZipSources(spec, code)
	if err != nil {
		return err
	}
	if _, err := zipbundle.Write(ctx, zipPath, sources, opts...); err != nil {
		return fmt.Errorf("writing %s: %w", spec.ContextZip, err)
	}
	scratch := filepath.Join(spec.WorkDir, "docker")
	if err := os.MkdirAll(scratch, 0o755); err != nil {
		return err
	}
	ds := dockerfile.Spec{
		Dockerfile:      spec.Dockerfile,
		Context:         spec.Context,
		Platform:        spec.ImagePlatform,
		ContextFiles:    map[string]string{spec.ContextZip: zipPath},
		BuildArgs:       spec.BuildArgs,
		Tool:            spec.Tool,
		WorkDir:         scratch,
		Timestamp:       spec.ModTime,
		NotReproducible: spec.NotReproducible,
		Cache:           spec.Cache,
	}
	tool, err := b.dockerfile.ChooseTool(ctx, spec.Tool)
	if err != nil {
		return err
	}
	ds.Tool, art.ImageBuilder = tool, tool
	live := spec.Live
	if live == nil {
		live = &LiveImage{}
	}
	if b.bases != nil {
		start := time.Now()
		key, err := dockerfile.BuildKey(ctx, ds, tool, b.bases)
		if err != nil {
			// Without a key the runtime is built and deployed as before, only never skipped: a base
			// the builder can pull with its own credentials must not fail the run here.
			b.logger.Warn("no build key (the image is built, and an unchanged runtime is not recognized)", "error", err)
			img, _, err := b.dockerfile.Build(ctx, ds)
			art.Image = img
			return err
		}
		art.BuildKey = key.Sum
		b.logger.Info("build key", "key", key.Sum, "bases", key.Bases, "context_files", key.Files, "ignore_file", key.Ignore, "took", time.Since(start).Round(time.Millisecond))
		if live.Digest != "" && live.BuildKey == key.Sum {
			b.logger.Info("not building: every function already runs the image of this build key", "key", key.Sum, "image", live.Digest)
			art.Reused, art.ImageDigest, art.ContentDigest = true, live.Digest, live.ContentDigest
			return nil
		}
		if live.BuildKey != "" {
			b.logger.Info("building: the functions run another build key", "live_key", live.BuildKey, "key", key.Sum)
		}
	}
	// (The tool is chosen: Build does not probe again.)
	img, _, err := b.dockerfile.Build(ctx, ds)
	if err != nil {
		return err
	}
	if art.BuildKey == "" {
		art.Image = img
		return nil
	}
	content, err := img.Digest()
	if err != nil {
		return fmt.Errorf("computing the image digest: %w", err)
	}
	art.ContentDigest = content.String()
	if live.Digest != "" && live.ContentDigest == art.ContentDigest {
		b.logger.Info("the image built is the one the functions run (same content, another build key): keeping it", "image", live.Digest, "content", art.ContentDigest)
		art.Reused, art.ImageDigest = true, live.Digest
		return nil
	}
	if art.Image, err = labelled(img, BuildKeyLabel, art.BuildKey); err != nil {
		return fmt.Errorf("labelling the image with its build key: %w", err)
	}
	return nil
}

// labelled returns img with one more label in its config (layers untouched).
func labelled(img v1.Image, k, v string) (v1.Image, error) {
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	if cf.Config.Labels == nil {
		cf.Config.Labels = map[string]string{}
	}
	cf.Config.Labels[k] = v
	return mutate.ConfigFile(img, cf)
}

// contextZipSources is what Lithops' utils.create_handler_zip puts in the build context's zip:
// the backend's entry point at the root under its name, and the lithops package (not the
// distribution's metadata or scripts).
func contextZipSources(spec ImageSpec, code string) ([]zipbundle.Source, error) {
	src, name := spec.ContextEntryPoint, spec.ContextEntryName
	if src == "" {
		src, name = spec.EntryPoint, "entry_point.py"
	}
	data, err := os.ReadFile(filepath.Join(code, filepath.FromSlash(src)))
	if err != nil {
		return nil, fmt.Errorf("lithops %s has no %s (%v): this lithops release cannot build this backend's container runtimes", spec.Lithops, src, err)
	}
	return []zipbundle.Source{
		{Files: []zipbundle.File{{Name: name, Data: data}}},
		{Dir: filepath.Join(code, "lithops"), Prefix: "lithops/"},
	}, nil
}

// daemonless installs the requirements for the target platform and assembles the image: the base,
// a layer with the dependencies, and a layer with Lithops and handler/entry_point.py, the layout of
// Lithops' own container templates (CMD handler.entry_point.lambda_handler).
func (b *ImageBuilder) daemonless(ctx context.Context, spec ImageSpec, art *Artifact) (v1.Image, error) {
	code, err := b.installLithops(ctx, spec)
	if err != nil {
		return nil, err
	}
	deps := filepath.Join(spec.WorkDir, "dependencies")
	if err := os.MkdirAll(deps, 0o755); err != nil {
		return nil, err
	}
	b.logger.Info("installing dependencies", "python", spec.Platform.Python, "architecture", spec.Platform.Arch,
		"requirements", spec.RequirementFiles, "plus", spec.Requirements)
	report, err := b.installer.InstallRequirements(ctx, pip.InstallRequest{
		RequirementFiles: spec.RequirementFiles, Requirements: spec.Requirements, Target: deps, Platform: spec.Platform,
	})
	if err != nil {
		return nil, err
	}
	if err := dropLithops(deps, report, spec.Lithops, b.logger); err != nil {
		return nil, err
	}
	if err := wheelcheck.Check(deps, spec.Platform, wheelcheck.WithLogger(b.logger)); err != nil {
		return nil, fmt.Errorf("the dependencies installed for %s cannot load there:\n%w", spec.Platform, err)
	}
	art.Dependencies = report.Distributions
	sort.Slice(art.Dependencies, func(i, j int) bool { return art.Dependencies[i].Name < art.Dependencies[j].Name })
	art.Modules = requestedModules(art.Dependencies)

	if spec.HandlerPackage {
		// Lithops' AWS container layout: the entry point in a handler package next to lithops/.
		handler := filepath.Join(code, "handler")
		if err := os.MkdirAll(handler, 0o755); err != nil {
			return nil, err
		}
		if err := os.Rename(filepath.Join(code, "entry_point.py"), filepath.Join(handler, "entry_point.py")); err != nil {
			return nil, fmt.Errorf("moving entry_point.py into handler/: %w", err)
		}
		if err := os.WriteFile(filepath.Join(handler, "__init__.py"), nil, 0o644); err != nil {
			return nil, err
		}
	}
	for name, data := range spec.ExtraFiles {
		if err := os.WriteFile(filepath.Join(code, name), data, 0o644); err != nil {
			return nil, err
		}
	}
	// The layers are compressed once, into files the push then reads (and a cache keeps).
	return image.Assemble(ctx, imageSpec(spec, deps, code), append(b.assemble, image.WithLayerDir(filepath.Join(spec.WorkDir, "layers")))...)
}

// imageSpec is a daemonless image: the base, a layer of the dependencies and one of the code.
func imageSpec(spec ImageSpec, deps, code string) image.Spec {
	return image.Spec{
		Base:     spec.Base,
		Platform: spec.ImagePlatform,
		Layers: []image.LayerSpec{
			{Dir: deps, Target: spec.TaskRoot, Comment: fmt.Sprintf("lithops-runtime-action: pip install --target %s (Python %s, %s)", spec.TaskRoot, spec.Platform.Python, spec.Platform.Arch)},
			{Dir: code, Target: spec.TaskRoot, Comment: fmt.Sprintf("lithops-runtime-action: lithops==%s --no-deps and its entry point", spec.Lithops)},
		},
		Cmd:        spec.Cmd,
		Entrypoint: spec.Entrypoint,
		Labels:     map[string]string{"org.opencontainers.image.title": "lithops runtime", "io.lithops.version": spec.Lithops},
		ModTime:    spec.ModTime,
	}
}

// requestedModules lists the top-level modules of the distributions asked for.
func requestedModules(dists []pip.Distribution) []string {
	var mods []string
	seen := map[string]bool{}
	for _, d := range dists {
		if !d.Requested {
			continue
		}
		for _, m := range d.TopLevel {
			if !seen[m] {
				seen[m] = true
				mods = append(mods, m)
			}
		}
	}
	sort.Strings(mods)
	return mods
}

// imageSize is the size of an image as a registry stores it: config plus compressed layers.
func imageSize(img v1.Image) (int64, error) {
	m, err := img.Manifest()
	if err != nil {
		return 0, fmt.Errorf("reading the image manifest: %w", err)
	}
	n := m.Config.Size
	for _, l := range m.Layers {
		n += l.Size
	}
	return n, nil
}
