package dockerfile

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/containerstore"
	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/need"
)

// busyboxBase pushes a linux/amd64 image holding only a static busybox (sh, echo, ... as
// symlinks) to an in-process registry on 127.0.0.1 and returns its reference and host.
func busyboxBase(t *testing.T) (string, string) {
	t.Helper()
	bb, err := os.ReadFile("/bin/busybox")
	if err != nil {
		need.Missing(t, "a static busybox at /bin/busybox (apt-get install -y busybox-static; .ci/run installs it): %v", err)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	hdrs := []*tar.Header{
		{Name: "bin/", Typeflag: tar.TypeDir, Mode: 0o755},
		{Name: "tmp/", Typeflag: tar.TypeDir, Mode: 0o1777},
		{Name: "bin/busybox", Typeflag: tar.TypeReg, Mode: 0o755, Size: int64(len(bb))},
	}
	for _, tool := range []string{"sh", "echo", "cat", "ls", "false", "true"} {
		hdrs = append(hdrs, &tar.Header{Name: "bin/" + tool, Typeflag: tar.TypeSymlink, Linkname: "busybox", Mode: 0o777})
	}
	for _, h := range hdrs {
		h.ModTime = time.Unix(0, 0)
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Name == "bin/busybox" {
			if _, err := tw.Write(bb); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	layerBytes := buf.Bytes()
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(layerBytes)), nil
	}, tarball.WithMediaType(types.DockerLayer))
	if err != nil {
		t.Fatal(err)
	}
	// A history entry per layer, as real images have (buildah's layer cache needs them).
	img, err := mutate.ConfigFile(empty.Image, &v1.ConfigFile{
		OS: "linux", Architecture: "amd64",
		RootFS: v1.RootFS{Type: "layers"},
		Config: v1.Config{Env: []string{"PATH=/bin"}, Cmd: []string{"/bin/sh"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	img, err = mutate.Append(img, mutate.Addendum{Layer: layer, History: v1.History{CreatedBy: "COPY busybox /bin/", Created: v1.Time{Time: time.Unix(0, 0)}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := func() error { _, err := img.Digest(); return err }(); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	ref, err := name.ParseReference(host+"/base:latest", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img); err != nil {
		t.Fatal(err)
	}
	return ref.String(), host
}

// layerFiles returns the regular files of img's layers (later layers win) by path.
func layerFiles(t *testing.T, img v1.Image) map[string]string {
	t.Helper()
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, l := range layers {
		mt, err := l.MediaType()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(mt), "gzip") {
			t.Errorf("layer media type = %q, want a gzip layer (Lambda does not take zstd)", mt)
		}
		rc, err := l.Uncompressed()
		if err != nil {
			t.Fatal(err)
		}
		tr := tar.NewReader(rc)
		for {
			h, err := tr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if h.Typeflag == tar.TypeReg {
				b, err := io.ReadAll(tr)
				if err != nil {
					t.Fatal(err)
				}
				files[strings.TrimPrefix(h.Name, "./")] = string(b)
			}
		}
		rc.Close()
	}
	return files
}

// realBuilder returns a Builder for tool (buildah or podman) with storage under a temporary directory.
func realBuilder(t *testing.T, tool, host string) *Builder {
	t.Helper()
	need.Tool(t, tool, "apt-get install -y "+tool+"; .ci/run installs buildah and podman; docker is checked before, by its daemon")
	logger := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if tool == ToolDocker {
		// Docker trusts plain-HTTP registries on 127.0.0.0/8 by default, and keeps its own storage.
		return New(WithLogger(logger))
	}
	store := t.TempDir()
	root, runRoot := filepath.Join(store, "root"), filepath.Join(store, "runroot")
	t.Cleanup(func() {
		// Remove what a failed build may have left (working containers), then the storage.
		var rm *exec.Cmd
		if tool == ToolPodman {
			rm = exec.Command(tool, "--root", root, "--runroot", runRoot, "--storage-driver", containerstore.Driver(), "system", "reset", "--force")
		} else {
			rm = exec.Command(tool, "--root", root, "--runroot", runRoot, "--storage-driver", containerstore.Driver(), "rm", "--all")
		}
		if out, err := rm.CombinedOutput(); err != nil {
			t.Logf("cleaning %s storage: %v\n%s", tool, err, out)
		}
	})
	return New(WithLogger(logger), WithStorage(containerstore.Driver()), WithStorageRoot(root, runRoot), WithInsecureRegistries(host))
}

func TestBuildahReal(t *testing.T) { testRealBuild(t, ToolBuildah) }

func TestPodmanReal(t *testing.T) { testRealBuild(t, ToolPodman) }

// TestDockerReal runs the docker builder for real where a Docker daemon answers (GitHub's Linux
// runners); here, without one, builder_test.go checks its command lines against recorded ones.
func TestDockerReal(t *testing.T) {
	if _, err := exec.LookPath("docker"); err != nil {
		t.Skip("docker is not installed")
	}
	if err := exec.Command("docker", "info").Run(); err != nil {
		t.Skip("no Docker daemon answers (docker info): builder_test.go checks the docker command lines")
	}
	testRealBuild(t, ToolDocker)
}

// testRealBuild builds real Dockerfiles with tool on a busybox base image from a local registry.
func testRealBuild(t *testing.T, tool string) {
	if testing.Short() {
		t.Skipf("real %s build skipped in -short mode", tool)
	}
	need.Tool(t, tool, "apt-get install -y "+tool+"; .ci/run installs buildah and podman; docker is checked before, by its daemon")
	base, host := busyboxBase(t)
	b := realBuilder(t, tool, host)
	amd := v1.Platform{OS: "linux", Architecture: "amd64"}
	zipPath := filepath.Join(t.TempDir(), "function.zip")
	if err := os.WriteFile(zipPath, []byte("PK fake lithops zip"), 0o644); err != nil {
		t.Fatal(err)
	}

	t.Run("build", func(t *testing.T) {
		ctxDir := filepath.Join(t.TempDir(), "ctx")
		tree(t, ctxDir, map[string]string{
			"Dockerfile": "FROM " + base + "\n" +
				"ARG GREETING=hello\n" +
				"COPY lithops_lambda.zip /x/\n" +
				"RUN echo hi > /x/hi.txt && echo \"$GREETING\" > /x/arg.txt\n" +
				"CMD [\"handler.entry_point.lambda_handler\"]\n",
			"extra/data.txt": "data",
		})
		before := snapshot(t, ctxDir)
		img, usedTool, err := b.Build(context.Background(), Spec{
			Dockerfile:   filepath.Join(ctxDir, "Dockerfile"),
			Platform:     amd,
			ContextFiles: map[string]string{"lithops_lambda.zip": zipPath},
			BuildArgs:    map[string]string{"GREETING": "bonjour"},
			Tool:         tool,
			WorkDir:      t.TempDir(),
		})
		if err != nil {
			t.Fatalf("Build() error = %v", err)
		}
		if diff := cmp.Diff(tool, usedTool); diff != "" {
			t.Errorf("tool (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(before, snapshot(t, ctxDir)); diff != "" {
			t.Errorf("user context changed (-before +after):\n%s", diff)
		}
		mt, err := img.MediaType()
		if err != nil {
			t.Fatal(err)
		}
		if !mt.IsImage() {
			t.Errorf("media type = %q, want a single image manifest", mt)
		}
		cf, err := img.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		got := struct {
			Platform string
			Cmd      []string
		}{v1.Platform{OS: cf.OS, Architecture: cf.Architecture}.String(), cf.Config.Cmd}
		want := struct {
			Platform string
			Cmd      []string
		}{"linux/amd64", []string{"handler.entry_point.lambda_handler"}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("image config (-want +got):\n%s", diff)
		}
		files := layerFiles(t, img)
		wantFiles := map[string]string{
			"x/hi.txt":             "hi\n",
			"x/arg.txt":            "bonjour\n",
			"x/lithops_lambda.zip": "PK fake lithops zip",
		}
		for p, content := range wantFiles {
			if diff := cmp.Diff(content, files[p]); diff != "" {
				t.Errorf("file %s in the image (-want +got):\n%s", p, diff)
			}
		}
		if _, ok := files["bin/busybox"]; !ok {
			t.Errorf("the base layer (bin/busybox) is missing from the image")
		}
	})

	t.Run("reproducible", func(t *testing.T) {
		// Two builds of a Dockerfile with COPY and RUN steps, a second apart: the same digest by
		// default, different digests with NotReproducible (the builder writes the current time).
		ctxDir := filepath.Join(t.TempDir(), "ctx")
		tree(t, ctxDir, map[string]string{
			"Dockerfile": "FROM " + base + "\n" +
				"COPY lithops_lambda.zip app/ /x/\n" +
				"RUN mkdir -p /x/made && echo built > /x/made/out.txt\n" +
				"CMD [\"handler.entry_point.lambda_handler\"]\n",
			"app/main.py": "print('hi')\n",
		})
		digests := func(notReproducible bool) [2]string {
			var d [2]string
			for i := range d {
				if i == 1 {
					time.Sleep(1100 * time.Millisecond) // another second on the clock
				}
				img, _, err := b.Build(context.Background(), Spec{
					Dockerfile: filepath.Join(ctxDir, "Dockerfile"), Platform: amd, Tool: tool, WorkDir: t.TempDir(),
					ContextFiles: map[string]string{"lithops_lambda.zip": zipPath}, NotReproducible: notReproducible,
				})
				if err != nil {
					t.Fatalf("Build() error = %v", err)
				}
				h, err := img.Digest()
				if err != nil {
					t.Fatal(err)
				}
				d[i] = h.String()
			}
			return d
		}
		if d := digests(false); d[0] != d[1] {
			t.Errorf("two reproducible builds: digests %s and %s, want one", d[0], d[1])
		}
		if d := digests(true); d[0] == d[1] {
			t.Errorf("two builds with NotReproducible: both %s, want different digests (the check above proves nothing otherwise)", d[0])
		}
	})

	t.Run("cache", func(t *testing.T) {
		if tool == ToolDocker {
			t.Skip("the docker daemon's BuildKit keeps its own cache: its --cache-from/--cache-to lines are checked in builder_test.go")
		}
		// The RUN step fetches a URL of this test: the requests count its runs. Each build uses new
		// storage, as a fresh CI runner does; the cache is in the registry.
		var runs atomic.Int32
		step := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			runs.Add(1)
			fmt.Fprintln(w, "installed")
		}))
		t.Cleanup(step.Close)
		ctxDir := filepath.Join(t.TempDir(), "ctx")
		tree(t, ctxDir, map[string]string{
			"Dockerfile": "FROM " + base + "\n" +
				"RUN wget -q -O /installed.txt " + step.URL + "/pip-install\n" +
				"COPY last.txt /x/\n",
			"last.txt": "v1\n",
		})
		build := func(cache string) v1.Image {
			t.Helper()
			img, _, err := realBuilder(t, tool, host).Build(context.Background(), Spec{
				Dockerfile: filepath.Join(ctxDir, "Dockerfile"), Platform: amd, Tool: tool, WorkDir: t.TempDir(), Cache: cache,
			})
			if err != nil {
				t.Fatalf("Build() error = %v", err)
			}
			return img
		}
		cache := host + "/cache/" + tool
		build(cache)
		if n := runs.Load(); n != 1 {
			t.Fatalf("the RUN step ran %d times in the first build, want 1", n)
		}
		tree(t, ctxDir, map[string]string{"last.txt": "v2\n"})
		img := build(cache)
		if n := runs.Load(); n != 1 {
			t.Errorf("the RUN step ran again (%d runs) though only the last step changed: the layer cache was not used", n)
		}
		files := layerFiles(t, img)
		if files["x/last.txt"] != "v2\n" || files["installed.txt"] != "installed\n" {
			t.Errorf("the image built with the cache: last.txt %q, installed.txt %q", files["x/last.txt"], files["installed.txt"])
		}
		build("")
		if n := runs.Load(); n != 2 {
			t.Errorf("without the cache the RUN step ran %d times in all, want 2 (the count above proves nothing otherwise)", n)
		}
	})

	t.Run("failing RUN", func(t *testing.T) {
		ctxDir := filepath.Join(t.TempDir(), "ctx")
		tree(t, ctxDir, map[string]string{
			"Dockerfile": "FROM " + base + "\n\n# a comment\nRUN echo ok\nRUN echo failing && exit 3\nCMD [\"x\"]\n",
		})
		df := filepath.Join(ctxDir, "Dockerfile")
		_, _, err := b.Build(context.Background(), Spec{Dockerfile: df, Platform: amd, Tool: tool, WorkDir: t.TempDir()})
		var be *BuildError
		if !errors.As(err, &be) {
			t.Fatalf("Build() error = %v, want a *BuildError", err)
		}
		got := BuildError{Dockerfile: be.Dockerfile, Line: be.Line, Step: be.Step, Tool: be.Tool}
		want := BuildError{Dockerfile: df, Line: 5, Step: "RUN echo failing && exit 3", Tool: tool}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("BuildError (-want +got):\n%s", diff)
		}
	})
}

// testWriter sends log output to t.Log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
