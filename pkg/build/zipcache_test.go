package build_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
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
// requirements, the tool version and the layout (misses).
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
	}{
		{name: "cold", tool: "1.0.0", want: outcome{"cache miss", 1}},
		{name: "unchanged", tool: "1.0.0", want: outcome{"cache hit", 0}},
		{name: "requirements changed", tool: "1.0.0", change: func() { os.WriteFile(reqs, []byte("acme-text-utils>=1.0\n"), 0o644) }, want: outcome{"cache miss", 1}},
		{name: "requirements changed, unchanged since", tool: "1.0.0", want: outcome{"cache hit", 0}},
		{name: "new tool version", tool: "1.1.0", want: outcome{"cache miss", 1}},
		{name: "other layout", tool: "1.1.0", layout: build.FCLayout, want: outcome{"cache miss", 1}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.change != nil {
				tt.change()
			}
			inst := &countingInstaller{Installer: pip.NewInstaller(pip.WithWheelInstaller(0))}
			b := build.NewZipBuilder(inst, logger, build.WithCache(c, tt.tool))
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
