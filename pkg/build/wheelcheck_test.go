package build_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/pip"
)

// fakeInstaller "installs" one distribution whose wheel carries tag, and a pure lithops.
type fakeInstaller struct {
	tag string
	// lithopsTag is the WHEEL tag of the installed lithops ("py3-none-any" when empty).
	lithopsTag string
}

func writeDist(target, name, version, tag string, files map[string]string) error {
	info := filepath.Join(target, name+"-"+version+".dist-info")
	if err := os.MkdirAll(info, 0o755); err != nil {
		return err
	}
	var record strings.Builder
	for rel, content := range files {
		p := filepath.Join(target, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return err
		}
		record.WriteString(rel + ",,\n")
	}
	wheel := "Wheel-Version: 1.0\nGenerator: fake\nRoot-Is-Purelib: false\nTag: " + tag + "\n"
	if err := os.WriteFile(filepath.Join(info, "WHEEL"), []byte(wheel), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(info, "RECORD"), []byte(record.String()), 0o644)
}

func (f fakeInstaller) InstallRequirements(_ context.Context, req pip.InstallRequest) (*pip.Report, error) {
	if err := writeDist(req.Target, "fastlib", "1.0", f.tag, map[string]string{"fastlib/__init__.py": "x = 1\n"}); err != nil {
		return nil, err
	}
	return &pip.Report{Distributions: []pip.Distribution{{Name: "fastlib", Version: "1.0", Requested: true, TopLevel: []string{"fastlib"}}}}, nil
}

func (f fakeInstaller) InstallLithops(_ context.Context, version, target string, _ pip.Platform, entryPoint string) error {
	tag := f.lithopsTag
	if tag == "" {
		tag = "py3-none-any"
	}
	return writeDist(target, "lithops", version, tag, map[string]string{
		"lithops/__init__.py": "", entryPoint: "# entry\n", "entry_point.py": "# entry\n",
	})
}

// TestBuildRefusesUnloadableWheels proves a wheel the runtime cannot load fails the build before
// any artifact is written.
func TestBuildRefusesUnloadableWheels(t *testing.T) {
	platform := pip.Platform{Python: "3.12", Arch: "x86_64", GlibcMajor: 2, GlibcMinor: 26}
	tests := []struct {
		name       string
		tag        string
		lithopsTag string
		layout     build.Layout
		wantErr    []string // nil: the build succeeds
	}{
		{name: "manylinux_2_17 on glibc 2.26", tag: "cp312-cp312-manylinux_2_17_x86_64", layout: build.LambdaLayout},
		{name: "manylinux_2_28 on glibc 2.26 (lambda)", tag: "cp312-cp312-manylinux_2_28_x86_64", layout: build.LambdaLayout,
			wantErr: []string{"dependencies", "fastlib 1.0", "fastlib-1.0.dist-info/WHEEL", "manylinux_2_28_x86_64", "glibc 2.28", "2.26"}},
		{name: "manylinux_2_28 on glibc 2.26 (fc)", tag: "cp312-cp312-manylinux_2_28_x86_64", layout: build.FCLayout,
			wantErr: []string{"fastlib 1.0", "manylinux_2_28_x86_64"}},
		{name: "lithops for another Python", tag: "py3-none-any", lithopsTag: "cp311-cp311-manylinux2014_x86_64", layout: build.LambdaLayout,
			wantErr: []string{"lithops as installed", "lithops 3.7.0", "cp311"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			work := t.TempDir()
			b := build.NewZipBuilder(fakeInstaller{tag: tt.tag, lithopsTag: tt.lithopsTag}, nil)
			art, err := b.Build(context.Background(), build.ZipSpec{
				Layout: tt.layout, Requirements: []string{"fastlib"}, Lithops: "3.7.0",
				EntryPoint: "lithops/serverless/backends/aws_lambda/entry_point.py", Platform: platform, WorkDir: work,
			})
			zips, _ := filepath.Glob(filepath.Join(work, "*.zip"))
			if tt.wantErr == nil {
				if err != nil {
					t.Fatal(err)
				}
				if d := cmp.Diff([]string{"fastlib"}, art.Modules); d != "" {
					t.Errorf("modules (-want +got)\n%s", d)
				}
				if len(zips) == 0 {
					t.Error("no zip written")
				}
				return
			}
			if err == nil {
				t.Fatalf("Build succeeded, want an error mentioning %q", tt.wantErr)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if len(zips) != 0 {
				t.Errorf("zips written despite the refusal: %q", zips)
			}
		})
	}
}

// TestDaemonlessImageRefusesUnloadableWheels proves the same for images built without Docker.
func TestDaemonlessImageRefusesUnloadableWheels(t *testing.T) {
	base, err := mutate.ConfigFile(empty.Image, &v1.ConfigFile{OS: "linux", Architecture: "amd64"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		tag     string
		wantErr []string
	}{
		{name: "fits", tag: "cp312-cp312-manylinux2014_x86_64"},
		{name: "aarch64 wheel for an amd64 image", tag: "cp312-cp312-manylinux2014_aarch64", wantErr: []string{"fastlib 1.0", "aarch64", "x86_64"}},
		{name: "manylinux_2_28 on glibc 2.26", tag: "cp312-cp312-manylinux_2_28_x86_64", wantErr: []string{"fastlib 1.0", "manylinux_2_28_x86_64", "2.26"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := build.NewImageBuilder(fakeInstaller{tag: tt.tag}, nil, nil)
			art, err := b.Build(context.Background(), build.ImageSpec{
				Base: base, Requirements: []string{"fastlib"}, TaskRoot: "/var/task", Cmd: []string{"handler.entry_point.lambda_handler"},
				Lithops: "3.7.0", EntryPoint: "lithops/serverless/backends/aws_lambda/entry_point.py",
				Platform:      pip.Platform{Python: "3.12", Arch: "x86_64", GlibcMajor: 2, GlibcMinor: 26},
				ImagePlatform: v1.Platform{OS: "linux", Architecture: "amd64"},
				WorkDir:       t.TempDir(),
			})
			if tt.wantErr == nil {
				if err != nil {
					t.Fatal(err)
				}
				if !strings.HasPrefix(art.ImageDigest, "sha256:") {
					t.Errorf("image digest %q", art.ImageDigest)
				}
				return
			}
			if err == nil {
				t.Fatalf("Build succeeded, want an error mentioning %q", tt.wantErr)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}
