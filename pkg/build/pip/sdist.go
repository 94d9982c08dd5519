package pip

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// WithSourceBuilds lets the resolver use a requirement that has no wheel for the platform but a
// source distribution that builds a pure-Python wheel (tag none-any, which loads everywhere): pip
// wheel builds it on this machine, the wheel is kept in dir and offered to the resolver from there
// (--find-links), so later runs reuse the same bytes and hit the build cache. A source
// distribution that builds native code is refused ([*NativeSourceError]): a wheel compiled here
// would not load on the runtime's platform.
func WithSourceBuilds(dir string) Option { return func(i *Installer) { i.sdistDir = dir } }

// NativeSourceError is a requirement with no wheel for the platform whose source distribution
// builds native code, or does not build at all.
type NativeSourceError struct {
	NoWheel *NoWheelError
	// Built is the wheel pip built here ("" when the build failed; Output says why).
	Built  string
	Output string
}

func (e *NativeSourceError) Error() string {
	if e.Built == "" {
		return fmt.Sprintf("%s has no wheel for %s, and its source distribution does not build a wheel here (pip wheel said:\n%s)\n"+
			"Pin a version that publishes manylinux wheels for Python %s %s, or build a container runtime (the dockerfile input).",
			e.NoWheel.Package, e.NoWheel.Platform, e.Output, e.NoWheel.Platform.Python, e.NoWheel.Platform.WheelArch())
	}
	return fmt.Sprintf("%s has no wheel for %s, and its source distribution builds native code (%s): a wheel compiled on this machine would not load there. "+
		"Pin a version that publishes manylinux wheels for Python %s %s, or build a container runtime (the dockerfile input).",
		e.NoWheel.Package, e.NoWheel.Platform, e.Built, e.NoWheel.Platform.Python, e.NoWheel.Platform.WheelArch())
}

// Location is the requirement's file and line.
func (e *NativeSourceError) Location() (string, int) { return e.NoWheel.Location() }

func (e *NativeSourceError) Unwrap() error { return e.NoWheel }

// sourceLinks are the find-links flags of the built wheels (none when there are none).
func (i *Installer) sourceLinks() []string {
	if i.sdistDir == "" {
		return nil
	}
	if m, _ := filepath.Glob(filepath.Join(i.sdistDir, "*.whl")); len(m) == 0 {
		return nil
	}
	return []string{"--find-links", i.sdistDir}
}

// buildFromSource builds the wheel of a requirement that has none for the platform (nw) from its
// source distribution; nil when a pure-Python wheel is now in the source-builds directory.
func (i *Installer) buildFromSource(ctx context.Context, nw *NoWheelError) error {
	name := nw.Package
	if k := strings.IndexAny(name, "<>=!~;[ "); k > 0 {
		name = name[:k]
	}
	tmp, err := os.MkdirTemp("", "pip-sdist-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	args := []string{"-m", "pip", "wheel", "--no-deps", "--no-binary", name, "--wheel-dir", tmp,
		"--disable-pip-version-check", "--no-input", nw.Package}
	i.logger.Info("no wheel for the platform: trying to build one from the source distribution", "requirement", nw.Package, "reason", "no wheel for "+nw.Platform.String())
	out := &lineLog{logger: i.logger}
	if err := i.runner.Run(ctx, i.python, args, out, out); err != nil {
		out.flush()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if noDistribution(out.all()) != "" {
			return nw // no source distribution either: the missing wheel is the error
		}
		return &NativeSourceError{NoWheel: nw, Output: strings.Join(collapseRetries(lastLines(out.all(), 15)), "\n")}
	}
	out.flush()
	built, _ := filepath.Glob(filepath.Join(tmp, "*.whl"))
	if len(built) != 1 {
		return &NativeSourceError{NoWheel: nw, Output: fmt.Sprintf("pip wheel wrote %d wheels", len(built))}
	}
	file := filepath.Base(built[0])
	parts := strings.Split(strings.TrimSuffix(file, ".whl"), "-")
	if len(parts) < 5 || parts[len(parts)-2] != "none" || parts[len(parts)-1] != "any" {
		return &NativeSourceError{NoWheel: nw, Built: file}
	}
	if err := os.MkdirAll(i.sdistDir, 0o755); err != nil {
		return err
	}
	if err := os.Rename(built[0], filepath.Join(i.sdistDir, file)); err != nil {
		return err
	}
	i.logger.Info("built a pure-Python wheel from the source distribution", "wheel", file, "kept in", i.sdistDir)
	return nil
}

func lastLines(lines []string, n int) []string {
	if len(lines) > n {
		return lines[len(lines)-n:]
	}
	return lines
}

// resolveBuilding is Resolve's resolution with source builds: each requirement without a wheel
// whose source builds a pure-Python wheel is built and the resolution run again.
func (i *Installer) resolveBuilding(ctx context.Context, resolve func() (*Resolution, error)) (*Resolution, error) {
	for n := 0; ; n++ {
		res, err := resolve()
		var nw *NoWheelError
		if err == nil || i.sdistDir == "" || n == 10 || !errors.As(err, &nw) {
			return res, err
		}
		if berr := i.buildFromSource(ctx, nw); berr != nil {
			return nil, berr
		}
	}
}
