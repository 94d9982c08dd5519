// Package cli wires the binary: it reads the configuration, builds the pipeline's collaborators
// and runs it, turning the outcome into log lines and an exit code. main stays a few lines long,
// and tests drive the whole program in-process with their own environment.
package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/config"
	"github.com/lithops-runtime-action/lithops-runtime-action/internal/run"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/cache"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/image/dockerfile"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy/aliyunfc"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy/awslambda"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy/local"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy/local/imagerun"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy/registry"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/lithops"
)

// System is what the program may use of the machine it runs on.
type System struct {
	Getenv  func(string) string
	Stdout  io.Writer
	Stderr  io.Writer
	Workdir string
	// Probe detects the python3 and lithops versions (config.PythonProbe("python3") by default).
	Probe config.Probe
}

// OS returns the real machine's environment, streams and working directory.
func OS() System {
	wd, _ := os.Getwd()
	return System{Getenv: os.Getenv, Stdout: os.Stdout, Stderr: os.Stderr, Workdir: wd}
}

// Main runs the program with args and returns its exit code: 0 on success, 1 on any failure
// (bad inputs included), 2 for a command line that cannot be parsed.
func Main(ctx context.Context, args []string, sys System) int {
	if sys.Probe == nil {
		sys.Probe = config.PythonProbe("python3")
	}
	// In GitHub Actions everything is logged to stdout, where the runner reads workflow commands.
	// On a terminal logs go to stderr, keeping stdout for the name=value outputs.
	logw := sys.Stderr
	if sys.Getenv("GITHUB_ACTIONS") == "true" {
		logw = sys.Stdout
	}
	// --help, --version and a command line that cannot be parsed answer before anything else: the
	// help and the version on stdout, a usage error as one line on stderr (exit 2).
	switch _, err := config.ParseArgs(args); {
	case errors.Is(err, config.ErrHelp):
		config.Help(sys.Stdout)
		return 0
	case errors.Is(err, config.ErrVersion):
		fmt.Fprint(sys.Stdout, versionText(debug.ReadBuildInfo()))
		return 0
	case err != nil:
		fmt.Fprintf(sys.Stderr, "lithops-runtime: %v\n", err)
		return 2
	}
	ui := run.NewUI(logw, sys.Getenv)
	ui.MaskEnvironment() // before the first line: credentials are never printed, even quoted back
	// The first line comes before anything slow (the python3 probe for defaults, builds).
	ui.Infof("lithops-runtime-action %s (%s/%s)", version(), runtime.GOOS, runtime.GOARCH)

	cfg, err := config.Load(ctx, args, config.Env{Getenv: sys.Getenv, Workdir: sys.Workdir, Probe: sys.Probe, Usage: sys.Stderr})
	if errors.Is(err, config.ErrHelp) {
		return 0
	}
	if err != nil {
		if ies := config.InputErrors(err); len(ies) > 0 {
			for _, ie := range ies {
				ui.Errorf("Input "+ie.Input, "%s", ie.Error())
			}
			ui.Errorf("", "%d input(s) are not valid; nothing was built or deployed", len(ies))
			return 1
		}
		ui.Errorf("", "%v", err)
		return 2
	}

	logger := ui.Logger()
	buildCache := openCache(sys, logger)
	var zipOpts []build.ZipOption
	var imageOpts []build.ImageOption
	if buildCache != nil {
		zipOpts = append(zipOpts, build.WithCache(buildCache, toolID))
		imageOpts = append(imageOpts, build.WithImageCache(buildCache, toolID))
	}
	imageOpts = append(imageOpts, build.WithBaseResolver(func(ctx context.Context, ref string, platform v1.Platform) (string, error) {
		// The base as its registry has it now, for the build key: a base pushed again under its tag
		// (a security update) makes a new key.
		img, err := registry.Pull(ctx, ref, platform, registry.WithLogger(logger))
		if err != nil {
			return "", err
		}
		d, err := img.Digest()
		return d.String(), err
	}))
	installer := newInstaller(cfg, sys, logger)
	workspace := sys.Getenv("GITHUB_WORKSPACE")
	if workspace == "" {
		workspace = sys.Workdir
	}
	deps := run.Deps{
		UI:        ui,
		Workspace: workspace,
		Stdout:    sys.Stdout,
		Builder:   build.NewZipBuilder(installer, logger, zipOpts...),
		Images:    build.NewImageBuilder(installer, dockerfile.New(dockerfile.WithLogger(logger), dockerfile.WithEnv(envOf(sys.Getenv, containerVariables)...)), logger, imageOpts...),
		PullBase: func(ctx context.Context, ref string, platform v1.Platform) (v1.Image, error) {
			return registry.Pull(ctx, ref, platform, registry.WithLogger(logger))
		},
		RunImage: func(ctx context.Context, img v1.Image, name string, memoryMB int, timeout time.Duration, fc bool, payload []byte) (*deploy.Invocation, error) {
			inv, err := local.RunImage(ctx, img, local.ImageFunction{Name: name, MemoryMB: memoryMB, Timeout: timeout, FC: fc}, payload,
				imagerun.WithLogger(logger), imagerun.WithTempDir(sys.Getenv("RUNNER_TEMP")))
			if errors.Is(err, imagerun.ErrNoIsolation) {
				return nil, fmt.Errorf("%w: %w", run.ErrCannotRunImages, err)
			}
			return inv, err
		},
		Backend: func(cfg *config.Config) (deploy.Backend, error) { return newBackend(ctx, cfg, ui, sys.Getenv) },
		TempDir: sys.Getenv("RUNNER_TEMP"),
	}
	_, err = run.Run(ctx, cfg, deps)
	if buildCache != nil && ctx.Err() == nil {
		pruneCache(buildCache, logger)
		pruneWheels(sys, logger)
	}
	if err != nil {
		if ctx.Err() != nil {
			ui.Errorf("Interrupted", "interrupted: %v", err)
			return 1
		}
		ui.ErrorAt(err)
		return 1
	}
	return 0
}

