package cli

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"log"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/fakeaws"
	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/fakeecr"
	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/imagerunner"
	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/lambdabase"
	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/need"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build"
)

// countBuilds puts a buildah in front of the program's PATH (in env) that records each invocation
// in a file and runs the real one, and returns a function that counts the invocations so far.
func countBuilds(t *testing.T, env map[string]string) func() int {
	t.Helper()
	real := need.Tool(t, "buildah", "apt-get install buildah; .ci/run installs it")
	dir := t.TempDir()
	log := filepath.Join(dir, "invocations")
	script := fmt.Sprintf("#!/bin/sh\necho \"$*\" >> %q\nexec %q \"$@\"\n", log, real)
	if err := os.WriteFile(filepath.Join(dir, "buildah"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	env["PATH"] = dir + string(os.PathListSeparator) + os.Getenv("PATH")
	return func() int {
		data, err := os.ReadFile(log)
		if os.IsNotExist(err) {
			return 0
		}
		if err != nil {
			t.Fatal(err)
		}
		return strings.Count(string(data), "\n")
	}
}

// lambdaTemplateContext writes our AWS Lambda template as writeLambdaTemplate does, plus a
// .dockerignore leaving out scratch/, a file there and a file no step copies.
func lambdaTemplateContext(t *testing.T, ctxDir, base string) {
	t.Helper()
	writeLambdaTemplate(t, ctxDir, base, "x86_64")
	writeFile(t, filepath.Join(ctxDir, ".dockerignore"), "scratch/\n")
	writeFile(t, filepath.Join(ctxDir, "scratch", "notes.txt"), "ignored by the build\n")
	writeFile(t, filepath.Join(ctxDir, "README.md"), "in the context, copied by no step\n")
}

// buildKeyIn returns the build key the log names.
func buildKeyIn(log string) string {
	m := regexp.MustCompile(`build key ([0-9a-f]{64})`).FindStringSubmatch(log)
	if m == nil {
		return ""
	}
	return m[1]
}

// TestAWSLambdaDockerfileUnchangedIsSkipped deploys a Dockerfile runtime (our AWS template, real
// buildah) to the fake AWS with the program in a process of its own (runBinary, timed), then runs again: unchanged, nothing is built (the buildah invocations
// are counted), pushed or changed. A .dockerignored file changing changes nothing either, nor the
// same build-args written differently (comments, order, spacing); a context file no step copies
// rebuilds the same image, which is kept (only the functions' build-key tags change); a copied
// file, a changed build-arg value (a RUN step writes it into the image) and the base image pushed
// again under its tag rebuild and update. No log shows a build-arg value.
func TestAWSLambdaDockerfileUnchangedIsSkipped(t *testing.T) {
	if testing.Short() {
		t.Skip("real buildah builds skipped in -short mode")
	}
	parallelOffline(t, goodWheels)
	base := serveLambdaBase(t, "3.12")
	sandbox := buildahSandboxEnv(t, strings.Split(base, "/")[0])
	d := newAWSDeploy(t)
	maps.Copy(d.env, sandbox)
	builds := countBuilds(t, d.env)
	d.cloud.ImageInvoker = imagerunner.Lambda(t)
	ctxDir := filepath.Join(d.ws, "runtime")
	lambdaTemplateContext(t, ctxDir, base)
	// A build argument a RUN step writes into the image, given as the action gives it (a multi-line
	// INPUT_ variable). Its values are distinctive, so that a log showing one is found.
	df, err := os.ReadFile(filepath.Join(ctxDir, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(ctxDir, "Dockerfile"), string(df)+"\nARG GREETING\nARG AUDIENCE=world\nRUN echo \"$GREETING, $AUDIENCE\" > ${LAMBDA_TASK_ROOT}/greeting.txt\n")
	const hello, bonjour = "hello-b41d-value", "bonjour-9e2c-value"
	d.env["INPUT_BUILD-ARGS"] = "# what greeting.txt says\nGREETING=" + hello + "\nAUDIENCE=lithops\n"
	d.args = []string{"--backend", "aws_lambda", "--role", fakeaws.DefaultRole, "--dockerfile", "runtime/Dockerfile", "--runtime-name", "my-df:1",
		"--lithops-version", "3.7.0", "--python-version", "3.12", "--memory", "256,512", "--builder", "buildah", "--local-test", "false"}
	fns := []string{functionName("mple", "3.7.0", "my-df:1", 256), functionName("mple", "3.7.0", "my-df:1", 512)}

	type outcome struct {
		builds, uploads int
		mutating        []string
		changed         string
		digest          string
		key             string
		log             string
		took            time.Duration
	}
	step := func(t *testing.T) outcome {
		t.Helper()
		b0, u0 := builds(), d.cloud.ECR.BlobUploads()
		d.cloud.ResetCalls()
		start := time.Now()
		s := runBinary(t, d.ws, d.env, d.args...)
		took := time.Since(start)
		if s.code != 0 {
			t.Fatalf("exit %d\n%s", s.code, s.stderr.String())
		}
		var ops []string
		for _, c := range d.cloud.MutatingCalls() {
			ops = append(ops, c.Op)
		}
		out := s.outputs()
		for _, v := range []string{hello, bonjour} {
			if strings.Contains(s.stderr.String()+s.stdout.String(), v) {
				t.Errorf("the run shows the value of a build arg (%s):\n%s", v, s.stderr.String())
			}
		}
		if !strings.Contains(s.stderr.String(), "build args: AUDIENCE, GREETING") {
			t.Errorf("the log does not name the build args:\n%s", s.stderr.String())
		}
		return outcome{builds() - b0, d.cloud.ECR.BlobUploads() - u0, ops, out["changed"], out["image-digest"], buildKeyIn(s.stderr.String()), s.stderr.String(), took}
	}
	// tagsOf returns the build-key tags of the functions, which must agree.
	tagsOf := func(t *testing.T) map[string]string {
		t.Helper()
		var tags map[string]string
		for _, fn := range fns {
			st, ok := d.cloud.Function(fn)
			if !ok {
				t.Fatalf("function %s missing", fn)
			}
			got := map[string]string{}
			for _, k := range []string{build.BuildKeyLabel, build.ContentDigestTag, build.ImageDigestTag} {
				got[k] = st.Tags[k]
			}
			if tags != nil && fmt.Sprint(tags) != fmt.Sprint(got) {
				t.Fatalf("functions tagged differently: %v and %v", tags, got)
			}
			tags = got
		}
		return tags
	}

	first := step(t)
	if first.builds == 0 || first.uploads == 0 || first.changed != "true" || first.key == "" {
		t.Fatalf("first run: %d builder invocations, %d blob uploads, changed=%s, key %q\n%s", first.builds, first.uploads, first.changed, first.key, first.log)
	}
	t.Logf("first run: %s, %d buildah invocations, %d blob uploads", first.took.Round(time.Millisecond), first.builds, first.uploads)
	tags := tagsOf(t)
	if tags[build.BuildKeyLabel] != first.key || "sha256:"+tags[build.ImageDigestTag] != first.digest {
		t.Errorf("function tags %v, want build key %s and image %s", tags, first.key, first.digest)
	}
	// The pushed image carries its build key as a label, and the build args' values where its RUN
	// step wrote them.
	pushed := func(t *testing.T, digest string) v1.Image {
		t.Helper()
		ref, err := name.ParseReference(d.cloud.ECR.Host()+"/lithops_v370_mple/my-df@"+digest, name.Insecure)
		if err != nil {
			t.Fatal(err)
		}
		img, err := remote.Image(ref, remote.WithAuth(&authn.Basic{Username: fakeecr.User, Password: d.cloud.ECR.Password()}))
		if err != nil {
			t.Fatal(err)
		}
		return img
	}
	img := pushed(t, first.digest)
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if got := cf.Config.Labels[build.BuildKeyLabel]; got != first.key {
		t.Errorf("image label %s = %q, want the build key %s", build.BuildKeyLabel, got, first.key)
	}
	if got, want := imageFile(t, img, "var/task/greeting.txt"), hello+", lithops\n"; got != want {
		t.Errorf("greeting.txt in the image = %q, want %q", got, want)
	}
	// As the README says: the image's history records the build args a RUN step sees, values too.
	inHistory := false
	for _, h := range cf.History {
		inHistory = inHistory || strings.Contains(h.CreatedBy, "GREETING="+hello)
	}
	if !inHistory {
		t.Errorf("the image history does not record the build arg GREETING: %+v", cf.History)
	}

	skipped := func(t *testing.T, o outcome, what string) {
		t.Helper()
		if o.builds != 0 || o.uploads != 0 || len(o.mutating) != 0 || o.changed != "false" || o.digest != first.digest || o.key != first.key {
			t.Errorf("%s: %d builder invocations, %d blob uploads, mutating calls %v, changed=%s, digest %s (first %s), key %s (first %s)\n%s",
				what, o.builds, o.uploads, o.mutating, o.changed, o.digest, first.digest, o.key, first.key, o.log)
		}
		if want := "build: skipped: every function already runs image " + first.digest + " of build key " + first.key; !strings.Contains(o.log, want) {
			t.Errorf("%s: the log does not say why the build was skipped (%q):\n%s", what, want, o.log)
		}
	}
	second := step(t)
	skipped(t, second, "unchanged")
	t.Logf("second run (unchanged): %s; its log:\n%s", second.took.Round(time.Millisecond), second.log)

	writeFile(t, filepath.Join(ctxDir, "scratch", "notes.txt"), "changed, still ignored\n")
	skipped(t, step(t), "a .dockerignored file changed")

	d.env["INPUT_BUILD-ARGS"] = "  AUDIENCE=lithops\n\n# the same values, in another order\nGREETING=" + hello + "  \n"
	skipped(t, step(t), "the same build args written differently")

	// A context file no step copies: a new key, the same image content; the live image is kept.
	writeFile(t, filepath.Join(ctxDir, "README.md"), "changed\n")
	same := step(t)
	if same.builds == 0 || same.uploads != 0 || same.digest != first.digest || same.key == first.key || fmt.Sprint(same.mutating) != "[TagResource TagResource]" {
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
		updates := strings.Count(strings.Join(o.mutating, " "), "UpdateFunctionCode")
		if o.builds == 0 || o.uploads == 0 || o.changed != "true" || o.key == before || updates != len(fns) {
			t.Errorf("%s: %d builder invocations, %d blob uploads, changed=%s, key %s (was %s), mutating calls %v; want a build, a push and %d code updates\n%s",
				what, o.builds, o.uploads, o.changed, o.key, before, o.mutating, len(fns), o.log)
		}
		if tags := tagsOf(t); tags[build.BuildKeyLabel] != o.key || "sha256:"+tags[build.ImageDigestTag] != o.digest {
			t.Errorf("%s: tags %v, want key %s and image %s", what, tags, o.key, o.digest)
		}
		return o
	}
	writeFile(t, filepath.Join(ctxDir, "deps", "extra_module.py"), "X = 1\n")
	rebuilt(t, "a copied context file changed")

	d.env["INPUT_BUILD-ARGS"] = "GREETING=" + bonjour + "\nAUDIENCE=lithops\n"
	o := rebuilt(t, "a build arg changed")
	if got, want := imageFile(t, pushed(t, o.digest), "var/task/greeting.txt"), bonjour+", lithops\n"; got != want {
		t.Errorf("after the build arg changed: greeting.txt in the image = %q, want %q", got, want)
	}
	first.digest, first.key = o.digest, o.key
	skipped(t, step(t), "unchanged after the build arg changed")

	// The base pushed again under the same tag (a security update): a new digest, a new key.
	img, err = lambdabase.Image("3.12")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cfg = cfg.DeepCopy()
	cfg.Config.Env = append(cfg.Config.Env, "BASE_REVISION=2")
	if img, err = mutate.ConfigFile(img, cfg); err != nil {
		t.Fatal(err)
	}
	tag, err := name.NewTag(base)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(tag, img); err != nil {
		t.Fatal(err)
	}
	rebuilt(t, "the base image pushed again")
}

// imageFile returns the content of the file at path (no leading /) in img, from the last layer that
// has it.
func imageFile(t *testing.T, img v1.Image, path string) string {
	t.Helper()
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	for i := len(layers) - 1; i >= 0; i-- {
		rc, err := layers[i].Uncompressed()
		if err != nil {
			t.Fatal(err)
		}
		tr := tar.NewReader(rc)
		for {
			h, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				rc.Close()
				t.Fatal(err)
			}
			if strings.TrimPrefix(h.Name, "./") == path {
				data, err := io.ReadAll(tr)
				rc.Close()
				if err != nil {
					t.Fatal(err)
				}
				return string(data)
			}
		}
		rc.Close()
	}
	t.Fatalf("no %s in the image", path)
	return ""
}

// countingRegistry is an in-process registry on 127.0.0.1 counting blob upload requests.
type countingRegistry struct {
	srv     *httptest.Server
	mu      sync.Mutex
	uploads int
}

func newCountingRegistry(t *testing.T) *countingRegistry {
	reg := ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0)))
	c := &countingRegistry{}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead && strings.Contains(r.URL.Path, "/blobs/uploads") {
			c.mu.Lock()
			c.uploads++
			c.mu.Unlock()
		}
		reg.ServeHTTP(w, r)
	}))
	t.Cleanup(c.srv.Close)
	return c
}

func (c *countingRegistry) Uploads() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.uploads
}

// asProgram, set to 1 in its environment, makes this test binary the program itself: TestMain runs
// Command, all main.go does. The tests that need the program in a process of its own (the
// process's own environment, PATH and signals; timing a whole run) run it so, without a go build.
const asProgram = "LITHOPS_RUNTIME_TEST_AS_PROGRAM"

// runBinary runs the program (this test binary as the program: asProgram) in a process of its own
// in ws with this process's environment (PATH, pip and containers settings) plus env, outside
// GitHub Actions, and returns the session.
func runBinary(t *testing.T, ws string, env map[string]string, args ...string) *session {
	t.Helper()
	bin, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	env = withWheels(t, env)
	cmd := exec.Command(bin, args...)
	cmd.Dir = ws
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "GITHUB_") || strings.HasPrefix(k, "INPUT_") || strings.HasPrefix(k, "RUNNER_") {
			continue
		}
		cmd.Env = append(cmd.Env, kv)
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Env = append(cmd.Env, asProgram+"=1")
	s := &session{env: env}
	cmd.Stdout, cmd.Stderr = &s.stdout, &s.stderr
	err = cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		s.code = ee.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return s
}
