package build_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/pypi"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/pip"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/lithops"
)

// TestLambdaLayerFromRealWheels builds Lambda zip runtimes from real PyPI wheels (downloaded once,
// then offline) for Python 3.10 to 3.13 on x86_64 and arm64: numpy (native, .libs, console
// scripts), charset-normalizer (console scripts), jsonpointer (.data/scripts), pybind11-global
// (.data/headers and .data/data). Every build goes through the wheel audit (its log must count
// numpy's shared objects), is written straight from the wheels, and leaves out bin/ and
// include/python/.
func TestLambdaLayerFromRealWheels(t *testing.T) {
	reqs := []string{"numpy==2.2.6", "charset-normalizer==3.4.2", "jsonpointer==2.4", "pybind11-global==2.13.6"}
	for _, py := range []string{"3.10", "3.11", "3.12", "3.13"} {
		for _, arch := range []string{"x86_64", "arm64"} {
			t.Run(py+"-"+arch, func(t *testing.T) {
				pv, err := lithops.ParsePython(py)
				if err != nil {
					t.Fatal(err)
				}
				major, minor := lithops.Glibc(lithops.AWSLambda, pv)
				platform := pip.Platform{Python: py, Arch: arch, GlibcMajor: major, GlibcMinor: minor}
				deps := pypi.Wheelhouse(t, platform, reqs...)
				lx := pypi.Wheelhouse(t, platform, "--no-deps", "lithops==3.7.0")
				t.Setenv("PIP_NO_INDEX", "1")
				t.Setenv("PIP_FIND_LINKS", deps+" "+lx)
				t.Setenv("PIP_CONFIG_FILE", os.DevNull)

				var logs strings.Builder
				logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
				inst := pip.NewInstaller(pip.WithWheelInstaller(0), pip.WithLogger(logger))
				art, err := build.NewZipBuilder(inst, logger).Build(context.Background(), build.ZipSpec{
					Layout: build.LambdaLayout, Requirements: reqs,
					Lithops: "3.7.0", EntryPoint: lithops.EntryPoint(lithops.AWSLambda), Platform: platform,
					ModTime: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC), WorkDir: t.TempDir(),
				})
				if err != nil {
					t.Fatalf("%v\n%s", err, logs.String())
				}
				if !strings.Contains(logs.String(), "planned the dependencies from their wheels") || strings.Contains(logs.String(), "pip installs") {
					t.Errorf("not every wheel was written straight from the wheels:\n%s", logs.String())
				}
				objects := regexp.MustCompile(`checked installed tree" dir=\S+dependencies-metadata .* shared_objects=(\d+) problems=0`).FindStringSubmatch(logs.String())
				if objects == nil || objects[1] == "0" {
					t.Errorf("the wheel audit did not check numpy's shared objects:\n%s", logs.String())
				}
				layer := names(t, art.Layer.Path)
				for _, want := range []string{"python/numpy/__init__.py", "python/charset_normalizer/__init__.py", "python/jsonpointer.py",
					"python/share/cmake/pybind11/pybind11Config.cmake", "python/include/pybind11/pybind11.h"} {
					if !has(layer, want) {
						t.Errorf("layer lacks %s", want)
					}
				}
				libs := false
				for _, n := range layer {
					if strings.HasPrefix(n, "python/bin/") || strings.HasPrefix(n, "python/include/python/") {
						t.Errorf("layer has %s (left out: pip's launchers and headers)", n)
					}
					libs = libs || strings.HasPrefix(n, "python/numpy.libs/") && strings.Contains(n, ".so")
				}
				if !libs {
					t.Errorf("layer has no numpy.libs shared objects")
				}
				fn := names(t, art.Function.Path)
				if !has(fn, "entry_point.py") || !has(fn, "lithops/__init__.py") {
					t.Errorf("function zip lacks entry_point.py or lithops/")
				}
				var got []string
				for _, d := range art.Dependencies {
					got = append(got, fmt.Sprintf("%s==%s", strings.ToLower(d.Name), d.Version))
				}
				sort.Strings(got)
				if want := "numpy==2.2.6"; !hasStr(got, want) {
					t.Errorf("dependencies %v lack %s", got, want)
				}
			})
		}
	}
}

func hasStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
