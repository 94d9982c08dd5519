package dockerfile

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

const testTag = "localhost/lithops-runtime-action-build:test"

// recorder is a Runner that records argv and fakes the tools: it writes the output archive where
// the command line says, and fails commands for which fail returns an error.
type recorder struct {
	t     *testing.T
	img   v1.Image
	fail  func(argv []string) error
	mu    sync.Mutex
	calls [][]string
}

func (r *recorder) run(_ context.Context, _ string, name string, args ...string) error {
	argv := append([]string{name}, args...)
	r.mu.Lock()
	r.calls = append(r.calls, argv)
	r.mu.Unlock()
	if r.fail != nil {
		if err := r.fail(argv); err != nil {
			return err
		}
	}
	for i, a := range argv {
		switch {
		case strings.HasPrefix(a, "type=oci,dest="):
			dest, _, _ := strings.Cut(strings.TrimPrefix(a, "type=oci,dest="), ",")
			writeOCIArchive(r.t, r.img, dest)
		case strings.HasPrefix(a, "oci-archive:"):
			writeOCIArchive(r.t, r.img, strings.TrimPrefix(a, "oci-archive:"))
		case a == "save" && name == "docker":
			if err := tarball.WriteToFile(argv[i+2], nil, r.img); err != nil {
				r.t.Fatal(err)
			}
		}
	}
	return nil
}

// writeOCIArchive writes img as an OCI layout tar at dst (layout in a sibling directory).
func writeOCIArchive(t *testing.T, img v1.Image, dst string) {
	t.Helper()
	dir := t.TempDir()
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.AppendImage(img); err != nil {
		t.Fatal(err)
	}
	tarTree(t, dir, dst)
}

