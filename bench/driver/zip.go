package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/cache"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/pip"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/zipbundle"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/lithops"
)

// runZip builds the Lambda zip runtime with the wheel installer and the build cache, then
// "deploys" it the way the tool decides to: a zip whose SHA-256 the state file already records is
// not uploaded again. It prints the bytes that a deploy would upload.
func runZip(args []string) error {
	fs := flag.NewFlagSet("zip", flag.ContinueOnError)
	reqs := fs.String("reqs", "", "requirements file")
	work := fs.String("work", "", "work directory (emptied)")
	cacheDir := fs.String("cache", "", "build cache directory (empty: no cache)")
	state := fs.String("state", "", "deploy state file (SHA-256s of the zips deployed)")
	python := fs.String("python", "3.12", "target Python")
	wheels := fs.Bool("wheels", true, "use the parallel wheel installer")
	uv := fs.String("uv", "", "uv executable: uv resolves (empty: pip)")
	pipPython := fs.String("pip-python", "python3", "interpreter that runs pip")
	defaults := fs.String("defaults", "", "space-separated requirements instead of Lithops' AWS default list")
	verbose := fs.Bool("v", false, "log at debug level (the phases' timings)")
	wheelCache := fs.String("wheel-cache", "", "keep downloaded wheels here (empty: pip download)")
	memprofile := fs.String("memprofile", "", "write a heap profile here when the zips are written")
	if err := fs.Parse(args); err != nil {
		return err
	}
	os.RemoveAll(*work)
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	var pipOpts []pip.Option
	if *wheels {
		pipOpts = append(pipOpts, pip.WithWheelInstaller(0))
	}
	pipOpts = append(pipOpts, pip.WithPython(*pipPython), pip.WithLogger(logger))
	if *uv != "" {
		pipOpts = append(pipOpts, pip.WithUV(*uv))
	}
	if *wheelCache != "" {
		pipOpts = append(pipOpts, pip.WithWheelCache(*wheelCache))
	}
	var opts []build.ZipOption
	if *cacheDir != "" {
		c, err := cache.New(*cacheDir)
		if err != nil {
			return err
		}
		opts = append(opts, build.WithCache(c, func() string { return "bench" }))
	}
	b := build.NewZipBuilder(pip.NewInstaller(pipOpts...), logger, opts...)
	platform, err := lambdaPlatform(*python)
	if err != nil {
		return err
	}
	start := time.Now()
	art, err := b.Build(context.Background(), build.ZipSpec{
		Layout:           build.LambdaLayout,
		RequirementFiles: []string{*reqs},
		Requirements:     defaultReqs(*defaults),
		Lithops:          "3.7.0",
		EntryPoint:       lithops.EntryPoint(lithops.AWSLambda),
		Platform:         platform,
		WorkDir:          *work,
	})
	if err != nil {
		return err
	}
	fmt.Printf("build_s=%.3f\n", time.Since(start).Seconds())
	if *memprofile != "" {
		f, err := os.Create(*memprofile)
		if err != nil {
			return err
		}
		if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
			return err
		}
		f.Close()
	}
	deployed := map[string]bool{}
	if data, err := os.ReadFile(*state); err == nil {
		for _, l := range strings.Fields(string(data)) {
			deployed[l] = true
		}
	}
	var uploaded int64
	var record []string
	for _, z := range []*zipbundle.Bundle{art.Layer, art.Function} {
		record = append(record, z.SHA256)
		if !deployed[z.SHA256] {
			uploaded += z.Size
		}
	}
	if err := os.MkdirAll(filepath.Dir(*state), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(*state, []byte(strings.Join(record, "\n")+"\n"), 0o644); err != nil {
		return err
	}
	fmt.Printf("uploaded_bytes=%d\nlayer_bytes=%d\nfunction_bytes=%d\nlayer_files=%d\n", uploaded, art.Layer.Size, art.Function.Size, art.Layer.Files)
	return nil
}

// defaultReqs is Lithops' AWS default list, or the -defaults override.
func defaultReqs(override string) []string {
	if override != "" {
		return strings.Fields(override)
	}
	return lithops.DefaultRequirements(lithops.AWSLambda)
}

// runZipDir zips one directory tree with zipbundle (the tool's zip writer).
func runZipDir(args []string) error {
	fs := flag.NewFlagSet("zipdir", flag.ContinueOnError)
	src := fs.String("src", "", "directory to zip")
	out := fs.String("o", "", "zip file to write")
	if err := fs.Parse(args); err != nil {
		return err
	}
	start := time.Now()
	z, err := zipbundle.Write(context.Background(), *out, []zipbundle.Source{{Dir: *src}})
	if err != nil {
		return err
	}
	fmt.Printf("zip_s=%.3f\nzip_bytes=%d\nunzipped_bytes=%d\n", time.Since(start).Seconds(), z.Size, z.UnzippedSize)
	return nil
}

// runPipFlags prints the platform flags the tool gives pip for a Lambda target, one per line, for
// the baseline's pip install.
func runPipFlags(args []string) error {
	fs := flag.NewFlagSet("pipflags", flag.ContinueOnError)
	python := fs.String("python", "3.12", "target Python")
	if err := fs.Parse(args); err != nil {
		return err
	}
	platform, err := lambdaPlatform(*python)
	if err != nil {
		return err
	}
	fmt.Printf("--implementation\ncp\n--python-version\n%s\n--only-binary=:all:\n", *python)
	for _, t := range platform.Tags() {
		fmt.Printf("--platform\n%s\n", t)
	}
	return nil
}

// runLock writes a hash-locked requirements file, as pip-compile --generate-hashes does, of the
// requirements, Lithops' default list and lithops itself: every distribution pip resolves for the
// Lambda target, pinned with its wheel's hash.
func runLock(args []string) error {
	fs := flag.NewFlagSet("lock", flag.ContinueOnError)
	reqs := fs.String("reqs", "", "requirements file")
	out := fs.String("o", "", "lock file to write")
	python := fs.String("python", "3.12", "target Python")
	if err := fs.Parse(args); err != nil {
		return err
	}
	platform, err := lambdaPlatform(*python)
	if err != nil {
		return err
	}
	res, err := pip.NewInstaller().Resolve(context.Background(), pip.InstallRequest{
		RequirementFiles: []string{*reqs},
		Requirements:     append(lithops.DefaultRequirements(lithops.AWSLambda), "lithops==3.7.0"),
		Platform:         platform,
	})
	if err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# %s locked with hashes (as pip-compile --generate-hashes would) by bench/driver lock\n", filepath.Base(*reqs))
	for _, d := range res.Distributions {
		if d.SHA256 == "" {
			return fmt.Errorf("pip reported no hash for %s %s", d.Name, d.Version)
		}
		fmt.Fprintf(&b, "%s==%s \\\n    --hash=sha256:%s\n", d.Name, d.Version, d.SHA256)
	}
	fmt.Printf("locked=%d\n", len(res.Distributions))
	return os.WriteFile(*out, []byte(b.String()), 0o644)
}

// lambdaPlatform is the pip target of a Lambda x86_64 runtime of a Python version.
func lambdaPlatform(python string) (pip.Platform, error) {
	py, err := lithops.ParsePython(python)
	if err != nil {
		return pip.Platform{}, err
	}
	major, minor := lithops.Glibc(lithops.AWSLambda, py)
	return pip.Platform{Python: python, Arch: "x86_64", GlibcMajor: major, GlibcMinor: minor}, nil
}
