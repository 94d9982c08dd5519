package dockerfile

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/image"
)

// Builder builds Dockerfiles with docker (buildx), buildah or podman.
type Builder struct {
	logger    *slog.Logger
	run       Runner
	lookPath  func(string) (string, error)
	storage   string   // buildah/podman --storage-driver; "" = the tool's default
	root      string   // buildah/podman --root; "" = the tool's default
	runRoot   string   // buildah/podman --runroot; "" = the tool's default
	insecure  []string // registries reached without TLS verification
	newTag    func() string
	customRun bool
	env       []string // NAME=value added to the tools' environment
}

// Option configures a Builder.
type Option func(*Builder)

// WithLogger sets the logger for tool choice and the tools' output (default: discard).
func WithLogger(l *slog.Logger) Option { return func(b *Builder) { b.logger = l } }

// WithRunner sets how commands run (default: os/exec, output streamed line by line to the logger).
func WithRunner(r Runner) Option { return func(b *Builder) { b.run, b.customRun = r, true } }

// WithLookPath sets how tools are found on PATH (default: exec.LookPath).
func WithLookPath(f func(string) (string, error)) Option {
	return func(b *Builder) { b.lookPath = f }
}

// WithStorage sets the containers-storage driver of buildah and podman (e.g. "vfs", which works
// without overlay support); "" keeps the tool's default.
func WithStorage(driver string) Option { return func(b *Builder) { b.storage = driver } }

// WithStorageRoot sets the containers-storage root and run root of buildah and podman (--root,
// --runroot), e.g. to keep a build's images apart from the machine's; "" keeps the default.
func WithStorageRoot(root, runRoot string) Option {
	return func(b *Builder) { b.root, b.runRoot = root, runRoot }
}

// WithInsecureRegistries names registries (host[:port]) that base images come from over plain
// HTTP or without a verifiable certificate, e.g. a test registry on 127.0.0.1. buildah and podman
// cannot scope this to hosts on the command line, so any host turns TLS verification off for the
// whole build (--tls-verify=false); docker's BuildKit reads insecure registries from its own
// configuration and ignores this option.
func WithInsecureRegistries(hosts ...string) Option {
	return func(b *Builder) { b.insecure = append(b.insecure, hosts...) }
}

// WithEnv adds NAME=value settings to the environment the tools run with (the process's), e.g.
// CONTAINERS_STORAGE_CONF for buildah and podman; a setting given here replaces the process's.
func WithEnv(env ...string) Option { return func(b *Builder) { b.env = append(b.env, env...) } }

// withTagger sets how image tags are made (tests use a fixed one).
func withTagger(f func() string) Option { return func(b *Builder) { b.newTag = f } }

// New returns a Builder. Defaults: a discarding logger, os/exec runner, exec.LookPath, the tools'
// default storage.
func New(opts ...Option) *Builder {
	b := &Builder{
		logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
		lookPath: exec.LookPath,
		newTag:   randomTag,
	}
	for _, o := range opts {
		o(b)
	}
	if !b.customRun {
		b.run = execRunner(b.logger, b.env)
	}
	return b
}

// randomTag returns a tag no other build uses.
func randomTag() string {
	var r [8]byte
	if _, err := rand.Read(r[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return "localhost/lithops-runtime-action-build:" + hex.EncodeToString(r[:])
}

// Build builds spec and returns the normalized single-platform image and the tool that built it.
// The image is read from spec.WorkDir/image.tar, which must stay until the image has been used.
func (b *Builder) Build(ctx context.Context, spec Spec) (v1.Image, string, error) {
	r, err := resolve(spec)
	if err != nil {
		return nil, "", err
	}
	if err := checkSymlinks(r.context); err != nil {
		return nil, "", err
	}
	if err := os.MkdirAll(r.workDir, 0o755); err != nil {
		return nil, "", fmt.Errorf("creating work directory %q: %w", r.workDir, err)
	}
	tool, err := b.chooseTool(ctx, r.Tool, r.workDir)
	if err != nil {
		return nil, "", err
	}
	ctxDir := r.context
	if len(r.ContextFiles) > 0 {
		ctxDir, err = scratchContext(r.context, r.workDir, r.ContextFiles, b.logger)
		if err != nil {
			return nil, "", err
		}
		defer os.RemoveAll(ctxDir)
	}
	if err := os.RemoveAll(r.output); err != nil {
		return nil, "", fmt.Errorf("removing the previous build output %q: %w", r.output, err)
	}
	switch tool {
	case ToolDocker:
		err = b.buildDocker(ctx, r, ctxDir)
	default:
		err = b.buildContainers(ctx, tool, r, ctxDir)
	}
	if err != nil {
		return nil, tool, err
	}
	img, err := image.Load(r.output, r.Platform)
	if err != nil {
		return nil, tool, fmt.Errorf("reading the image %s built from %q: %w", tool, r.Dockerfile, err)
	}
	return img, tool, nil
}

// buildDocker builds with docker buildx into an OCI archive. The classic docker driver cannot
// export OCI archives (without the containerd image store); then the image is loaded into the
// daemon and saved as a docker archive instead.
func (b *Builder) buildDocker(ctx context.Context, r *resolved, ctxDir string) error {
	err := b.run(ctx, r.workDir, ToolDocker, dockerBuildArgs(r, ctxDir)...)
	if err == nil {
		return nil
	}
	if !strings.Contains(err.Error(), "not supported for the docker driver") {
		return newBuildError(ToolDocker, r.Dockerfile, r.dockerfile, err)
	}
	b.logger.Info("the docker driver cannot write OCI archives: loading the image into the daemon and saving it instead", "tool", ToolDocker)
	tag := b.newTag()
	if err := b.run(ctx, r.workDir, ToolDocker, dockerLoadArgs(r, ctxDir, tag)...); err != nil {
		return newBuildError(ToolDocker, r.Dockerfile, r.dockerfile, err)
	}
	defer b.remove(ctx, r.workDir, ToolDocker, []string{"rmi", tag})
	if err := b.run(ctx, r.workDir, ToolDocker, "save", "-o", r.output, tag); err != nil {
		return fmt.Errorf("saving image %s to %q: %w", tag, r.output, err)
	}
	return nil
}

// buildContainers builds with buildah or podman into local storage, pushes the image to an OCI
// archive and removes it from storage.
func (b *Builder) buildContainers(ctx context.Context, tool string, r *resolved, ctxDir string) error {
	tag := b.newTag()
	if err := b.run(ctx, r.workDir, tool, b.containersBuildArgs(tool, r, ctxDir, tag)...); err != nil {
		return newBuildError(tool, r.Dockerfile, r.dockerfile, err)
	}
	defer b.remove(ctx, r.workDir, tool, b.containersRmiArgs(tag))
	if err := b.run(ctx, r.workDir, tool, b.containersPushArgs(tag, r.output)...); err != nil {
		return fmt.Errorf("exporting image %s with %s to %q: %w", tag, tool, r.output, err)
	}
	return nil
}

// remove runs a clean-up command, logging (not returning) its failure.
func (b *Builder) remove(ctx context.Context, dir, tool string, args []string) {
	if err := b.run(context.WithoutCancel(ctx), dir, tool, args...); err != nil {
		b.logger.Warn("removing the built image from local storage failed", "tool", tool, "error", err)
	}
}
