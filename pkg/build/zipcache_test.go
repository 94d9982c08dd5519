package build_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/cache"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/pip"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/lithops"
)

// countingInstaller is the real pip installer counting the installs it is asked for.
type countingInstaller struct {
	*pip.Installer
	installs int
}

func (c *countingInstaller) InstallRequirements(ctx context.Context, req pip.InstallRequest) (*pip.Report, error) {
	c.installs++
	return c.Installer.InstallRequirements(ctx, req)
}

// PlanRequirements is the other way the builder installs (the zips then come from the wheels).
func (c *countingInstaller) PlanRequirements(ctx context.Context, req pip.InstallRequest) (*pip.Tree, error) {
	c.installs++
	return c.Installer.PlanRequirements(ctx, req)
}

// syncBuffer is a log sink safe for concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *syncBuffer) take() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.buf.String()
	s.buf.Reset()
	return out
}

// TestZipBuildCache builds, rebuilds unchanged (a hit: no install, same zips), then changes the
// requirements, the tool version and the layout (misses), each miss saying why.
func TestZipBuildCache(t *testing.T) {
	offline(t)
	dir := t.TempDir()
	reqs := filepath.Join(dir, "requirements.txt")
	if err := os.WriteFile(reqs, []byte("acme-text-utils\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := cache.New(filepath.Join(dir, "cache"))
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, nil))
	spec := func(layout build.Layout) build.ZipSpec {
		return build.ZipSpec{
			Layout: layout, RequirementFiles: []string{reqs}, Requirements: lithops.DefaultRequirements(lithops.AWSLambda),
			Lithops: "3.7.0", EntryPoint: lithops.EntryPoint(lithops.AWSLambda),
			Platform: pip.Platform{Python: "3.12", Arch: "x86_64", GlibcMajor: 2, GlibcMinor: 26},
			ModTime:  time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC), WorkDir: t.TempDir(),
		}
	}
	type outcome struct {
		Log      string
		Installs int
	}
	var first *build.Artifact
	for _, tt := range []struct {
		name   string
		change func()
		tool   string
		layout build.Layout
		want   outcome
		why    string // what the miss line says
	}{
		{name: "cold", tool: "1.0.0", want: outcome{"cache miss", 1}, why: `why="no earlier build of this runtime in this cache"`},
		{name: "unchanged", tool: "1.0.0", want: outcome{"cache hit", 0}},
		{name: "requirements changed", tool: "1.0.0", change: func() { os.WriteFile(reqs, []byte("acme-text-utils>=1.0\n"), 0o644) }, want: outcome{"cache miss", 1},
			why: `why="differs from the last build of this runtime: requirements file requirements.txt changed"`},
		{name: "requirements changed, unchanged since", tool: "1.0.0", want: outcome{"cache hit", 0}},
		{name: "new tool version", tool: "1.1.0", want: outcome{"cache miss", 1}, why: `why="differs from the last build of this runtime: tool 1.0.0 -> 1.1.0"`},
		{name: "other layout", tool: "1.1.0", layout: build.FCLayout, want: outcome{"cache miss", 1}, why: `why="no earlier build of this runtime in this cache"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.change != nil {
				tt.change()
			}
			inst := &countingInstaller{Installer: pip.NewInstaller(pip.WithWheelInstaller(0))}
			b := build.NewZipBuilder(inst, logger, build.WithCache(c, func() string { return tt.tool }))
			art, err := b.Build(context.Background(), spec(tt.layout))
			if err != nil {
				t.Fatal(err)
			}
			log := logs.take()
			got := outcome{Installs: inst.installs}
			for _, l := range []string{"cache hit", "cache miss"} {
				if strings.Contains(log, "msg=\""+l+"\"") {
					got.Log = l
				}
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("(-want +got)\n%s\nlog:\n%s", d, log)
			}
			if !strings.Contains(log, tt.why) {
				t.Errorf("the log does not say %s:\n%s", tt.why, log)
			}
			if first == nil {
				first = art
				return
			}
			if tt.name == "unchanged" {
				// A hit gives the same zips, in this run's work directory.
				for _, pair := range [][2]string{{first.Layer.SHA256, art.Layer.SHA256}, {first.Function.SHA256, art.Function.SHA256}} {
					if pair[0] != pair[1] {
						t.Errorf("cached zip sha256 %s, built %s", pair[1], pair[0])
					}
				}
				if d := cmp.Diff(first.Dependencies, art.Dependencies); d != "" {
					t.Errorf("dependencies (-built +cached)\n%s", d)
				}
				if d := cmp.Diff(first.Modules, art.Modules); d != "" {
					t.Errorf("modules (-built +cached)\n%s", d)
				}
				if first.Function.Path == art.Function.Path {
					t.Errorf("the cached zip was not placed in the new work directory: %s", art.Function.Path)
				}
				if _, err := os.Stat(art.Function.Path); err != nil {
					t.Error(err)
				}
			}
		})
	}
}

// countingRunner runs commands for real and counts them.
type countingRunner struct {
	mu   sync.Mutex
	runs int
}

func (c *countingRunner) Run(ctx context.Context, name string, args []string, stdout, stderr io.Writer) error {
	c.mu.Lock()
	c.runs++
	c.mu.Unlock()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	return cmd.Run()
}

// writeLock writes a hash-locked requirements file (as pip-compile --generate-hashes does) pinning
// the fixture wheelhouse's wheels of names; hash overrides a name's hash.
func writeLock(t *testing.T, path string, hash map[string]string, names ...string) {
	t.Helper()
	var b strings.Builder
	for _, n := range names {
		wheels, _ := filepath.Glob(filepath.Join(os.Getenv("PIP_FIND_LINKS"), strings.ReplaceAll(n, "-", "_")+"-*.whl"))
		if len(wheels) != 1 {
			t.Fatalf("wheels of %s: %v", n, wheels)
		}
		data, err := os.ReadFile(wheels[0])
		if err != nil {
			t.Fatal(err)
		}
		h := fmt.Sprintf("%x", sha256.Sum256(data))
		if o, ok := hash[n]; ok {
			h = o
		}
		fmt.Fprintf(&b, "%s==%s \\\n    --hash=sha256:%s\n", n, strings.Split(filepath.Base(wheels[0]), "-")[1], h)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// With hash-locked requirements the lock determines the build: a hit runs no pip at all when it
// pins lithops too, one pip resolve (of the lithops wheel) when it does not; a lithops wheel the
// lock does not allow is refused before anything is installed.
func TestZipBuildCacheLocked(t *testing.T) {
	offline(t)
	dir := t.TempDir()
	lock := filepath.Join(dir, "requirements.txt")
	closure := []string{"acme-text-utils", "acme-core", "numpy", "requests", "redis", "pika", "cloudpickle", "ps-mem",
		"tblib", "urllib3", "psutil", "certifi", "charset-normalizer", "idna"}
	c, err := cache.New(filepath.Join(dir, "cache"))
	if err != nil {
		t.Fatal(err)
	}
	build1 := func() (*build.Artifact, int, error) {
		runner := &countingRunner{}
		inst := pip.NewInstaller(pip.WithWheelInstaller(0), pip.WithRunner(runner))
		art, err := build.NewZipBuilder(inst, nil, build.WithCache(c, func() string { return "1.0.0" })).Build(context.Background(), build.ZipSpec{
			Layout: build.LambdaLayout, RequirementFiles: []string{lock}, Requirements: lithops.DefaultRequirements(lithops.AWSLambda),
			Lithops: "3.7.0", EntryPoint: lithops.EntryPoint(lithops.AWSLambda),
			Platform: pip.Platform{Python: "3.12", Arch: "x86_64", GlibcMajor: 2, GlibcMinor: 26},
			ModTime:  time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC), WorkDir: t.TempDir(),
		})
		return art, runner.runs, err
	}

	writeLock(t, lock, nil, append(closure, "lithops", "six")...)
	cold, coldRuns, err := build1()
	if err != nil {
		t.Fatal(err)
	}
	// The requirements and the lithops wheel resolved once each; the installs reuse the resolves
	// and unpack the wheels themselves.
	if coldRuns != 2 {
		t.Errorf("the locked cold build ran pip %d times, want 2", coldRuns)
	}
	hit, runs, err := build1()
	if err != nil {
		t.Fatal(err)
	}
	if runs != 0 || hit.Layer.SHA256 != cold.Layer.SHA256 || hit.Function.SHA256 != cold.Function.SHA256 {
		t.Errorf("locked hit: %d pip runs (want 0), layer %s vs %s", runs, hit.Layer.SHA256, cold.Layer.SHA256)
	}

	// Without lithops in the lock, the lithops wheel's hash comes from pip: one resolve.
	writeLock(t, lock, nil, closure...)
	if _, _, err := build1(); err != nil {
		t.Fatal(err)
	}
	if _, runs, err = build1(); err != nil || runs != 1 {
		t.Errorf("locked hit without lithops pinned: %d pip runs (want 1), %v", runs, err)
	}

	// A lock whose lithops hash is not the wheel's: refused, naming the line, before the install.
	writeLock(t, lock, map[string]string{"lithops": strings.Repeat("0", 64)}, append(closure, "lithops", "six")...)
	_, runs, err = build1()
	// pip's hash check of the locked requirements and ours of the lithops wheel run side by side:
	// either names the line.
	if err == nil || !strings.Contains(err.Error(), "line 29") ||
		!(strings.Contains(err.Error(), "is not one") || strings.Contains(err.Error(), "DO NOT MATCH THE HASHES")) {
		t.Errorf("mismatched lithops pin: %v", err)
	}
	if runs != 2 {
		t.Errorf("%d pip runs before refusing (want 2: the two resolves, no install)", runs)
	}

	// A lock that leaves one of Lithops' dependencies out: the LockError, not a pip failure.
	writeLock(t, lock, nil, "acme-text-utils", "acme-core")
	_, _, err = build1()
	var le *pip.LockError
	if !errors.As(err, &le) {
		t.Errorf("partial lock: %v, want a LockError", err)
	}
}
