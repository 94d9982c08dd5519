package dockerfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Tool names accepted in Spec.Tool.
const (
	ToolAuto    = "auto"
	ToolDocker  = "docker"
	ToolBuildah = "buildah"
	ToolPodman  = "podman"
)

// Spec is one Dockerfile build.
type Spec struct {
	// Dockerfile is the path to the Dockerfile.
	Dockerfile string
	// Context is the build context directory ("" = the Dockerfile's directory).
	Context string
	// Platform is the platform to build for: linux/amd64 or linux/arm64.
	Platform v1.Platform
	// ContextFiles are files added to the build context for the build only (name in the context ->
	// path on disk), e.g. {"lithops_lambda.zip": "/tmp/work/function.zip"}: Lithops' Dockerfile
	// templates COPY that zip. The context directory itself is left exactly as it was.
	ContextFiles map[string]string
	// BuildArgs are the --build-arg values.
	BuildArgs map[string]string
	// Tool is "auto" (or ""), "docker", "buildah" or "podman".
	Tool string
	// Timestamp makes the build reproducible (the default the tool uses): image creation time,
	// history and the times of files in the layers are set to it (buildah/podman --timestamp,
	// docker buildx SOURCE_DATE_EPOCH with rewrite-timestamp). Zero: DefaultTimestamp.
	Timestamp time.Time
	// NotReproducible turns Timestamp off: the builder writes the current time, and two builds of
	// the same inputs get different digests.
	NotReproducible bool
	// Cache is the builder's layer cache kept across runs, "" for none (every step runs): for
	// buildah and podman a repository (host/path) used with --layers --cache-from/--cache-to; for
	// docker buildx "gha" (the GitHub Actions cache), a repository (a registry cache), or a cache
	// backend spelled as buildx does (type=local,src=...: used for both --cache-from and --cache-to).
	Cache string
	// WorkDir is a scratch directory, outside the context, for the context copy and the output
	// archive (WorkDir/image.tar). The built image is read from that archive: keep WorkDir until
	// the image has been pushed.
	WorkDir string
}

// DefaultTimestamp is the time reproducible builds write when no SOURCE_DATE_EPOCH is given:
// 1980-01-01T00:00:00Z (the earliest time a zip entry can hold, as the zips this tool writes use).
var DefaultTimestamp = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// epoch is the build's timestamp in seconds since 1970 ("" when the build is not reproducible).
func (r *resolved) epoch() string {
	if r.NotReproducible {
		return ""
	}
	t := r.Timestamp
	if t.IsZero() {
		t = DefaultTimestamp
	}
	return strconv.FormatInt(t.Unix(), 10)
}

// resolved is a validated Spec with absolute paths.
type resolved struct {
	Spec
	dockerfile string // absolute
	context    string // absolute
	workDir    string // absolute
	output     string // WorkDir/image.tar
}

// resolve validates s and makes its paths absolute.
func resolve(s Spec) (*resolved, error) {
	if s.Dockerfile == "" {
		return nil, errors.New("no Dockerfile given")
	}
	df, err := filepath.Abs(s.Dockerfile)
	if err != nil {
		return nil, fmt.Errorf("resolving Dockerfile %q: %w", s.Dockerfile, err)
	}
	if fi, err := os.Stat(df); err != nil {
		return nil, fmt.Errorf("reading Dockerfile %q: %w", s.Dockerfile, err)
	} else if fi.IsDir() {
		return nil, fmt.Errorf("Dockerfile %q is a directory: give the path of the Dockerfile itself", s.Dockerfile)
	}
	ctxDir := s.Context
	if ctxDir == "" {
		ctxDir = filepath.Dir(df)
	}
	ctxDir, err = filepath.Abs(ctxDir)
	if err != nil {
		return nil, fmt.Errorf("resolving build context %q: %w", s.Context, err)
	}
	if fi, err := os.Stat(ctxDir); err != nil {
		return nil, fmt.Errorf("reading build context %q: %w", ctxDir, err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("build context %q is not a directory", ctxDir)
	}
	if s.WorkDir == "" {
		return nil, errors.New("no work directory given for the Dockerfile build")
	}
	wd, err := filepath.Abs(s.WorkDir)
	if err != nil {
		return nil, fmt.Errorf("resolving work directory %q: %w", s.WorkDir, err)
	}
	if within(ctxDir, wd) {
		return nil, fmt.Errorf("the work directory %q is inside the build context %q: use a directory outside the context", wd, ctxDir)
	}
	if s.Platform.OS == "" || s.Platform.Architecture == "" {
		return nil, fmt.Errorf("no platform given for building %q: set linux/amd64 or linux/arm64", s.Dockerfile)
	}
	switch s.Tool {
	case "", ToolAuto, ToolDocker, ToolBuildah, ToolPodman:
	default:
		return nil, fmt.Errorf("unknown Dockerfile build tool %q: use auto, docker, buildah or podman", s.Tool)
	}
	if s.Cache == "gha" && s.Tool != ToolDocker && s.Tool != "" && s.Tool != ToolAuto {
		return nil, fmt.Errorf("build cache %q is docker buildx's GitHub Actions cache: use builder docker, or a cache repository (host/path) with %s", s.Cache, s.Tool)
	}
	for name, src := range s.ContextFiles {
		if !filepath.IsLocal(name) {
			return nil, fmt.Errorf("context file name %q must be a relative path inside the context", name)
		}
		if fi, err := os.Stat(src); err != nil {
			return nil, fmt.Errorf("reading context file %q: %w", src, err)
		} else if !fi.Mode().IsRegular() {
			return nil, fmt.Errorf("context file %q is not a regular file", src)
		}
	}
	return &resolved{Spec: s, dockerfile: df, context: ctxDir, workDir: wd, output: filepath.Join(wd, "image.tar")}, nil
}

// buildArgFlags returns --build-arg K=V flags sorted by key.
func buildArgFlags(args map[string]string) []string {
	keys := make([]string, 0, len(args))
	for k := range args {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []string
	for _, k := range keys {
		out = append(out, "--build-arg", k+"="+args[k])
	}
	return out
}

// within reports whether p is root or inside it (both absolute and clean).
func within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && (rel == "." || filepath.IsLocal(rel))
}
