package build_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/cache"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/pip"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/lithops"
)

// TestImageBuildCache: an unchanged daemonless image rebuild comes from the cache (pip only
// resolves; nothing is installed or compressed) with the digest of the cold build and of an
// uncached build; a changed base or code file misses; hash-locked requirements hit with no pip.
func TestImageBuildCache(t *testing.T) {
	offline(t)
	dir := t.TempDir()
	reqs := filepath.Join(dir, "requirements.txt")
	os.WriteFile(reqs, []byte("acme-text-utils\n"), 0o644)
	c, err := cache.New(filepath.Join(dir, "cache"))
	if err != nil {
		t.Fatal(err)
	}
	base := func(env string) v1.Image {
		img, err := mutate.ConfigFile(empty.Image, &v1.ConfigFile{OS: "linux", Architecture: "amd64", RootFS: v1.RootFS{Type: "layers"}, Config: v1.Config{Env: []string{env}}})
		if err != nil {
			t.Fatal(err)
		}
		return img
	}
	spec := func(b v1.Image, extra string) build.ImageSpec {
		return build.ImageSpec{
			Base: b, RequirementFiles: []string{reqs}, Requirements: lithops.DefaultRequirements(lithops.AWSLambda),
			TaskRoot: "/var/task", Cmd: []string{"handler.entry_point.lambda_handler"}, HandlerPackage: true,
			ExtraFiles: map[string][]byte{"extra.py": []byte(extra)},
			Lithops:    "3.7.0", EntryPoint: lithops.EntryPoint(lithops.AWSLambda),
			Platform:      pip.Platform{Python: "3.12", Arch: "x86_64", GlibcMajor: 2, GlibcMinor: 26},
			ImagePlatform: v1.Platform{OS: "linux", Architecture: "amd64"},
			ModTime:       time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC),
			WorkDir:       t.TempDir(),
		}
	}
	logs := &syncBuffer{}
	type outcome struct {
		Log  string
		Runs int
	}
	lastLog := ""
	buildOnce := func(s build.ImageSpec, cached bool) (*build.Artifact, outcome) {
		t.Helper()
		runner := &countingRunner{}
		inst := pip.NewInstaller(pip.WithWheelInstaller(0), pip.WithRunner(runner))
		var opts []build.ImageOption
		if cached {
			opts = append(opts, build.WithImageCache(c, func() string { return "1.0.0" }))
		}
		art, err := build.NewImageBuilder(inst, nil, slog.New(slog.NewTextHandler(logs, nil)), opts...).Build(context.Background(), s)
		if err != nil {
			t.Fatal(err)
		}
		log := logs.take()
		lastLog = log
		o := outcome{Runs: runner.runs}
		for _, l := range []string{"cache hit", "cache miss"} {
			if strings.Contains(log, `msg="`+l+`"`) {
				o.Log = l
			}
		}
		return art, o
	}

	cold, o := buildOnce(spec(base("A=1"), "x = 1\n"), true)
	// Two resolves (requirements, lithops wheel); both installs reuse them and unpack the wheels
	// themselves.
	if d := cmp.Diff(outcome{"cache miss", 2}, o); d != "" {
		t.Errorf("cold (-want +got)\n%s", d)
	}
	hit, o := buildOnce(spec(base("A=1"), "x = 1\n"), true)
	if d := cmp.Diff(outcome{"cache hit", 2}, o); d != "" {
		t.Errorf("unchanged (-want +got)\n%s", d)
	}
	if hit.ImageDigest != cold.ImageDigest || hit.ImageSize != cold.ImageSize {
		t.Errorf("cached image %s (%d bytes), built %s (%d bytes)", hit.ImageDigest, hit.ImageSize, cold.ImageDigest, cold.ImageSize)
	}
	if d := cmp.Diff(cold.Dependencies, hit.Dependencies); d != "" {
		t.Errorf("dependencies (-built +cached)\n%s", d)
	}
	if d := cmp.Diff(cold.Modules, hit.Modules); d != "" || len(hit.Modules) == 0 {
		t.Errorf("modules (-built +cached)\n%s", d)
	}
	if err := validate.Image(hit.Image); err != nil {
		t.Errorf("validate.Image of the cached image: %v", err)
	}
	uncached, _ := buildOnce(spec(base("A=1"), "x = 1\n"), false)
	if uncached.ImageDigest != cold.ImageDigest {
		t.Errorf("uncached build %s, cached %s: the cache changes the image", uncached.ImageDigest, cold.ImageDigest)
	}

	for name, c := range map[string]struct {
		spec build.ImageSpec
		why  string // a part the miss names (each case changes one part from the build before it)
	}{
		"other base":      {spec(base("A=2"), "x = 1\n"), "base sha256:"},
		"other code file": {spec(base("A=1"), "x = 2\n"), "extra-files extra.py:"},
	} {
		if _, o := buildOnce(c.spec, true); o.Log != "cache miss" {
			t.Errorf("%s: %+v, want a miss", name, o)
		}
		m := regexp.MustCompile(`why="differs from the last build of this runtime: ([^"]*)"`).FindStringSubmatch(lastLog)
		if m == nil || !slices.ContainsFunc(strings.Split(m[1], "; "), func(d string) bool { return strings.HasPrefix(d, c.why) }) {
			t.Errorf("%s: the miss does not name %q:\n%s", name, c.why, lastLog)
		}
	}

	writeLock(t, reqs, nil, "acme-text-utils", "acme-core", "numpy", "requests", "redis", "pika", "cloudpickle", "ps-mem",
		"tblib", "urllib3", "psutil", "certifi", "charset-normalizer", "idna", "lithops", "six")
	if _, o := buildOnce(spec(base("A=1"), "x = 1\n"), true); o.Log != "cache miss" {
		t.Errorf("locked cold: %+v", o)
	}
	if _, o := buildOnce(spec(base("A=1"), "x = 1\n"), true); o != (outcome{"cache hit", 0}) {
		t.Errorf("locked rerun: %+v, want a hit with no pip", o)
	}
}
