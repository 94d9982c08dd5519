package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/imagerunner"
	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/pypi"
	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/pythonbase"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build"
)

// fcTemplateDependencies are the packages dockerfiles/aliyun_fc pip-installs (its
// LITHOPS_DEPENDENCIES default), read from the template.
func fcTemplateDependencies(t *testing.T, template string) []string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^ARG LITHOPS_DEPENDENCIES="([^"]+)"$`).FindStringSubmatch(template)
	if m == nil {
		t.Fatalf("dockerfiles/aliyun_fc has no ARG LITHOPS_DEPENDENCIES=\"...\": update this test\n%s", template)
	}
	return strings.Fields(m[1])
}

// fcTemplateContext writes dockerfiles/aliyun_fc/Dockerfile into ctxDir, unchanged but for its
// base image (base instead of python:3.12-slim-bookworm, whose stand-in base is), with a user's
// steps after it: a COPY of extra/, and a build argument a RUN step writes into the image; plus a
// .dockerignore leaving out scratch/, and a README.md no step copies.
func fcTemplateContext(t *testing.T, ctxDir, template, base string) {
	t.Helper()
	const from = "ARG BASE_IMAGE=python:${PYTHON_VERSION}-slim-bookworm"
	if !strings.Contains(template, from) || !strings.Contains(template, "container_entry_point:app") {
		t.Fatalf("dockerfiles/aliyun_fc changed: update this test\n%s", template)
	}
	df := strings.Replace(template, from, "ARG BASE_IMAGE="+base, 1) +
		"\nCOPY extra/ ${APP_HOME}/extra/\nARG GREETING\nARG AUDIENCE=world\nRUN echo \"$GREETING, $AUDIENCE\" > ${APP_HOME}/greeting.txt\n"
	writeFile(t, filepath.Join(ctxDir, "Dockerfile"), df)
	writeFile(t, filepath.Join(ctxDir, "extra", "extra_module.py"), "X = 0\n")
	writeFile(t, filepath.Join(ctxDir, ".dockerignore"), "scratch/\n")
	writeFile(t, filepath.Join(ctxDir, "scratch", "notes.txt"), "ignored by the build\n")
	writeFile(t, filepath.Join(ctxDir, "README.md"), "in the context, copied by no step\n")
}

