package imagerun

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy/local/runtimeapi"
)

// ErrNoIsolation is wrapped by Start's error when isolation "auto" finds neither root (for
// chroot) nor a Docker daemon. Callers should add how to skip the local run in their terms.
var ErrNoIsolation = errors.New("running container images locally needs root (for chroot) or a Docker daemon")

// errRuntimeExited ends an invocation's wait when the runtime process exits.
var errRuntimeExited = errors.New("runtime process exited")

// Instance is a running container image: its rootfs, Runtime API server and runtime process.
// Invoke and Close may be called from any goroutine; invocations run one at a time.
type Instance struct {
	log     *slog.Logger
	fn      Function
	mode    Isolation
	docker  string
	argv    []string // ENTRYPOINT+CMD
	env     []string
	vars    []string // Lambda's variables only (docker mode)
	workdir string   // inside the image

	dir     string   // the instance directory: rootfs/ and output.log
	rootfs  string   // "" in docker mode
	mounts  []string // chroot mode's mounts, unmounted by Close
	output  string   // the output file's path
	outMark int64    // the output file's size when the previous Invoke returned
	srv     *runtimeapi.Server
	tag     string // docker mode: the loaded image

	mu          sync.Mutex
	proc        *process // nil until started, and after a stop
	closed      bool
	initialized bool // FC custom containers: POST /initialize was sent to proc
}

// Start unpacks img's filesystem (whiteouts applied) into a directory under WithTempDir and
// starts ENTRYPOINT+CMD (fn.Cmd replaces CMD when non-nil) with the image's Env plus Lambda's
// variables (AWS_LAMBDA_RUNTIME_API, AWS_LAMBDA_FUNCTION_NAME, AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
// AWS_LAMBDA_FUNCTION_TIMEOUT, AWS_REGION, and LAMBDA_TASK_ROOT=/var/task if the image lacks
// it), in the image's WorkingDir, isolated as WithIsolation says (see the package doc).
// Entries that would escape the rootfs fail Start with an error wrapping ErrUnsafeEntry.
// ctx bounds the preparation (not the process's life: Close ends that).
func Start(ctx context.Context, img v1.Image, fn Function, opts ...Option) (*Instance, error) {
	cfg := defaults()
	for _, o := range opts {
		o(&cfg)
	}
	fn = fn.withDefaults()
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("reading the image config: %w", err)
	}
	argv, err := command(cf.Config, fn)
	if err != nil {
		return nil, err
	}
	mode, err := chooseIsolation(ctx, cfg)
	if err != nil {
		return nil, err
	}
	srv, err := runtimeapi.NewServer(runtimeapi.WithLogger(cfg.log), runtimeapi.WithFunctionARN(fn.arn()))
	if err != nil {
		return nil, err
	}
	env := environment(cf.Config, fn, srv.Addr())
	i := &Instance{
		log:     cfg.log,
		fn:      fn,
		mode:    mode,
		docker:  cfg.docker,
		argv:    argv,
		env:     env,
		vars:    lambdaVars(env, cf.Config),
		workdir: workingDir(cf.Config),
		srv:     srv,
	}
	err = i.prepare(ctx, img, cfg)
	i.mu.Lock()
	if err == nil {
		err = i.startLocked()
	}
	if err != nil && errors.Is(err, syscall.EPERM) && i.mode == IsolationChroot && cfg.isolation == IsolationAuto {
		// Root, but chroot or mounting is not permitted (no CAP_SYS_CHROOT/CAP_SYS_ADMIN).
		i.log.Info("chroot not permitted, trying docker", "err", err)
		if ok, why := dockerAnswers(ctx, cfg.docker); ok {
			if err = i.switchToDocker(ctx, img); err == nil {
				err = i.startLocked()
			}
		} else {
			err = fmt.Errorf("%w: chroot is not permitted (%v), and %s; start a Docker daemon, or use isolation %q (no isolation), or skip the local run",
				ErrNoIsolation, err, why, IsolationNone)
		}
	}
	i.mu.Unlock()
	if err != nil {
		return nil, errors.Join(err, i.Close())
	}
	i.log.Info("container image started", "function", fn.Name, "isolation", i.mode, "command", argv,
		"runtime_api", srv.Addr())
	return i, nil
}

