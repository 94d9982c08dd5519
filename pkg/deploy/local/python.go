package local

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/proc"
)

// LookPathFunc finds an executable by name, as exec.LookPath does.
type LookPathFunc func(file string) (string, error)

// LookPathIn returns a LookPathFunc that searches the directories of pathList (a PATH-style
// list) instead of the process's PATH.
func LookPathIn(pathList string) LookPathFunc {
	return func(file string) (string, error) {
		for _, dir := range filepath.SplitList(pathList) {
			if dir == "" {
				continue
			}
			p := filepath.Join(dir, file)
			st, err := os.Stat(p)
			if err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
				return p, nil
			}
		}
		return "", fmt.Errorf("looking for %q in %q: %w", file, pathList, exec.ErrNotFound)
	}
}

// pythonVersion is a runtime's major.minor, the only form FindPython accepts.
var pythonVersion = regexp.MustCompile(`^3\.[0-9]+$`)

// probeScript prints the interpreter's major.minor and its real path.
const probeScript = `import sys; print("%d.%d" % sys.version_info[:2]); print(sys.executable)`

// FindPython finds an interpreter of version ("3.12": major.minor) and returns its real path
// (sys.executable), which runs without any environment: not a pyenv shim. It tries python3.X,
// then python3, found with lookPath (exec.LookPath when nil), and runs each candidate to check
// that it works and has the version: a pyenv shim of a version that is not active exists on PATH
// but fails when run. The candidates run with the process's environment, which shims need.
func FindPython(ctx context.Context, version string, lookPath LookPathFunc) (string, error) {
	if !pythonVersion.MatchString(version) {
		return "", fmt.Errorf("finding a Python interpreter: version %q is not of the form 3.X", version)
	}
	if lookPath == nil {
		lookPath = exec.LookPath
	}
	want := "python" + version
	var tried []string
	for _, name := range []string{want, "python3"} {
		p, err := lookPath(name)
		if err != nil {
			tried = append(tried, name+" is not on PATH")
			continue
		}
		got, exe, err := probePython(ctx, p)
		switch {
		case ctx.Err() != nil:
			return "", fmt.Errorf("finding %s: %w", want, ctx.Err())
		case err != nil:
			tried = append(tried, fmt.Sprintf("%s (%s) does not run: %v", name, p, err))
		case got != version:
			tried = append(tried, fmt.Sprintf("%s (%s) is Python %s", name, p, got))
		default:
			return exe, nil
		}
	}
	return "", fmt.Errorf("no %s interpreter found: %s; install Python %s and put it on PATH "+
		"(in GitHub Actions: actions/setup-python with python-version: %q; with pyenv: "+
		"pyenv install %s, then make it active with pyenv global/local/shell or PYENV_VERSION)",
		want, strings.Join(tried, "; "), version, version, version)
}

// probeTimeout bounds one interpreter probe (python -I -S starts in well under a second).
var probeTimeout = 30 * time.Second

// probePython runs the interpreter at path and returns its major.minor and sys.executable.
func probePython(ctx context.Context, path string) (version, executable string, err error) {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	cmd := proc.Command(ctx, path, "-I", "-S", "-c", probeScript)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := proc.Run(ctx, cmd); err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return "", "", fmt.Errorf("no answer after %s (a hung interpreter or pyenv shim?)", probeTimeout)
		}
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			first, _, _ := strings.Cut(msg, "\n")
			return "", "", fmt.Errorf("%w: %s", err, first)
		}
		return "", "", err
	}
	lines := strings.Split(strings.TrimRight(stdout.String(), "\r\n"), "\n")
	if len(lines) != 2 {
		return "", "", fmt.Errorf("unexpected output %q", stdout.String())
	}
	version, executable = lines[0], lines[1]
	if !filepath.IsAbs(executable) {
		return "", "", fmt.Errorf("sys.executable is %q, not an absolute path", executable)
	}
	if _, err := os.Stat(executable); errors.Is(err, fs.ErrNotExist) {
		return "", "", fmt.Errorf("sys.executable %q does not exist", executable)
	}
	return version, executable, nil
}
