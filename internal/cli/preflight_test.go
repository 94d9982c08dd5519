package cli

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/fakeaws"
)

// noCredentials points the AWS SDK at the fake with no credentials anywhere: no keys in the
// environment, no shared files, and an instance metadata service (IMDS) that refuses, as on a
// machine that is not an EC2 instance behind a proxy: the SDK then logs its "falling back to
// IMDSv1" warning unless the action keeps it quiet. It returns the environment and a counter of
// the requests the IMDS stand-in answered.
func noCredentials(t *testing.T, cloud *fakeaws.Cloud) (map[string]string, *atomic.Int32) {
	t.Helper()
	var imdsCalls atomic.Int32
	imds := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		imdsCalls.Add(1)
		http.Error(w, "forbidden", http.StatusForbidden)
	}))
	t.Cleanup(imds.Close)
	env := cloud.Setenv(t)
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_ENDPOINT_URL"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
		delete(env, k)
	}
	t.Setenv("AWS_EC2_METADATA_DISABLED", "false")
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.URL)
	env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = imds.URL
	delete(env, "AWS_EC2_METADATA_DISABLED")
	return env, &imdsCalls
}

// TestAWSWithoutCredentialsFailsBeforeTheBuild: with no AWS credentials, the run stops before
// the build with one line that names the standard ways to provide them, without the SDK's IMDS
// warning and without the old hint to set user-id (which only moved the failure to the deploy).
func TestAWSWithoutCredentialsFailsBeforeTheBuild(t *testing.T) {
	offline(t, goodWheels)
	d := newAWSDeploy(t)
	env, imdsCalls := noCredentials(t, d.cloud)
	for _, extra := range [][]string{nil, {"--user-id", "someone"}} {
		// The SDK's own logger writes to the process's stderr: capture it too.
		processStderr := captureStderr(t)
		s := runMain(t, d.ws, env, append(append([]string{}, d.args...), extra...)...)
		log := s.stderr.String() + processStderr()
		if s.code != 1 {
			t.Fatalf("%v: exit %d\n%s", extra, s.code, log)
		}
		for _, w := range []string{"before the build: aws_lambda: no usable credentials", "aws-actions/configure-aws-credentials", "AWS_ACCESS_KEY_ID", "AWS_PROFILE"} {
			if !strings.Contains(log, w) {
				t.Errorf("%v: the log lacks %q:\n%s", extra, w, log)
			}
		}
		for _, bad := range []string{"==> build", "installing", "IMDS", "user-id input", "SDK "} {
			if strings.Contains(log, bad) {
				t.Errorf("%v: the log has %q:\n%s", extra, bad, log)
			}
		}
	}
	if imdsCalls.Load() == 0 {
		t.Errorf("the SDK never asked the IMDS stand-in: the test does not exercise the credential chain's last step")
	}
	if m := d.cloud.MutatingCalls(); len(m) != 0 {
		t.Errorf("mutating calls: %+v", m)
	}
}

// TestAWSDryRunWithoutCredentialsSaysWhatItCouldNotCheck: a plain dry run with no credentials
// builds and checks the limits, and says what it could not check.
func TestAWSDryRunWithoutCredentialsSaysWhatItCouldNotCheck(t *testing.T) {
	offline(t, goodWheels)
	d := newAWSDeploy(t)
	env, _ := noCredentials(t, d.cloud)
	s := runMain(t, d.ws, env, append(append([]string{}, d.args...), "--dry-run")...)
	log := s.stderr.String()
	if s.code != 0 {
		t.Fatalf("exit %d\n%s", s.code, log)
	}
	for _, w := range []string{"dry-run without usable credentials", "dry-run could not check: the credentials, what is live in aws_lambda", "within AWS Lambda's limits", "layer zip:"} {
		if !strings.Contains(log, w) {
			t.Errorf("the log lacks %q:\n%s", w, log)
		}
	}
	if strings.Contains(log, "IMDS") || s.stdout.Len() != 0 {
		t.Errorf("IMDS noise or outputs without a plan:\nstdout %q\n%s", s.stdout.String(), log)
	}
}

// TestLocalMissingInterpreterFailsBeforeTheBuild: python-version names an interpreter that is not
// on PATH; the local backend says so before the build, not at the smoke test after it.
func TestLocalMissingInterpreterFailsBeforeTheBuild(t *testing.T) {
	offline(t, goodWheels)
	ws := t.TempDir()
	writeFile(t, filepath.Join(ws, "requirements.txt"), "acme-text-utils\n")
	t.Setenv("PATH", t.TempDir()) // no python at all
	s := runMain(t, ws, map[string]string{}, "--requirements", "requirements.txt", "--lithops-version", "3.7.0", "--python-version", "3.12", "--local-dir", filepath.Join(t.TempDir(), "state"))
	log := s.stderr.String()
	if s.code != 1 || !strings.Contains(log, "before the build: no python3.12 interpreter found") || strings.Contains(log, "==> build") {
		t.Errorf("exit %d\n%s", s.code, log)
	}
}

// TestAliyunCredentialsCheckedBeforeTheBuild: an AccessKey Function Compute refuses stops the run
// before the build, naming the standard ways to provide one; a dry run with no AccessKey at all
// builds, checks the limits and says what it could not check.
func TestAliyunCredentialsCheckedBeforeTheBuild(t *testing.T) {
	offline(t, fcWheels)
	d := newFCDeploy(t, "3.7.0", "3.12")
	env := maps.Clone(d.env)
	env["ALIBABA_CLOUD_ACCESS_KEY_ID"] = "LTAI5tNotAKeyTheFakeKnows"
	s := runMain(t, d.ws, env, d.args...)
	log := s.stderr.String()
	if s.code != 1 || !strings.Contains(log, "before the build: aliyun_fc: no usable credentials: Function Compute refused the AccessKey") ||
		!strings.Contains(log, "aliyun/configure-aliyun-credentials-action") || strings.Contains(log, "==> build") {
		t.Errorf("refused AccessKey: exit %d\n%s", s.code, log)
	}

	env = maps.Clone(d.env)
	delete(env, "ALIBABA_CLOUD_ACCESS_KEY_ID")
	delete(env, "ALIBABA_CLOUD_ACCESS_KEY_SECRET")
	s = runMain(t, d.ws, env, append(slices.Clone(d.args), "--dry-run")...)
	log = s.stderr.String()
	if s.code != 0 || !strings.Contains(log, "dry-run could not check: the credentials, what is live in aliyun_fc") || !strings.Contains(log, "within Aliyun Function Compute's limits") {
		t.Errorf("dry run without an AccessKey: exit %d\n%s", s.code, log)
	}
	if len(d.cloud.Functions3()) != 0 {
		t.Errorf("functions created: %v", d.cloud.Functions3())
	}
}

// captureStderr sends the process's stderr to a file until the returned function is called, which
// returns what was written.
func captureStderr(t *testing.T) func() string {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stderr
	os.Stderr = f
	return func() string {
		os.Stderr = saved
		f.Close()
		data, _ := os.ReadFile(f.Name())
		return string(data)
	}
}
