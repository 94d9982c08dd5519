package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"maps"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/containerstore"
	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/fakeaws"
	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/imagerunner"
	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/lambdabase"
	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/need"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/pip"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/lithops"
)

// serveLambdaBase serves the stand-in of the AWS Lambda Python base image from a registry on
// 127.0.0.1 and returns its reference.
func serveLambdaBase(t *testing.T, python string) string {
	t.Helper()
	img, err := lambdabase.Image(python)
	if err != nil {
		t.Fatalf("building the Lambda base stand-in (needs python3.12 on PATH, as .ci/run sets): %v", err)
	}
	srv := httptest.NewServer(ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	ref := strings.TrimPrefix(srv.URL, "http://") + "/lambda/python:" + python
	tag, err := name.NewTag(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(tag, img); err != nil {
		t.Fatal(err)
	}
	return ref
}

// TestAWSLambdaImageFromRequirements builds a container runtime without Docker from a
// requirements file on the (stand-in) Lambda base image, pushes it to the account's ECR, deploys
// it pinned by digest, smoke-tests it by running the image, then redeploys unchanged.
func TestAWSLambdaImageFromRequirements(t *testing.T) {
	parallelOffline(t, goodWheels)
	base := serveLambdaBase(t, "3.12")
	d := newAWSDeploy(t, "--package-type", "image", "--runtime-name", "my-runtime:1", "--base-image", base, "--memory", "512")
	d.cloud.ImageInvoker = imagerunner.Lambda(t)

	first := d.run(t)
	if first.code != 0 {
		t.Fatalf("exit %d\n%s", first.code, first.stderr.String())
	}
	out := first.outputs()
	repo := "lithops_v370_mple/my-runtime"
	fn := functionName("mple", "3.7.0", "my-runtime:1", 512)
	if !strings.HasPrefix(out["image-digest"], "sha256:") || out["image-uri"] != d.cloud.ECR.Host()+"/"+repo+"@"+out["image-digest"] ||
		out["function-name"] != fn || out["package-type"] != "image" || out["changed"] != "true" || out["bundle-sha256"] != "" || out["layer-arn"] != "" {
		t.Errorf("outputs: %v", out)
	}
	if !strings.Contains(first.stderr.String(), "the image answered Lithops' metadata request on this machine") {
		t.Errorf("the image was not tested locally before the push:\n%s", first.stderr.String())
	}
	st, ok := d.cloud.Function(fn)
	if !ok || st.Configuration.PackageType != "Image" || "sha256:"+st.Configuration.CodeSha256 != out["image-digest"] {
		t.Fatalf("function %s: %+v", fn, st.Configuration)
	}
	body, ok := d.cloud.Object(awsBucket, awsMetadataKey(fn))
	if !ok {
		t.Fatalf("no metadata written: %v", d.cloud.Objects(awsBucket))
	}
	var md map[string]any
	if err := json.Unmarshal(body, &md); err != nil || md["python_version"] != "3.12" || md["lithops_version"] != "3.7.0" {
		t.Errorf("metadata: %s", body)
	}
	if !strings.Contains(string(body), `"acmetext"`) {
		t.Errorf("metadata lacks the requirement's module: %s", body)
	}

	// Unchanged: the same digest (a reproducible build), nothing uploaded, nothing changed.
	uploads := d.cloud.ECR.BlobUploads()
	d.cloud.ResetCalls()
	second := d.run(t)
	if second.code != 0 {
		t.Fatalf("second run: exit %d\n%s", second.code, second.stderr.String())
	}
	if o := second.outputs(); o["changed"] != "false" || o["image-digest"] != out["image-digest"] {
		t.Errorf("second run: changed=%s digest %s (first %s)", o["changed"], o["image-digest"], out["image-digest"])
	}
	if got := d.cloud.ECR.BlobUploads(); got != uploads || len(d.cloud.MutatingCalls()) != 0 {
		t.Errorf("second run: blob uploads %d -> %d, mutating calls %+v", uploads, got, d.cloud.MutatingCalls())
	}
	// The image itself came from the build cache: nothing installed or compressed again.
	if log := second.stderr.String(); !strings.Contains(log, "cache hit") || strings.Contains(log, "installing dependencies") {
		t.Errorf("second run did not take the image from the build cache:\n%s", log)
	}
}

var _ = filepath.Join
var _ = fakeaws.DefaultRole

// buildahSandboxEnv is the settings, for the program's environment (tests in parallel), that point
// buildah and podman at storage of the test's own (containerstore: overlay where it mounts, else
// vfs) and mark the given plain-HTTP registries insecure.
func buildahSandboxEnv(t *testing.T, insecure ...string) map[string]string {
	t.Helper()
	need.Tool(t, "buildah", "apt-get install buildah; .ci/run installs it")
	need.Root(t, "buildah with chroot isolation")
	dir := t.TempDir()
	storage := containerstore.StorageConf(t)
	var regs strings.Builder
	for _, h := range insecure {
		fmt.Fprintf(&regs, "[[registry]]\nlocation = %q\ninsecure = true\n\n", h)
	}
	conf := filepath.Join(dir, "registries.conf")
	writeFile(t, conf, regs.String())
	return map[string]string{"CONTAINERS_STORAGE_CONF": storage, "CONTAINERS_REGISTRIES_CONF": conf}
}

// TestAWSLambdaDockerfileTemplate builds our AWS Lambda template (dockerfiles/aws_lambda) with real
// buildah on the stand-in base image, with lithops_lambda.zip in a scratch copy of the context,
// deploys the image and smoke-tests it; the user's context is left as it was.
func TestAWSLambdaDockerfileTemplate(t *testing.T) {
	parallelOffline(t, goodWheels)
	base := serveLambdaBase(t, "3.12")
	sandbox := buildahSandboxEnv(t, strings.Split(base, "/")[0])
	d := newAWSDeploy(t)
	maps.Copy(d.env, sandbox)
	d.cloud.ImageInvoker = imagerunner.Lambda(t)
	ctxDir := filepath.Join(d.ws, "runtime")
	writeLambdaTemplate(t, ctxDir, base, "x86_64")
	writeFile(t, filepath.Join(ctxDir, "notes.txt"), "kept as is\n")
	before := snapshot(t, ctxDir)

	args := []string{"--backend", "aws_lambda", "--role", fakeaws.DefaultRole, "--dockerfile", "runtime/Dockerfile", "--runtime-name", "my-template:3.12",
		"--lithops-version", "3.7.0", "--python-version", "3.12", "--memory", "256", "--builder", "buildah"}
	s := runMain(t, d.ws, d.env, args...)
	if s.code != 0 {
		t.Fatalf("exit %d\n%s", s.code, s.stderr.String())
	}
	out := s.outputs()
	if out["package-type"] != "image" || !strings.HasPrefix(out["image-digest"], "sha256:") || out["python-version"] != "3.12" || out["lithops-version"] != "3.7.0" {
		t.Errorf("outputs: %v", out)
	}
	if !strings.Contains(s.stderr.String(), "built by buildah") {
		t.Errorf("log does not say buildah built the image:\n%s", s.stderr.String())
	}
	if diff := cmp.Diff(before, snapshot(t, ctxDir)); diff != "" {
		t.Errorf("the build context changed (-before +after):\n%s", diff)
	}
	if _, ok := d.cloud.Object(awsBucket, awsMetadataKey(functionName("mple", "3.7.0", "my-template:3.12", 256))); !ok {
		t.Errorf("no metadata written")
	}
}

// writeLambdaTemplate writes our AWS Lambda template (dockerfiles/aws_lambda/Dockerfile) into
// ctxDir, with base as its base image and its pip step replaced by a COPY of the same
// dependencies installed for architecture from the test's fixture wheelhouse (parallelOffline,
// offline or useWheels), the offline stand-in for the step's `pip install`.
func writeLambdaTemplate(t *testing.T, ctxDir, base, architecture string) {
	t.Helper()
	tmpl, err := os.ReadFile(filepath.Join("..", "..", "dockerfiles", "aws_lambda", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	df := strings.Replace(string(tmpl), "ARG BASE_IMAGE=public.ecr.aws/lambda/python:${PYTHON_VERSION}", "ARG BASE_IMAGE="+base, 1)
	pipStep := regexp.MustCompile(`(?s)RUN if \[ -n "\$LITHOPS_DEPENDENCIES" \].*?fi\n`)
	df = pipStep.ReplaceAllLiteralString(df, "COPY deps/ ${LAMBDA_TASK_ROOT}/\n")
	if !strings.Contains(df, "ARG BASE_IMAGE="+base) || !strings.Contains(df, "COPY deps/") {
		t.Fatalf("the template changed: update this test\n%s", df)
	}
	var env []string
	for k, v := range withWheels(t, nil) {
		env = append(env, k+"="+v)
	}
	if _, err := pip.NewInstaller(pip.WithEnv(env...)).InstallRequirements(context.Background(), pip.InstallRequest{
		Requirements: lithops.DefaultRequirements(lithops.AWSLambda), Target: filepath.Join(ctxDir, "deps"),
		Platform: pip.Platform{Python: "3.12", Arch: architecture, GlibcMajor: 2, GlibcMinor: 34},
	}); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(ctxDir, "Dockerfile"), df)
}

// TestLocalImageRuntime deploys an image runtime on the local backend: the image is kept in the
// state directory and the smoke test runs it on this machine; the second run changes nothing.
func TestLocalImageRuntime(t *testing.T) {
	parallelOffline(t, goodWheels)
	base := serveLambdaBase(t, "3.12")
	ws := t.TempDir()
	writeFile(t, filepath.Join(ws, "requirements.txt"), "acme-text-utils\n")
	state := t.TempDir()
	args := []string{"--package-type", "image", "--requirements", "requirements.txt", "--runtime-name", "my-runtime:1", "--base-image", base,
		"--lithops-version", "3.7.0", "--python-version", "3.12", "--local-dir", state}
	first := runMain(t, ws, map[string]string{}, args...)
	if first.code != 0 {
		t.Fatalf("exit %d\n%s", first.code, first.stderr.String())
	}
	o1 := first.outputs()
	if o1["changed"] != "true" || o1["image-uri"] != "local:image@"+o1["image-digest"] || o1["python-version"] != "3.12" {
		t.Errorf("first run outputs: %v", o1)
	}
	second := runMain(t, ws, map[string]string{}, args...)
	if second.code != 0 {
		t.Fatalf("second run: exit %d\n%s", second.code, second.stderr.String())
	}
	if o2 := second.outputs(); o2["changed"] != "false" || o2["image-digest"] != o1["image-digest"] {
		t.Errorf("second run: changed=%s digest %s (was %s)", o2["changed"], o2["image-digest"], o1["image-digest"])
	}
}

// TestBrokenImageStopsBeforePush: an image whose handler raises fails its local test, so nothing
// is pushed or deployed.
func TestBrokenImageStopsBeforePush(t *testing.T) {
	parallelOffline(t, raisingWheels)
	base := serveLambdaBase(t, "3.12")
	d := newAWSDeploy(t, "--package-type", "image", "--runtime-name", "my-runtime:1", "--base-image", base, "--memory", "512")
	s := d.run(t)
	if s.code != 1 {
		t.Fatalf("exit %d, want 1\n%s", s.code, s.stderr.String())
	}
	log := s.stderr.String()
	for _, w := range []string{"local-test: the image failed on this machine, before anything was pushed or deployed", "stand-in failure: the runtime is broken"} {
		if !strings.Contains(log, w) {
			t.Errorf("log lacks %q:\n%s", w, log)
		}
	}
	if n := d.cloud.ECR.BlobUploads(); n != 0 || len(d.cloud.MutatingCalls()) != 0 || len(d.cloud.ECR.Repositories()) != 0 {
		t.Errorf("a broken image reached the cloud: %d blob uploads, repositories %v, calls %+v", n, d.cloud.ECR.Repositories(), d.cloud.MutatingCalls())
	}
}