// chooseIsolation resolves IsolationAuto and validates the mode.
func chooseIsolation(ctx context.Context, cfg config) (Isolation, error) {
	switch cfg.isolation {
	case IsolationChroot:
		if ok, why := chrootSupported(); !ok {
			return "", fmt.Errorf("isolation %q: %s; run as root, or use isolation %q or %q", IsolationChroot, why, IsolationDocker, IsolationNone)
		}
		return IsolationChroot, nil
	case IsolationDocker:
		if ok, why := dockerAnswers(ctx, cfg.docker); !ok {
			return "", fmt.Errorf("isolation %q: %s; start Docker, or use isolation %q or %q", IsolationDocker, why, IsolationChroot, IsolationNone)
		}
		return IsolationDocker, nil
	case IsolationNone:
		return IsolationNone, nil
	case IsolationAuto:
		ok, whyNotChroot := chrootSupported()
		if ok {
			return IsolationChroot, nil
		}
		ok, whyNotDocker := dockerAnswers(ctx, cfg.docker)
		if ok {
			return IsolationDocker, nil
		}
		return "", fmt.Errorf("%w: %s, and %s; run as root or start a Docker daemon, or use isolation %q (no isolation), or skip the local run",
			ErrNoIsolation, whyNotChroot, whyNotDocker, IsolationNone)
	default:
		return "", fmt.Errorf("isolation %q: unknown; use %q, %q, %q or %q", cfg.isolation,
			IsolationAuto, IsolationChroot, IsolationDocker, IsolationNone)
	}
}

// prepare creates the instance directory and the rootfs (or loads the image into Docker).
func (i *Instance) prepare(ctx context.Context, img v1.Image, cfg config) error {
	dir, err := os.MkdirTemp(cfg.tempDir, "imagerun-")
	if err != nil {
		return fmt.Errorf("creating the instance directory under %s: %w", cfg.tempDir, err)
	}
	i.dir = dir
	i.output = filepath.Join(dir, "output.log")
	if i.mode == IsolationDocker {
		return i.switchToDocker(ctx, img)
	}
	i.rootfs = filepath.Join(dir, "rootfs")
	if err := os.Mkdir(i.rootfs, 0o755); err != nil {
		return fmt.Errorf("creating the rootfs directory: %w", err)
	}
	if err := extractImage(img, i.rootfs, i.log); err != nil {
		return err
	}
	if i.mode == IsolationChroot {
		i.mounts, err = prepareRootfs(i.rootfs)
		if err != nil {
			return fmt.Errorf("preparing the rootfs for chroot: %w", err)
		}
	}
	return nil
}

// switchToDocker loads the image into Docker and makes the instance run it there.
func (i *Instance) switchToDocker(ctx context.Context, img v1.Image) error {
	if err := unmountAll(i.mounts); err != nil {
		return err
	}
	i.mounts = nil
	tag, err := dockerLoad(ctx, i.docker, img)
	if err != nil {
		return err
	}
	i.tag = tag
	i.mode = IsolationDocker
	return nil
}

// startLocked starts a runtime process; i.mu is held.
func (i *Instance) startLocked() error {
	out, err := openOutput(i.output)
	if err != nil {
		return err
	}
	defer out.Close() // the child has its own copy
	var cmd *exec.Cmd
	kill := killGroup
	switch i.mode {
	case IsolationDocker:
		container := "imagerun-" + randomSuffix()
		cmd = dockerRunCmd(i.docker, i.tag, container, i.vars, i.fn.Cmd)
		kill = dockerKill(i.docker, container)
	case IsolationChroot:
		argv0, err := lookPathIn(i.rootfs, i.argv[0], i.env)
		if err != nil {
			return err
		}
		cmd = &exec.Cmd{Path: argv0, Args: i.argv, Dir: i.workdir, SysProcAttr: chrootAttr(i.rootfs)}
	default: // IsolationNone
		argv0, err := lookPathIn(i.rootfs, i.argv[0], i.env)
		if err != nil {
			return err
		}
		cmd = &exec.Cmd{
			Path:        filepath.Join(i.rootfs, filepath.FromSlash(argv0)),
			Args:        i.argv,
			Dir:         filepath.Join(i.rootfs, filepath.FromSlash(i.workdir)),
			SysProcAttr: hostAttr(),
		}
	}
	if i.mode != IsolationDocker { // the docker CLI keeps this process's environment
		cmd.Env = i.env
	}
	cmd.Stdout, cmd.Stderr = out, out
	p, err := startProcess(cmd, kill)
	if err != nil {
		return fmt.Errorf("starting %q (isolation %s, working directory %s): %w; check the image's ENTRYPOINT, CMD and WorkingDir",
			strings.Join(i.argv, " "), i.mode, i.workdir, err)
	}
	i.proc = p
	i.log.Debug("runtime process started", "pid", cmd.Process.Pid, "isolation", i.mode)
	return nil
}

