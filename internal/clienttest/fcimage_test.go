package clienttest

import (
	"archive/tar"
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"maps"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/fakealiyun"
	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/imagerunner"
)

// lithopsFCDockerfile is the Dockerfile Lithops 3.7 itself writes for an FC custom-container
// runtime (aliyun_fc.py, _build_default_runtime: FROM python:<py>-slim-bookworm, then
// config.DEFAULT_DOCKERFILE), read from the real lithops wheel in the client venv.
func lithopsFCDockerfile(t *testing.T, python string) string {
	t.Helper()
	out, err := exec.Command(python, "-c", `
import importlib.util, os, sys, lithops
from lithops import utils
# aliyun_fc/config.py, loaded by itself: the package's __init__ imports the backend's FC SDK.
path = os.path.join(os.path.dirname(lithops.__file__), 'serverless', 'backends', 'aliyun_fc', 'config.py')
spec = importlib.util.spec_from_file_location('aliyun_fc_config', path)
config = importlib.util.module_from_spec(spec)
spec.loader.exec_module(config)
sys.stdout.write(f'FROM python:{utils.CURRENT_PY_VERSION}-slim-bookworm\n' + config.DEFAULT_DOCKERFILE)
`).Output()
	if err != nil {
		t.Fatalf("reading Lithops' FC Dockerfile: %v", err)
	}
	return string(out)
}

// lithopsFCZip returns the files of lithops_aliyun_fc.zip as Lithops 3.7 makes it for a
// custom-container build (utils.create_handler_zip with container_entry_point.py), by running
// Lithops' own code: name -> sha256.
func lithopsFCZip(t *testing.T, python string) map[string]string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "lithops_aliyun_fc.zip")
	out, err := exec.Command(python, "-c", `
import os, sys, lithops
from lithops import utils
handler = os.path.join(os.path.dirname(lithops.__file__), 'serverless', 'backends', 'aliyun_fc', 'container_entry_point.py')
utils.create_handler_zip(sys.argv[1], handler, 'container_entry_point.py')
`, dst).CombinedOutput()
	if err != nil {
		t.Fatalf("Lithops' create_handler_zip: %v\n%s", err, out)
	}
	zr, err := zip.OpenReader(dst)
	must(t, err)
	defer zr.Close()
	files := map[string]string{}
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, "/") {
			continue
		}
		rc, err := f.Open()
		must(t, err)
		files[f.Name] = hashReader(t, rc)
		rc.Close()
	}
	return files
}

func hashReader(t *testing.T, r io.Reader) string {
	h := sha256.New()
	_, err := io.Copy(h, r)
	must(t, err)
	return hex.EncodeToString(h.Sum(nil))
}

// imageFiles returns the regular files under dir/ of an image's filesystem: path -> sha256.
func imageFiles(t *testing.T, img v1.Image, dir string) map[string]string {
	t.Helper()
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	files := map[string]string{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		must(t, err)
		rel, ok := strings.CutPrefix(strings.TrimPrefix(h.Name, "/"), dir+"/")
		if !ok || h.Typeflag != tar.TypeReg || strings.Contains(rel, "__pycache__") {
			continue
		}
		files[rel] = hashReader(t, tr)
	}
	return files
}

// TestFCCustomContainerTemplates builds, with real buildah, Lithops 3.7's own FC Dockerfile
// (byte for byte as Lithops writes it) and our dockerfiles/aliyun_fc, each with the build context
// the tool makes (real lithops==3.7.0 from PyPI); the tool pushes each image, deploys it as an FC
// 3.0 custom container and smoke-tests it through FC's HTTP contract (the fake FC runs the image).
// The image's /function is exactly what Lithops' own create_handler_zip puts in
// lithops_aliyun_fc.zip.
//
// Both FROM python:3.12-slim-bookworm, which stands in with Debian's own userland (mmdebstrap,
// packages from deb.debian.org): Lithops' Dockerfile runs `apt-get update && apt-get install -y
// zip`, and the test checks that zip came.
func TestFCCustomContainerTemplates(t *testing.T) {
	t.Parallel()
	python := clientVenv(t, clientPython, awsClientRequirements...)
	pyReg := serveImage(t, pythonSlimStandIn(t, clientPython), "library/python:"+clientPython+"-slim-bookworm")
	acr := httptest.NewServer(ggcrregistry.New())
	t.Cleanup(acr.Close)
	acrHost := strings.TrimPrefix(acr.URL, "http://")
	sandbox := buildahSandbox(t, pyReg, acrHost)
	wantFiles := lithopsFCZip(t, python)
	if _, ok := wantFiles["container_entry_point.py"]; !ok || len(wantFiles) < 100 {
		t.Fatalf("Lithops' zip: %d files", len(wantFiles))
	}

	lithopsDF := lithopsFCDockerfile(t, python)
	if !strings.Contains(lithopsDF, "FROM python:"+clientPython+"-slim-bookworm\n") || !strings.Contains(lithopsDF, "container_entry_point:app") {
		t.Fatalf("Lithops' FC Dockerfile changed: update this test\n%s", lithopsDF)
	}
	ours, err := os.ReadFile(filepath.Join("..", "..", "dockerfiles", "aliyun_fc", "Dockerfile"))
	must(t, err)

	for _, tc := range []struct{ name, dockerfile, tool string }{
		// Both unchanged: python:3.12-slim-bookworm is the stand-in (registries.conf).
		{"Lithops' own Dockerfile", lithopsDF, "zip"},
		{"dockerfiles/aliyun_fc", string(ours), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cloud := fakealiyun.Start(t)
			cloud.ContainerInvoker = imagerunner.FC(t, nil)
			ws := t.TempDir()
			must(t, os.MkdirAll(filepath.Join(ws, "runtime"), 0o755))
			must(t, os.WriteFile(filepath.Join(ws, "runtime", "Dockerfile"), []byte(tc.dockerfile), 0o644))
			repo := acrHost + "/lithops/" + strings.ReplaceAll(strings.ToLower(tc.name), " ", "-")
			repo = strings.NewReplacer("'", "", "/aliyun_fc", "-fc").Replace(repo)
			env := cloud.Env()
			maps.Copy(env, sandbox)
			out := deployToolIn(t, ws, env, "--backend", "aliyun_fc", "--fc-endpoint", cloud.FC3.URL, "--oss-endpoint", cloud.OSS.URL,
				"--lithops-version", clientLithops, "--python-version", clientPython, "--memory", "256",
				"--dockerfile", "runtime/Dockerfile", "--registry", repo, "--builder", "buildah")
			if out["package-type"] != "image" || out["runtime-name"] != "default-container-runtime-v312" || out["image-digest"] == "" {
				t.Fatalf("outputs: %v", out)
			}
			if n := len(cloud.Calls()); n == 0 {
				t.Fatal("no FC call")
			}
			ref, err := name.ParseReference(out["image-uri"])
			must(t, err)
			img, err := remote.Image(ref)
			must(t, err)
			if diff := cmp.Diff(wantFiles, imageFiles(t, img, "function")); diff != "" {
				t.Errorf("/function of the image is not Lithops' lithops_aliyun_fc.zip (-lithops +image):\n%s", diff)
			}
			if tc.tool != "" {
				if _, ok := imageFiles(t, img, "usr/bin")[tc.tool]; !ok {
					t.Errorf("the image has no /usr/bin/%s: apt-get install did not run", tc.tool)
				}
			}
		})
	}
}
