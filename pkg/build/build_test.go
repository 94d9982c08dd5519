package build_test

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/wheelhouse"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/pip"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/lithops"
)

func offline(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	if _, err := wheelhouse.Build(dir, wheelhouse.Options{}); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PIP_NO_INDEX", "1")
	t.Setenv("PIP_FIND_LINKS", dir)
	t.Setenv("PIP_CONFIG_FILE", os.DevNull)
}

func names(t *testing.T, path string) []string {
	t.Helper()
	r, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []string
	for _, f := range r.File {
		out = append(out, f.Name)
	}
	return out
}

func has(list []string, name string) bool {
	i := sort.SearchStrings(list, name)
	return i < len(list) && list[i] == name
}

// layouts are the two zip layouts with the backend each is for.
var layouts = []struct {
	name    string
	layout  build.Layout
	backend string
}{{"lambda", build.LambdaLayout, lithops.AWSLambda}, {"fc", build.FCLayout, lithops.AliyunFC}}

// zipSpec is a build of reqs for a layout's backend (Python 3.12, x86_64, glibc 2.17) into a fresh
// work directory, with a fixed timestamp.
func zipSpec(t *testing.T, layout build.Layout, backend, reqs string) build.ZipSpec {
	return build.ZipSpec{
		Layout: layout, RequirementFiles: []string{reqs}, Requirements: lithops.DefaultRequirements(backend),
		Lithops: "3.7.0", EntryPoint: lithops.EntryPoint(backend),
		Platform: pip.Platform{Python: "3.12", Arch: "x86_64", GlibcMajor: 2, GlibcMinor: 17},
		ModTime:  time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC), WorkDir: t.TempDir(),
	}
}

// TestBuildTwiceSameBytes builds each layout twice from scratch with real pip and compares the zips.
func TestBuildTwiceSameBytes(t *testing.T) {
	offline(t)
	reqs := filepath.Join(t.TempDir(), "requirements.txt")
	os.WriteFile(reqs, []byte("acme-text-utils\n"), 0o644)
	for _, tt := range layouts {
		t.Run(tt.name, func(t *testing.T) {
			b := build.NewZipBuilder(pip.NewInstaller(), nil)
			var arts []*build.Artifact
			for i := 0; i < 2; i++ {
				art, err := b.Build(context.Background(), zipSpec(t, tt.layout, tt.backend, reqs))
				if err != nil {
					t.Fatal(err)
				}
				arts = append(arts, art)
			}
			a, b2 := arts[0], arts[1]
			same := func(what, p1, p2 string) {
				d1, _ := os.ReadFile(p1)
				d2, _ := os.ReadFile(p2)
				if len(d1) == 0 || !bytes.Equal(d1, d2) {
					t.Errorf("%s: two builds differ (%d and %d bytes)", what, len(d1), len(d2))
				}
			}
			same("function zip", a.Function.Path, b2.Function.Path)
			if a.Function.SHA256 != b2.Function.SHA256 {
				t.Errorf("function sha256 %s != %s", a.Function.SHA256, b2.Function.SHA256)
			}
			fn := names(t, a.Function.Path)
			if !has(fn, "entry_point.py") || !has(fn, "lithops/worker/utils.py") {
				t.Errorf("function zip lacks entry_point.py or lithops/: %v", fn)
			}
			for _, n := range fn {
				if strings.Contains(n, "__pycache__") || strings.HasSuffix(n, ".pyc") {
					t.Errorf("compiled file in the zip: %s", n)
				}
			}
			switch tt.layout {
			case build.LambdaLayout:
				same("layer zip", a.Layer.Path, b2.Layer.Path)
				layer := names(t, a.Layer.Path)
				if !has(layer, "python/acmetext/__init__.py") || !has(layer, "python/ps_mem.py") {
					t.Errorf("layer zip lacks python/acmetext or python/ps_mem.py: %v", layer)
				}
				if has(fn, "acmetext/__init__.py") || has(layer, "python/lithops/__init__.py") {
					t.Error("dependencies and lithops are not split between layer and function")
				}
			case build.FCLayout:
				if a.Layer != nil {
					t.Error("FC layout produced a layer")
				}
				if !has(fn, "acmetext/__init__.py") || !has(fn, "six.py") {
					t.Errorf("FC code zip lacks the dependencies at its root: %v", fn)
				}
			}
			want := []string{"acmetext", "cloudpickle", "pika", "ps_mem", "psutil", "six", "tblib"}
			if tt.layout == build.LambdaLayout {
				want = []string{"acmetext", "cloudpickle", "numpy", "pika", "ps_mem", "psutil", "redis", "requests", "tblib", "urllib3"}
			}
			if d := cmp.Diff(want, a.Modules); d != "" {
				t.Errorf("modules (-want +got)\n%s", d)
			}
		})
	}
}

// Requirements that name lithops (as a lock compiled from them does) install it among the
// dependencies; the runtime carries it once, the lithops-version input's, in the function code.
func TestRequirementsWithLithops(t *testing.T) {
	offline(t)
	reqs := filepath.Join(t.TempDir(), "requirements.txt")
	os.WriteFile(reqs, []byte("acme-text-utils\nlithops==3.7.0\n"), 0o644)
	for _, tt := range layouts {
		t.Run(tt.name, func(t *testing.T) {
			art, err := build.NewZipBuilder(pip.NewInstaller(pip.WithWheelInstaller(0)), nil).Build(context.Background(), zipSpec(t, tt.layout, tt.backend, reqs))
			if err != nil {
				t.Fatal(err) // fc: "archive path lithops/__init__.py comes from both" before the fix
			}
			fn := names(t, art.Function.Path)
			if !has(fn, "lithops/worker/utils.py") || !has(fn, "acmetext/__init__.py") == (tt.layout == build.FCLayout) {
				t.Errorf("function zip: %v", fn)
			}
			if art.Layer != nil {
				for _, n := range names(t, art.Layer.Path) {
					if strings.HasPrefix(n, "python/lithops") {
						t.Errorf("the layer carries lithops too: %s", n)
					}
				}
			}
			for _, d := range art.Dependencies {
				if d.Name == "lithops" {
					t.Errorf("lithops listed among the dependencies: %+v", d)
				}
			}
		})
	}
}