// lookPathIn resolves a command name without a slash against the image's PATH inside the
// rootfs; it returns the path as seen inside the image.
func lookPathIn(rootfs, name string, env []string) (string, error) {
	if strings.Contains(name, "/") {
		return name, nil
	}
	var pathVar string
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			pathVar = v
		}
	}
	for _, dir := range filepath.SplitList(pathVar) {
		if !path.IsAbs(dir) {
			continue
		}
		p := path.Join(dir, name)
		if fi, err := os.Lstat(filepath.Join(rootfs, filepath.FromSlash(p))); err == nil && !fi.IsDir() {
			return p, nil
		}
	}
	return "", fmt.Errorf("command %q not found in the image's PATH %q; use an absolute ENTRYPOINT", name, pathVar)
}

// Invoke sends event to the function and waits for the outcome, which follows Lambda's
// Invoke API: the function's error, timeout, init error or crash is a Result with
// FunctionError "Unhandled", not an error. It also returns the last 4 KB of what the
// process wrote to stdout and stderr since the previous Invoke returned (so a cold start's
// init output is included, as are the last words of a crashed runtime). After a timeout, an init error or
// a crash, the process is stopped and the next Invoke starts a new one. Errors are for ctx
// ending, a closed Instance, and a process that cannot be (re)started.
func (i *Instance) Invoke(ctx context.Context, event []byte) (*runtimeapi.Result, []byte, error) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.closed {
		return nil, nil, fmt.Errorf("invoking %s: the instance is closed", i.fn.Name)
	}
	if i.proc != nil && i.proc.hasExited() {
		i.proc = nil
	}
	if i.proc == nil {
		i.srv.Reset()
		if err := i.startLocked(); err != nil {
			return nil, nil, fmt.Errorf("invoking %s: restarting the runtime: %w", i.fn.Name, err)
		}
	}
	p := i.proc
	ictx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go func() {
		select {
		case <-p.exited:
			cancel(errRuntimeExited)
		case <-ictx.Done():
		}
	}()
	res, err := i.srv.Invoke(ictx, event, i.fn.Timeout)
	if err != nil && ctx.Err() == nil && errors.Is(context.Cause(ictx), errRuntimeExited) {
		res, err = exitResult(p), nil
	}
	if err == nil && (res.Reset || p.hasExited()) {
		if stopErr := p.stop(stopGrace); stopErr != nil {
			i.log.Warn("stopping the runtime process", "err", stopErr)
		}
		i.proc = nil
	}
	tail, tailErr := outputSince(i.output, i.outMark)
	i.outMark = outputSize(i.output)
	if err != nil {
		return nil, tail, fmt.Errorf("invoking %s: %w", i.fn.Name, err)
	}
	return res, tail, tailErr
}

// exitResult is Lambda's answer when the runtime process exits during an invocation.
func exitResult(p *process) *runtimeapi.Result {
	b, _ := json.Marshal(map[string]string{"errorMessage": "Error: " + p.exitStatus(), "errorType": "Runtime.ExitError"})
	return &runtimeapi.Result{Payload: b, FunctionError: runtimeapi.FunctionErrorUnhandled, Reset: true}
}

// Close waits for a running Invoke to end, then stops the process group (SIGTERM, then SIGKILL
// after a grace period), stops the Runtime API server, unmounts what chroot mode mounted and
// removes the instance directory (in docker mode also the loaded image tag). Calling it again
// does nothing.
func (i *Instance) Close() error {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.closed {
		return nil
	}
	i.closed = true
	var errs []error
	if i.proc != nil {
		if err := i.proc.stop(stopGrace); err != nil {
			errs = append(errs, err)
		}
		i.proc = nil
	}
	if err := i.srv.Close(); err != nil {
		errs = append(errs, err)
	}
	if i.tag != "" {
		if err := dockerRemoveImage(i.docker, i.tag); err != nil {
			i.log.Warn("removing the loaded image", "err", err)
		}
	}
	if err := unmountAll(i.mounts); err != nil {
		errs = append(errs, err)
	}
	if i.dir != "" {
		left, err := mountsUnder(i.dir)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("not removing %s: %w", i.dir, err))
		case len(left) > 0:
			errs = append(errs, fmt.Errorf("not removing %s: still mounted: %s; unmount them (umount -l) and remove it by hand",
				i.dir, strings.Join(left, ", ")))
		default:
			if err := os.RemoveAll(i.dir); err != nil {
				errs = append(errs, fmt.Errorf("removing %s: %w", i.dir, err))
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("closing the instance of %s: %w", i.fn.Name, err)
	}
	return nil
}
