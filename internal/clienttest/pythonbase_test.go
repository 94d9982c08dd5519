package clienttest

import (
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/containerstore"
	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/need"
	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/pythonbase"
)

// pythonSlimStandIn is the stand-in for Docker Hub's python:<py>-slim-bookworm (package
// pythonbase: Debian's own userland, this machine's python<py>, pip), cached across runs.
func pythonSlimStandIn(t *testing.T, py string) v1.Image {
	t.Helper()
	img, err := pythonbase.Image(py)
	if err != nil {
		t.Fatalf("building the stand-in base (needs python%s on PATH and mmdebstrap, as .ci/run sets): %v", py, err)
	}
	return img
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// serveImage serves img from a registry on 127.0.0.1 as repo:tag and returns the registry's host.
func serveImage(t *testing.T, img v1.Image, repoTag string) string {
	t.Helper()
	srv := httptest.NewServer(ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	tag, err := name.NewTag(host + "/" + repoTag)
	must(t, err)
	must(t, remote.Write(tag, img))
	return host
}

// buildahSandbox returns the settings, for the program's environment, that point buildah at
// storage of the test's own (containerstore: overlay where it mounts, else vfs) and at a registries.conf where Docker Hub's
// official python images come from the stand-in registry (plain HTTP on 127.0.0.1), and further
// plain-HTTP registries are marked insecure.
func buildahSandbox(t *testing.T, pythonRegistry string, insecure ...string) map[string]string {
	t.Helper()
	need.Tool(t, "buildah", "apt-get install buildah; .ci/run installs it")
	need.Root(t, "buildah with chroot isolation")
	dir := t.TempDir()
	storage := containerstore.StorageConf(t)
	var regs strings.Builder
	fmt.Fprintf(&regs, "unqualified-search-registries = [\"docker.io\"]\nshort-name-mode = \"permissive\"\n\n")
	fmt.Fprintf(&regs, "[[registry]]\nprefix = \"docker.io/library/python\"\nlocation = %q\ninsecure = true\n\n", pythonRegistry+"/library/python")
	for _, h := range append([]string{pythonRegistry}, insecure...) {
		fmt.Fprintf(&regs, "[[registry]]\nlocation = %q\ninsecure = true\n\n", h)
	}
	conf := filepath.Join(dir, "registries.conf")
	must(t, os.WriteFile(conf, []byte(regs.String()), 0o644))
	return map[string]string{"CONTAINERS_STORAGE_CONF": storage, "CONTAINERS_REGISTRIES_CONF": conf}
}