// TestAliyunFCDockerfileUnchangedIsSkipped is TestAWSLambdaDockerfileUnchangedIsSkipped on FC 3.0
// custom containers, with the program in a process of its own (runBinary): our FC template (dockerfiles/aliyun_fc: gunicorn and
// flask serving Lithops' container_entry_point:app on CAPort) built by real buildah on the
// stand-in python:3.12-slim-bookworm (Debian's own userland, package pythonbase, with the
// template's dependencies installed so that its `RUN pip install` is satisfied offline) and the
// real lithops 3.7.0 wheel from PyPI (cached), pushed to a registry on 127.0.0.1 and deployed to
// the fake FC, which runs the image for the smoke test (imagerun, chroot, FC's HTTP contract). The
// build key is recorded as the function's tags (TagResources) and the image's label. Unchanged,
// nothing is built (buildah invocations counted), pushed or changed; nor when a .dockerignored
// file changes; a context file no step copies rebuilds the same image, which is kept (the tags
// only change); a copied file rebuilds and updates the function (a build-arg value and the base
// pushed again, the same key's other parts, are rebuilt in TestAWSLambdaDockerfileUnchangedIsSkipped). Parallel: everything the program needs is in its own
// environment (PATH with the counting buildah, buildah's storage and registries, pip's wheels).
func TestAliyunFCDockerfileUnchangedIsSkipped(t *testing.T) {
	if testing.Short() {
		t.Skip("real buildah builds skipped in -short mode")
	}
	t.Parallel()
	tmpl, err := os.ReadFile(filepath.Join("..", "..", "dockerfiles", "aliyun_fc", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	baseImg, err := pythonbase.Image("3.12", fcTemplateDependencies(t, string(tmpl))...)
	if err != nil {
		t.Fatalf("the stand-in python:3.12-slim-bookworm (needs python3.12 on PATH and mmdebstrap, as .ci/run sets): %v", err)
	}
	baseReg := newCountingRegistry(t)
	base := strings.TrimPrefix(baseReg.srv.URL, "http://") + "/library/python:3.12-slim-bookworm"
	baseTag, err := name.NewTag(base)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(baseTag, baseImg); err != nil {
		t.Fatal(err)
	}

	acr := newCountingRegistry(t)
	acrHost := strings.TrimPrefix(acr.srv.URL, "http://")
	repo := acrHost + "/lithops/fc-df"

	d := newFCDeploy(t, "3.7.0", "3.12", "--dockerfile", "runtime/Dockerfile", "--registry", repo, "--builder", "buildah",
		"--memory", "256", "--local-test", "false")
	d.args = slices.DeleteFunc(d.args, func(s string) bool { return s == "--requirements" || s == "requirements.txt" })
	d.cloud.ContainerInvoker = imagerunner.FC(t, nil)
	for k, v := range buildahSandboxEnv(t, strings.Split(base, "/")[0], acrHost) {
		d.env[k] = v
	}
	builds := countBuilds(t, d.env)
	// The real lithops 3.7.0 (the fixture wheelhouse's stand-in has no container_entry_point.py).
	d.env["PIP_NO_INDEX"], d.env["PIP_FIND_LINKS"], d.env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1", pypi.Wheels(t, "lithops==3.7.0"), "1"
	ctxDir := filepath.Join(d.ws, "runtime")
	fcTemplateContext(t, ctxDir, string(tmpl), base)
	const hello, bonjour = "hello-5f0a-value", "bonjour-77c1-value"
	d.env["INPUT_BUILD-ARGS"] = "# what greeting.txt says\nGREETING=" + hello + "\nAUDIENCE=lithops\n"
	fn := fcName("default-container-runtime-v312", 256, "3.7.0")

	type outcome struct {
		builds, uploads int
		mutating        []string
		changed, digest string
		key, log        string
		took            time.Duration
	}
	var runsSoFar atomic.Int32
	step := func(t *testing.T) outcome {
		t.Helper()
		b0, u0 := builds(), acr.Uploads()
		d.cloud.ResetCalls()
		start := time.Now()
		s := runBinary(t, d.ws, d.env, d.args...)
		took := time.Since(start)
		t.Logf("run %d: %s", runsSoFar.Add(1), took.Round(time.Millisecond))
		if s.code != 0 {
			t.Fatalf("exit %d\n%s", s.code, s.stderr.String())
		}
		var ops []string
		for _, c := range d.cloud.MutatingCalls() {
			ops = append(ops, c.Op)
		}
		for _, v := range []string{hello, bonjour} {
			if strings.Contains(s.stderr.String()+s.stdout.String(), v) {
				t.Errorf("the run shows the value of a build arg (%s):\n%s", v, s.stderr.String())
			}
		}
		out := s.outputs()
		return outcome{builds() - b0, acr.Uploads() - u0, ops, out["changed"], out["image-digest"], buildKeyIn(s.stderr.String()), s.stderr.String(), took}
	}
	tagsOf := func(t *testing.T) map[string]string {
		t.Helper()
		st, ok := d.cloud.Function3(fn)
		if !ok {
			t.Fatalf("function %s missing", fn)
		}
		tags := map[string]string{}
		for _, tg := range st.Config.Tags {
			tags[tg.Key] = tg.Value
		}
		return tags
	}
	pushed := func(t *testing.T, digest string) v1.Image {
		t.Helper()
		ref, err := name.ParseReference(repo+"@"+digest, name.Insecure)
		if err != nil {
			t.Fatal(err)
		}
		img, err := remote.Image(ref)
		if err != nil {
			t.Fatal(err)
		}
		return img
	}
	// runs checks the function runs the image by digest and answered the smoke test.
	runs := func(t *testing.T, o outcome, what string) {
		t.Helper()
		st, ok := d.cloud.Function3(fn)
		if !ok || st.Config.Runtime != "custom-container" || !strings.Contains(string(st.Config.CustomContainerConfig), repo+"@"+o.digest) {
			t.Errorf("%s: function %s does not run %s@%s: %+v %s", what, fn, repo, o.digest, st.Config, st.Config.CustomContainerConfig)
		}
		if !strings.Contains(o.log, "function "+fn+": Python 3.12, Lithops 3.7.0") {
			t.Errorf("%s: the smoke test of %s does not report Python 3.12, Lithops 3.7.0:\n%s", what, fn, o.log)
		}
	}

	first := step(t)
	if first.builds == 0 || first.uploads == 0 || first.changed != "true" || first.key == "" {
		t.Fatalf("first run: %d builder invocations, %d blob uploads, changed=%s, key %q\n%s", first.builds, first.uploads, first.changed, first.key, first.log)
	}
	t.Logf("first run: %s, %d buildah invocations, %d blob uploads", first.took.Round(time.Millisecond), first.builds, first.uploads)
	runs(t, first, "first run")
	if tags := tagsOf(t); tags[build.BuildKeyLabel] != first.key || "sha256:"+tags[build.ImageDigestTag] != first.digest {
		t.Errorf("function tags %v, want build key %s and image %s", tags, first.key, first.digest)
	}
	img := pushed(t, first.digest)
	if cf, err := img.ConfigFile(); err != nil || cf.Config.Labels[build.BuildKeyLabel] != first.key {
		t.Errorf("image label %s: %v (%v), want %s", build.BuildKeyLabel, cf.Config.Labels, err, first.key)
	}
	if got, want := imageFile(t, img, "function/greeting.txt"), hello+", lithops\n"; got != want {
		t.Errorf("greeting.txt in the image = %q, want %q", got, want)
	}
	imageFile(t, img, "function/container_entry_point.py") // Lithops' zip, unpacked by the template

	skipped := func(t *testing.T, o outcome, what string) {
		t.Helper()
		if o.builds != 0 || o.uploads != 0 || len(o.mutating) != 0 || o.changed != "false" || o.digest != first.digest || o.key != first.key {
			t.Errorf("%s: %d builder invocations, %d blob uploads, mutating calls %v, changed=%s, digest %s (first %s), key %s (first %s)\n%s",
				what, o.builds, o.uploads, o.mutating, o.changed, o.digest, first.digest, o.key, first.key, o.log)
		}
		if want := "build: skipped: every function already runs image " + first.digest + " of build key " + first.key; !strings.Contains(o.log, want) {
			t.Errorf("%s: the log does not say why the build was skipped (%q):\n%s", what, want, o.log)
		}
		runs(t, o, what)
	}
	second := step(t)
	skipped(t, second, "unchanged")
	t.Logf("second run (unchanged): %s; its log:\n%s", second.took.Round(time.Millisecond), second.log)

	writeFile(t, filepath.Join(ctxDir, "scratch", "notes.txt"), "changed, still ignored\n")
	skipped(t, step(t), "a .dockerignored file changed")

	// A context file no step copies: a new key, the same image content; the live image is kept.
	writeFile(t, filepath.Join(ctxDir, "README.md"), "changed\n")
	same := step(t)
	if same.builds == 0 || same.uploads != 0 || same.digest != first.digest || same.key == first.key || fmt.Sprint(same.mutating) != "[TagResources]" {
		t.Errorf("README.md changed: %d builder invocations, %d blob uploads, digest %s (first %s), key %s, mutating calls %v; want a build, no upload, the same digest, a new key, tags only\n%s",
			same.builds, same.uploads, same.digest, first.digest, same.key, same.mutating, same.log)
	}
	if tags := tagsOf(t); tags[build.BuildKeyLabel] != same.key || "sha256:"+tags[build.ImageDigestTag] != first.digest {
		t.Errorf("after the tag-only update: tags %v, want key %s and image %s", tags, same.key, first.digest)
	}
	first.key = same.key
	skipped(t, step(t), "unchanged after the tag-only update")

	rebuilt := func(t *testing.T, what string) outcome {
		t.Helper()
		before := tagsOf(t)[build.BuildKeyLabel]
		o := step(t)
		updates := strings.Count(strings.Join(o.mutating, " "), "UpdateFunction")
		if o.builds == 0 || o.uploads == 0 || o.changed != "true" || o.key == before || o.digest == first.digest || updates != 1 {
			t.Errorf("%s: %d builder invocations, %d blob uploads, changed=%s, key %s (was %s), digest %s, mutating calls %v; want a build, a push, a new image and 1 function update\n%s",
				what, o.builds, o.uploads, o.changed, o.key, before, o.digest, o.mutating, o.log)
		}
		if tags := tagsOf(t); tags[build.BuildKeyLabel] != o.key || "sha256:"+tags[build.ImageDigestTag] != o.digest {
			t.Errorf("%s: tags %v, want key %s and image %s", what, tags, o.key, o.digest)
		}
		runs(t, o, what)
		first.digest, first.key = o.digest, o.key
		return o
	}
	writeFile(t, filepath.Join(ctxDir, "extra", "extra_module.py"), "X = 1\n")
	o := rebuilt(t, "a copied context file changed")
	if got := imageFile(t, pushed(t, o.digest), "function/extra/extra_module.py"); got != "X = 1\n" {
		t.Errorf("after the copied file changed: extra_module.py in the image = %q", got)
	}

	skipped(t, step(t), "unchanged after the rebuild")
	// A changed build-arg value and the base pushed again under its tag change the same build key
	// (pkg/build/image/dockerfile) on both clouds: TestAWSLambdaDockerfileUnchangedIsSkipped
	// rebuilds for each. Here each build of the 400 MB image costs a minute of CPU on 2 cores.
}
