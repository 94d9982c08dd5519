package imagerun

import (
	"io"
	"log/slog"
	"os"
	"time"
)

// Isolation says how the image's process is separated from the host; see the package doc.
type Isolation string

// Isolation modes.
const (
	// IsolationAuto picks chroot, else docker, else fails with ErrNoIsolation.
	IsolationAuto Isolation = "auto"
	// IsolationChroot chroots into the rootfs in a new mount namespace (Linux, root).
	IsolationChroot Isolation = "chroot"
	// IsolationDocker runs the image with the Docker daemon.
	IsolationDocker Isolation = "docker"
	// IsolationNone runs the entrypoint on the host filesystem, relative to the rootfs.
	IsolationNone Isolation = "none"
)

// stopGrace is how long Close (and a restart) waits after SIGTERM before SIGKILL.
const stopGrace = 2 * time.Second

// Option configures Start.
type Option func(*config)

type config struct {
	log       *slog.Logger
	tempDir   string
	isolation Isolation
	docker    string // the docker CLI
}

func defaults() config {
	return config{
		log:       slog.New(slog.NewTextHandler(io.Discard, nil)),
		tempDir:   os.TempDir(),
		isolation: IsolationAuto,
		docker:    "docker",
	}
}

// WithLogger sets the logger (lifecycle events at info and debug level); the default discards.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l != nil {
			c.log = l
		}
	}
}

// WithTempDir sets the directory under which each Instance unpacks its rootfs and keeps the
// process output (default os.TempDir()). In chroot mode it must not be on a filesystem mounted
// noexec.
func WithTempDir(dir string) Option {
	return func(c *config) {
		if dir != "" {
			c.tempDir = dir
		}
	}
}

// WithIsolation sets the isolation mode (default IsolationAuto).
func WithIsolation(mode Isolation) Option {
	return func(c *config) {
		if mode != "" {
			c.isolation = mode
		}
	}
}

// WithDockerCommand sets the Docker CLI used by docker isolation (default "docker", found in
// PATH); it needs the subcommands version, load, run, stop, rm and rmi.
func WithDockerCommand(path string) Option {
	return func(c *config) {
		if path != "" {
			c.docker = path
		}
	}
}