func platformImage(t *testing.T, p v1.Platform) v1.Image {
	t.Helper()
	img, err := random.Image(128, 1)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = p.OS, p.Architecture
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// onPath is a LookPath that finds only the named tools.
func onPath(tools ...string) func(string) (string, error) {
	return func(name string) (string, error) {
		for _, t := range tools {
			if t == name {
				return "/usr/bin/" + name, nil
			}
		}
		return "", errors.New("executable file not found in $PATH")
	}
}

// project writes a Dockerfile and a context file, and returns the Dockerfile path and a work dir.
func project(t *testing.T) (string, string) {
	t.Helper()
	dir := t.TempDir()
	ctx := filepath.Join(dir, "ctx")
	if err := os.MkdirAll(ctx, 0o755); err != nil {
		t.Fatal(err)
	}
	df := filepath.Join(ctx, "Dockerfile")
	if err := os.WriteFile(df, []byte("FROM python:3.11\nCOPY lithops_lambda.zip /x/\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return df, filepath.Join(dir, "work")
}

func TestBuildCommandLines(t *testing.T) {
	arm := v1.Platform{OS: "linux", Architecture: "arm64"}
	df, work := project(t)
	ctx := filepath.Dir(df)
	out := filepath.Join(work, "image.tar")
	spec := Spec{
		Dockerfile: df,
		Platform:   arm,
		BuildArgs:  map[string]string{"PYTHON_VERSION": "3.11", "A": "1"},
		WorkDir:    work,
	}
	tests := []struct {
		name     string
		tool     string
		opts     []Option
		spec     func(*Spec)
		path     []string
		fail     func(argv []string) error
		want     [][]string
		wantTool string
	}{
		{
			name: "docker", tool: "docker", path: []string{"docker"},
			want: [][]string{
				{"docker", "buildx", "build", "--platform", "linux/arm64", "--provenance=false", "--sbom=false",
					"-f", df, "--output", "type=oci,dest=" + out + ",rewrite-timestamp=true",
					"--build-arg", "A=1", "--build-arg", "PYTHON_VERSION=3.11", "--build-arg", "SOURCE_DATE_EPOCH=315532800", ctx},
			},
			wantTool: "docker",
		},
		{
			name: "docker driver without OCI export falls back to load and save", tool: "docker", path: []string{"docker"},
			fail: func(argv []string) error {
				if strings.Contains(strings.Join(argv, " "), "type=oci") {
					return errors.New("ERROR: failed to build: OCI exporter is not supported for the docker driver.")
				}
				return nil
			},
			want: [][]string{
				{"docker", "buildx", "build", "--platform", "linux/arm64", "--provenance=false", "--sbom=false",
					"-f", df, "--output", "type=oci,dest=" + out + ",rewrite-timestamp=true",
					"--build-arg", "A=1", "--build-arg", "PYTHON_VERSION=3.11", "--build-arg", "SOURCE_DATE_EPOCH=315532800", ctx},
				{"docker", "buildx", "build", "--platform", "linux/arm64", "--provenance=false", "--sbom=false",
					"-f", df, "--load", "-t", testTag,
					"--build-arg", "A=1", "--build-arg", "PYTHON_VERSION=3.11", "--build-arg", "SOURCE_DATE_EPOCH=315532800", ctx},
				{"docker", "save", "-o", out, testTag},
				{"docker", "rmi", testTag},
			},
			wantTool: "docker",
		},
		{
			name: "buildah", tool: "buildah", path: []string{"buildah"},
			want: [][]string{
				{"buildah", "build", "--format", "docker", "--platform", "linux/arm64", "--isolation", "chroot", "--layers=false", "--timestamp", "315532800",
					"-f", df, "-t", testTag, "--build-arg", "A=1", "--build-arg", "PYTHON_VERSION=3.11", ctx},
				{"buildah", "push", "--compression-format", "gzip", testTag, "oci-archive:" + out},
				{"buildah", "rmi", testTag},
			},
			wantTool: "buildah",
		},
		{
			name: "buildah with storage options and an insecure registry", tool: "buildah", path: []string{"buildah"},
			opts: []Option{WithStorage("vfs"), WithStorageRoot("/s/root", "/s/run"), WithInsecureRegistries("127.0.0.1:5000")},
			want: [][]string{
				{"buildah", "--root", "/s/root", "--runroot", "/s/run", "--storage-driver", "vfs",
					"build", "--format", "docker", "--platform", "linux/arm64", "--isolation", "chroot", "--layers=false", "--timestamp", "315532800",
					"-f", df, "-t", testTag, "--build-arg", "A=1", "--build-arg", "PYTHON_VERSION=3.11", "--tls-verify=false", ctx},
				{"buildah", "--root", "/s/root", "--runroot", "/s/run", "--storage-driver", "vfs",
					"push", "--compression-format", "gzip", testTag, "oci-archive:" + out},
				{"buildah", "--root", "/s/root", "--runroot", "/s/run", "--storage-driver", "vfs", "rmi", testTag},
			},
			wantTool: "buildah",
		},
		{
			name: "podman", tool: "podman", path: []string{"podman"},
			opts: []Option{WithStorage("vfs")},
			want: [][]string{
				{"podman", "--storage-driver", "vfs", "build", "--format", "docker", "--platform", "linux/arm64", "--isolation", "chroot", "--layers=false", "--timestamp", "315532800",
					"-f", df, "-t", testTag, "--build-arg", "A=1", "--build-arg", "PYTHON_VERSION=3.11", ctx},
				{"podman", "--storage-driver", "vfs", "push", "--compression-format", "gzip", testTag, "oci-archive:" + out},
				{"podman", "--storage-driver", "vfs", "rmi", testTag},
			},
			wantTool: "podman",
		},
		{
			name: "docker with SOURCE_DATE_EPOCH", tool: "docker", path: []string{"docker"},
			spec: func(s *Spec) { s.Timestamp = time.Unix(1700000000, 0) },
			want: [][]string{
				{"docker", "buildx", "build", "--platform", "linux/arm64", "--provenance=false", "--sbom=false",
					"-f", df, "--output", "type=oci,dest=" + out + ",rewrite-timestamp=true",
					"--build-arg", "A=1", "--build-arg", "PYTHON_VERSION=3.11", "--build-arg", "SOURCE_DATE_EPOCH=1700000000", ctx},
			},
			wantTool: "docker",
		},
		{
			name: "docker, not reproducible", tool: "docker", path: []string{"docker"},
			spec: func(s *Spec) { s.NotReproducible = true },
			want: [][]string{
				{"docker", "buildx", "build", "--platform", "linux/arm64", "--provenance=false", "--sbom=false",
					"-f", df, "--output", "type=oci,dest=" + out,
					"--build-arg", "A=1", "--build-arg", "PYTHON_VERSION=3.11", ctx},
			},
			wantTool: "docker",
		},
		{
			name: "buildah with SOURCE_DATE_EPOCH", tool: "buildah", path: []string{"buildah"},
			spec: func(s *Spec) { s.Timestamp = time.Unix(1700000000, 0) },
			want: [][]string{
				{"buildah", "build", "--format", "docker", "--platform", "linux/arm64", "--isolation", "chroot", "--layers=false", "--timestamp", "1700000000",
					"-f", df, "-t", testTag, "--build-arg", "A=1", "--build-arg", "PYTHON_VERSION=3.11", ctx},
				{"buildah", "push", "--compression-format", "gzip", testTag, "oci-archive:" + out},
				{"buildah", "rmi", testTag},
			},
			wantTool: "buildah",
		},
		{
			name: "podman, not reproducible", tool: "podman", path: []string{"podman"},
			spec: func(s *Spec) { s.NotReproducible = true },
			want: [][]string{
				{"podman", "build", "--format", "docker", "--platform", "linux/arm64", "--isolation", "chroot", "--layers=false",
					"-f", df, "-t", testTag, "--build-arg", "A=1", "--build-arg", "PYTHON_VERSION=3.11", ctx},
				{"podman", "push", "--compression-format", "gzip", testTag, "oci-archive:" + out},
				{"podman", "rmi", testTag},
			},
			wantTool: "podman",
		},
		{
			name: "docker with the GitHub Actions cache", tool: "docker", path: []string{"docker"},
			spec: func(s *Spec) { s.Cache = "gha" },
			want: [][]string{
				{"docker", "buildx", "build", "--platform", "linux/arm64", "--provenance=false", "--sbom=false",
					"-f", df, "--output", "type=oci,dest=" + out + ",rewrite-timestamp=true",
					"--cache-from", "type=gha", "--cache-to", "type=gha,mode=max",
					"--build-arg", "A=1", "--build-arg", "PYTHON_VERSION=3.11", "--build-arg", "SOURCE_DATE_EPOCH=315532800", ctx},
			},
			wantTool: "docker",
		},
		{
			name: "docker with a registry cache", tool: "docker", path: []string{"docker"},
			spec: func(s *Spec) { s.Cache = "ghcr.io/me/cache" },
			want: [][]string{
				{"docker", "buildx", "build", "--platform", "linux/arm64", "--provenance=false", "--sbom=false",
					"-f", df, "--output", "type=oci,dest=" + out + ",rewrite-timestamp=true",
					"--cache-from", "type=registry,ref=ghcr.io/me/cache", "--cache-to", "type=registry,ref=ghcr.io/me/cache,mode=max",
					"--build-arg", "A=1", "--build-arg", "PYTHON_VERSION=3.11", "--build-arg", "SOURCE_DATE_EPOCH=315532800", ctx},
			},
			wantTool: "docker",
		},
		{
			name: "buildah with a cache repository", tool: "buildah", path: []string{"buildah"},
			spec: func(s *Spec) { s.Cache = "ghcr.io/me/cache" },
			want: [][]string{
				{"buildah", "build", "--format", "docker", "--platform", "linux/arm64", "--isolation", "chroot",
					"--layers", "--cache-from", "ghcr.io/me/cache", "--cache-to", "ghcr.io/me/cache", "--timestamp", "315532800",
					"-f", df, "-t", testTag, "--build-arg", "A=1", "--build-arg", "PYTHON_VERSION=3.11", ctx},
				{"buildah", "push", "--compression-format", "gzip", testTag, "oci-archive:" + out},
				{"buildah", "rmi", testTag},
			},
			wantTool: "buildah",
		},
		{
			name: "auto takes docker when its daemon answers", tool: "auto", path: []string{"docker", "buildah", "podman"},
			want: [][]string{
				{"docker", "info", "--format", "{{.ServerVersion}}"},
				{"docker", "buildx", "build", "--platform", "linux/arm64", "--provenance=false", "--sbom=false",
					"-f", df, "--output", "type=oci,dest=" + out + ",rewrite-timestamp=true",
					"--build-arg", "A=1", "--build-arg", "PYTHON_VERSION=3.11", "--build-arg", "SOURCE_DATE_EPOCH=315532800", ctx},
			},
			wantTool: "docker",
		},
		{
			name: "auto takes buildah when docker has no daemon", tool: "auto", path: []string{"docker", "buildah", "podman"},
			fail: func(argv []string) error {
				if argv[0] == "docker" {
					return errors.New("Cannot connect to the Docker daemon at unix:///var/run/docker.sock")
				}
				return nil
			},
			want: [][]string{
				{"docker", "info", "--format", "{{.ServerVersion}}"},
				{"buildah", "build", "--format", "docker", "--platform", "linux/arm64", "--isolation", "chroot", "--layers=false", "--timestamp", "315532800",
					"-f", df, "-t", testTag, "--build-arg", "A=1", "--build-arg", "PYTHON_VERSION=3.11", ctx},
				{"buildah", "push", "--compression-format", "gzip", testTag, "oci-archive:" + out},
				{"buildah", "rmi", testTag},
			},
			wantTool: "buildah",
		},
		{
			name: "auto takes podman when it is the only one", tool: "", path: []string{"podman"},
			want: [][]string{
				{"podman", "build", "--format", "docker", "--platform", "linux/arm64", "--isolation", "chroot", "--layers=false", "--timestamp", "315532800",
					"-f", df, "-t", testTag, "--build-arg", "A=1", "--build-arg", "PYTHON_VERSION=3.11", ctx},
				{"podman", "push", "--compression-format", "gzip", testTag, "oci-archive:" + out},
				{"podman", "rmi", testTag},
			},
			wantTool: "podman",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{t: t, img: platformImage(t, arm), fail: tt.fail}
			opts := append([]Option{WithRunner(rec.run), WithLookPath(onPath(tt.path...)), withTagger(func() string { return testTag })}, tt.opts...)
			s := spec
			s.Tool = tt.tool
			if tt.spec != nil {
				tt.spec(&s)
			}
			img, tool, err := New(opts...).Build(context.Background(), s)
			if err != nil {
				t.Fatalf("Build() error = %v", err)
			}
			if diff := cmp.Diff(tt.want, rec.calls); diff != "" {
				t.Errorf("commands (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantTool, tool); diff != "" {
				t.Errorf("tool (-want +got):\n%s", diff)
			}
			want, _ := rec.img.ConfigName()
			got, err := img.ConfigName()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("image config (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBuildErrors(t *testing.T) {
	df, work := project(t)
	amd := v1.Platform{OS: "linux", Architecture: "amd64"}
	tests := []struct {
		name    string
		spec    Spec
		path    []string
		fail    func(argv []string) error
		wantErr []string // substrings
	}{
		{
			name:    "no tool",
			spec:    Spec{Dockerfile: df, Platform: amd, WorkDir: work, Tool: "auto"},
			path:    nil,
			wantErr: []string{"docker is not on PATH", "buildah is not on PATH", "podman is not on PATH", "apt-get install -y buildah"},
		},
		{
			name: "docker without daemon and nothing else",
			spec: Spec{Dockerfile: df, Platform: amd, WorkDir: work},
			path: []string{"docker"},
			fail: func([]string) error { return errors.New("Cannot connect to the Docker daemon") },
			wantErr: []string{"docker is on PATH but its daemon does not answer", "buildah is not on PATH", "podman is not on PATH",
				"install one"},
		},
		{
			name:    "requested tool missing",
			spec:    Spec{Dockerfile: df, Platform: amd, WorkDir: work, Tool: "podman"},
			path:    []string{"buildah"},
			wantErr: []string{`"podman" is not on PATH`},
		},
		{
			name:    "unknown tool",
			spec:    Spec{Dockerfile: df, Platform: amd, WorkDir: work, Tool: "kaniko"},
			wantErr: []string{`unknown Dockerfile build tool "kaniko"`},
		},
		{
			name:    "work dir inside the context",
			spec:    Spec{Dockerfile: df, Platform: amd, WorkDir: filepath.Join(filepath.Dir(df), "w")},
			wantErr: []string{"is inside the build context"},
		},
		{
			name:    "missing Dockerfile",
			spec:    Spec{Dockerfile: filepath.Join(work, "nope"), Platform: amd, WorkDir: work},
			wantErr: []string{"reading Dockerfile", "nope"},
		},
		{
			name:    "the GitHub Actions cache with buildah",
			spec:    Spec{Dockerfile: df, Platform: amd, WorkDir: work, Tool: "buildah", Cache: "gha"},
			path:    []string{"buildah"},
			wantErr: []string{`build cache "gha" is docker buildx's`, "use builder docker, or a cache repository"},
		},
		{
			name:    "context file with ..",
			spec:    Spec{Dockerfile: df, Platform: amd, WorkDir: work, ContextFiles: map[string]string{"../x.zip": df}},
			wantErr: []string{`"../x.zip" must be a relative path inside the context`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{t: t, img: platformImage(t, amd), fail: tt.fail}
			_, _, err := New(WithRunner(rec.run), WithLookPath(onPath(tt.path...))).Build(context.Background(), tt.spec)
			if err == nil {
				t.Fatal("Build() succeeded, want an error")
			}
			for _, s := range tt.wantErr {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("Build() error = %v, want it to contain %q", err, s)
				}
			}
		})
	}
}

func TestBuildErrorFromToolOutput(t *testing.T) {
	dir := t.TempDir()
	df := filepath.Join(dir, "Dockerfile")
	content := "# syntax=docker/dockerfile:1\nFROM python:3.11\n\n# install\nRUN pip install \\\n    numpy\nRUN exit 3\nCMD [\"handler.entry_point.lambda_handler\"]\n"
	if err := os.WriteFile(df, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		tool string
		out  string
		want BuildError
	}{
		{
			name: "buildah",
			tool: "buildah",
			out:  "STEP 3/4: RUN exit 3\nerror building at STEP \"RUN exit 3\": error while running runtime: exit status 3",
			want: BuildError{Dockerfile: df, Line: 7, Step: "RUN exit 3", Tool: "buildah"},
		},
		{
			name: "podman, continuation line",
			tool: "podman",
			out:  "Error: building at STEP \"RUN pip install numpy\": while running runtime: exit status 1",
			want: BuildError{Dockerfile: df, Line: 5, Step: "RUN pip install numpy", Tool: "podman"},
		},
		{
			name: "buildah, exec form printed without JSON",
			tool: "buildah",
			out:  "error building at STEP \"CMD handler.entry_point.lambda_handler\": boom",
			want: BuildError{Dockerfile: df, Line: 8, Step: "CMD handler.entry_point.lambda_handler", Tool: "buildah"},
		},
		{
			name: "docker buildkit",
			tool: "docker",
			out: " > [3/3] RUN exit 3:\n------\nDockerfile:7\n--------------------\n   6 |     numpy\n   7 | >>> RUN exit 3\n" +
				"--------------------\nERROR: failed to solve: process \"/bin/sh -c exit 3\" did not complete successfully: exit code: 3",
			want: BuildError{Dockerfile: df, Line: 7, Step: "RUN exit 3", Tool: "docker"},
		},
		{
			name: "no step in the output",
			tool: "buildah",
			out:  "error creating build container: pull access denied",
			want: BuildError{Dockerfile: df, Tool: "buildah"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := newBuildError(tt.tool, df, df, errors.New(tt.out))
			if got.Err == nil || got.Err.Error() != tt.out {
				t.Errorf("BuildError.Err = %v, want the tool's error", got.Err)
			}
			got.Err = nil
			if diff := cmp.Diff(tt.want, *got); diff != "" {
				t.Errorf("BuildError (-want +got):\n%s", diff)
			}
		})
	}
}
