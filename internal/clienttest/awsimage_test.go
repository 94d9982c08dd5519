package clienttest

import (
	"archive/tar"
	"bytes"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/fakeaws"
	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/imagerunner"
	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/lambdabase"
)

// lambdaBaseWithSDK is lambdabase's stand-in of public.ecr.aws/lambda/python:<py> with what the
// real image has in its site-packages and Lithops' worker imports from there: boto3 (from PyPI,
// cached).
func lambdaBaseWithSDK(t *testing.T, py string) v1.Image {
	t.Helper()
	img, err := lambdabase.Image(py)
	if err != nil {
		t.Fatalf("building the Lambda base stand-in (needs python%s on PATH, as .ci/run sets): %v", py, err)
	}
	out, err := exec.Command("python"+py, "-c", "import sys; print(sys.base_prefix)").Output()
	must(t, err)
	site := filepath.Join(strings.TrimSpace(string(out)), "lib", "python"+py, "site-packages")
	pkgs := filepath.Join(runtimePackages(t, py, lambdaRuntimePackages...), "python")

	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	mtime := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	must(t, filepath.WalkDir(pkgs, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(pkgs, p)
		name := strings.TrimPrefix(filepath.Join(site, rel), "/")
		if d.IsDir() {
			return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name + "/", Mode: 0o755, ModTime: mtime})
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: int64(len(data)), ModTime: mtime}); err != nil {
			return err
		}
		_, err = tw.Write(data)
		return err
	}))
	must(t, tw.Close())
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(buf.Bytes())), nil },
		tarball.WithMediaType(types.DockerLayer))
	must(t, err)
	img, err = mutate.Append(img, mutate.Addendum{Layer: layer, History: v1.History{Created: v1.Time{Time: mtime}, CreatedBy: "clienttest: boto3 in site-packages"}})
	must(t, err)
	return img
}

// TestUnmodifiedClientOnAWSContainerRuntime: the tool builds a container runtime (real lithops
// 3.7.0 on the stand-in Lambda base), pushes it to the fake ECR and deploys it; a real Lithops
// 3.7.0 client configured with the runtime's name runs call_async and map on it (the fake Lambda
// runs the image) and makes no deploying call. Negative controls: with nothing deployed, and with
// the image deployed but its metadata missing, the same check fails.
func TestUnmodifiedClientOnAWSContainerRuntime(t *testing.T) {
	t.Parallel()
	python := clientVenv(t, clientPython, awsClientRequirements...)
	const runtime = "my-runtime:1"
	base := serveImage(t, lambdaBaseWithSDK(t, clientPython), "lambda/python:"+clientPython) + "/lambda/python:" + clientPython
	deployed := func(t *testing.T) (*fakeaws.Cloud, map[string]string) {
		cloud, env := awsCloud(t)
		cloud.ImageInvoker = imagerunner.Lambda(t)
		out := deployTool(t, env, "--backend", "aws_lambda", "--role", fakeaws.DefaultRole, "--lithops-version", clientLithops,
			"--python-version", clientPython, "--memory", "512", "--package-type", "image", "--runtime-name", runtime, "--base-image", base)
		if out["package-type"] != "image" || out["runtime-name"] != runtime {
			t.Fatalf("the tool deployed %v", out)
		}
		return cloud, out
	}

	t.Run("deployed by the tool", func(t *testing.T) {
		cloud, out := deployed(t)
		ecrBefore := len(cloud.ECR.Calls())
		denyDeploying(cloud)
		run := runClient(t, python, awsClientConfig(512, runtime), clientEnv(t, cloud), 4*time.Minute)
		defer logsOnFailure(t, cloud, run)
		if err := run.check(deployingCalls(cloud, ecrBefore)); err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, c := range cloud.Calls() {
			if c.Op == "Invoke" && c.Target == out["function-name"] && c.Status == 202 {
				n++
			}
		}
		if n < 2 {
			t.Errorf("%d queued invocations of %s: %+v", n, out["function-name"], cloud.Calls())
		}
	})

	t.Run("negative control: nothing deployed", func(t *testing.T) {
		cloud, _ := awsCloud(t)
		denyDeploying(cloud)
		run := runClient(t, python, awsClientConfig(512, runtime), clientEnv(t, cloud), 3*time.Minute)
		err := run.check(deployingCalls(cloud, 0))
		if err == nil {
			t.Fatalf("the check passed without a deployed runtime\n%s", tail(run.log, 6000))
		}
		t.Logf("the check fails as it must: %v", err)
	})

	t.Run("negative control: image deployed, metadata missing", func(t *testing.T) {
		cloud, out := deployed(t)
		cloud.DeleteObject("lithops-us-east-1-mple", out["metadata-key"])
		ecrBefore := len(cloud.ECR.Calls())
		denyDeploying(cloud)
		run := runClient(t, python, awsClientConfig(512, runtime), clientEnv(t, cloud), 3*time.Minute)
		deploying := deployingCalls(cloud, ecrBefore)
		err := run.check(deploying)
		if err == nil || len(deploying) == 0 {
			t.Fatalf("the check passed or saw no deploying call: %v %v\n%s", err, deploying, tail(run.log, 6000))
		}
		t.Logf("the check fails as it must: %v", err)
	})
}