// pipVariables are the settings pip reads from the environment that the program passes on from
// its own environment (System.Getenv), which tests set per run.
var pipVariables = []string{"PIP_NO_INDEX", "PIP_FIND_LINKS", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_TRUSTED_HOST",
	"PIP_CERT", "PIP_CONFIG_FILE", "PIP_DISABLE_PIP_VERSION_CHECK", "PIP_CACHE_DIR", "PIP_NO_CACHE_DIR"}

// containerVariables are the settings of docker, buildah and podman that the program passes on from
// its own environment (System.Getenv) to the image builders.
var containerVariables = []string{"CONTAINERS_CONF", "CONTAINERS_STORAGE_CONF", "CONTAINERS_REGISTRIES_CONF", "REGISTRY_AUTH_FILE",
	"BUILDAH_ISOLATION", "DOCKER_CONFIG", "DOCKER_HOST"}

// pipEnv returns NAME=value for every pip setting getenv has.
func pipEnv(getenv func(string) string) []string { return envOf(getenv, pipVariables) }

// envOf returns NAME=value for every one of names that getenv has.
func envOf(getenv func(string) string, names []string) []string {
	var env []string
	for _, k := range names {
		if v := getenv(k); v != "" {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// openCache opens the build cache: $RUNNER_TOOL_CACHE/lithops-runtime-cache in Actions (persist
// it with actions/cache), else the user cache directory. Without a usable directory, builds run
// uncached (nil).
func openCache(sys System, logger *slog.Logger) *cache.Cache {
	dir, err := cache.DefaultDir(sys.Getenv("RUNNER_TOOL_CACHE"))
	if err == nil {
		var c *cache.Cache
		if c, err = cache.New(dir, cache.WithLogger(logger)); err == nil {
			return c
		}
	}
	logger.Warn("build cache not used", "error", err)
	return nil
}

// pruneCache keeps the build cache bounded after a run: entries unused for cache.DefaultMaxAge go,
// then the least recently used beyond cache.DefaultMaxBytes (so that actions/cache, which restores
// older caches through restore-keys, does not carry every past build forever).
func pruneCache(c *cache.Cache, logger *slog.Logger) {
	res, err := c.Prune(cache.DefaultMaxAge, cache.DefaultMaxBytes)
	if err != nil {
		logger.Warn("build cache not pruned", "error", err)
		return
	}
	if res.Removed > 0 {
		logger.Info("build cache pruned", "removed", res.Removed, "removed_mb", res.RemovedBytes>>20, "kept", res.Kept, "kept_mb", res.KeptBytes>>20)
	}
}

// toolID identifies this build of the tool in cache keys: its release version, or for a
// development build (built from a branch or a local checkout, version "(devel)") the SHA-256 of
// the executable, so that a changed build never reuses entries an older one stored. Computed
// once, when the first key is.
var toolID = sync.OnceValue(func() string {
	v := version()
	if strings.HasPrefix(v, "v") && !strings.Contains(v, "devel") && !strings.Contains(v, "+dirty") {
		return v
	}
	exe, err := os.Executable()
	if err == nil {
		var f *os.File
		if f, err = os.Open(exe); err == nil {
			defer f.Close()
			h := sha256.New()
			if _, err = io.Copy(h, f); err == nil {
				return v + "+sha256:" + hex.EncodeToString(h.Sum(nil))
			}
		}
	}
	// Unreadable executable: a unique identity, so that nothing stale is ever reused.
	return fmt.Sprintf("%s+unidentified:%d", v, time.Now().UnixNano())
})

// version is the module version this binary was built from ("(devel)" for a local build).
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

// newBackend returns the backend cfg names.
func newBackend(ctx context.Context, cfg *config.Config, ui *run.UI, getenv func(string) string) (deploy.Backend, error) {
	logger := ui.Logger()
	switch cfg.Backend {
	case lithops.Local:
		return local.New(cfg.LocalDir, local.WithHost(local.NewHost(local.WithLogger(logger))), local.WithBackendLogger(logger)), nil
	case lithops.AWSLambda:
		return awslambda.NewFromEnvironment(ctx, awslambda.Options{
			Region: cfg.Region, StorageRegion: cfg.StorageRegion, Role: cfg.Role, Namespace: cfg.Namespace, UserID: cfg.UserID, AccountID: cfg.AccountID, Logger: logger,
			Registry: cfg.Registry, Mask: ui.Mask,
		}, awslambda.ClientOptions{
			// S3-compatible endpoints and emulators address buckets by path.
			S3PathStyle: getenv("AWS_ENDPOINT_URL_S3") != "" || getenv("AWS_ENDPOINT_URL") != "",
			// The SDK's settings from the program's environment (the process's, or a caller's).
			Getenv: getenv,
		})
	case lithops.AliyunFC:
		return newAliyunFC(cfg, logger)
	}
	return nil, fmt.Errorf("backend %s is not available in this version yet: the local backend is (backend local)", cfg.Backend)
}

// newAliyunFC returns the aliyun_fc backend on the API generation of cfg's Lithops version.
func newAliyunFC(cfg *config.Config, logger *slog.Logger) (deploy.Backend, error) {
	// (registry.Push uses the Docker config keychain by default.)
	cred := aliyunfc.Credentials{AccessKeyID: cfg.Aliyun.AccessKeyID, AccessKeySecret: cfg.Aliyun.AccessKeySecret, SecurityToken: cfg.Aliyun.SecurityToken}
	gen := lithops.FCGenerationFor(cfg.Lithops)
	opts := aliyunfc.Options{Region: cfg.Region, StorageRegion: cfg.StorageRegion, AccountID: cfg.AccountID, AccessKeyID: cfg.ClientAccessKeyID, Generation: gen, Role: cfg.Role, Logger: logger,
		Registry: cfg.Registry,
		// Custom-container images go to the registry input (ACR) with the Docker config's
		// credentials, as aliyun/acr-login leaves them; tagged with the runtime name.
		Push: func(ctx context.Context, img v1.Image, repo string) (string, error) {
			ref := repo
			if !strings.Contains(repo[strings.LastIndex(repo, "/")+1:], ":") {
				ref += ":" + cfg.RuntimeName
			}
			res, err := registry.Push(ctx, img, ref, registry.WithLogger(logger))
			if err != nil {
				return "", err
			}
			return res.Ref, nil
		},
	}
	var api aliyunfc.FunctionAPI
	var err error
	if gen == lithops.FC3 {
		api, err = aliyunfc.NewFC3(cfg.FCEndpoint, cfg.Region, cfg.AccountID, cred)
	} else {
		opts.Service = cfg.FCService // the clients' service (config.Load resolved Lithops' default)
		api, err = aliyunfc.NewFC2(cfg.FCEndpoint, cfg.Region, cfg.AccountID, opts.Service, cred)
	}
	if err != nil {
		return nil, err
	}
	objects, err := aliyunfc.NewOSS(cfg.OSSEndpoint, cfg.StorageRegion, cred)
	if err != nil {
		return nil, err
	}
	return aliyunfc.New(api, objects, opts), nil
}
