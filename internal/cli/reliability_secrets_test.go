package cli

import (
	"encoding/base64"
	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/imagerunner"
	"maps"
	"strings"
	"testing"
)

// Recognizable credentials: the fakes do not check them, so any value works, and a leak is easy
// to find.
const (
	leakSecretKey    = "LEAKCHECK-secret-access-key-5c1d7e"
	leakSessionToken = "LEAKCHECK-session-token-9a8b2f"
)

// secretsRun runs the program in GitHub Actions mode with debug logging, and returns everything
// it wrote where a secret could end up: stdout (the log, in Actions), stderr, $GITHUB_OUTPUT and
// $GITHUB_STEP_SUMMARY.
func secretsRun(t *testing.T, d *awsDeploy, args ...string) (code int, streams map[string]string) {
	t.Helper()
	env, outFile, sumFile := actionsEnv(t, nil)
	maps.Copy(env, d.env)
	env["RUNNER_DEBUG"] = "1"
	env["AWS_SECRET_ACCESS_KEY"], env["AWS_SESSION_TOKEN"] = leakSecretKey, leakSessionToken
	s := runMain(t, d.ws, env, append(append([]string{}, d.args...), args...)...)
	return s.code, map[string]string{
		"stdout": s.stdout.String(), "stderr": s.stderr.String(),
		"GITHUB_OUTPUT": readFileString(t, outFile), "GITHUB_STEP_SUMMARY": readFileString(t, sumFile),
	}
}

// leaks lists the secrets found in the streams, outside the lines that register them as masks.
func leaks(streams map[string]string, secrets map[string]string) []string {
	var found []string
	for stream, text := range streams {
		for _, line := range strings.Split(text, "\n") {
			if strings.HasPrefix(line, "::add-mask::") {
				continue
			}
			for name, secret := range secrets {
				if strings.Contains(line, secret) {
					found = append(found, name+" in "+stream+": "+line)
				}
			}
		}
	}
	return found
}

// TestReliabilitySecretsNeverPrinted deploys zip and image runtimes, passing and failing (a
// handler that raises: the functions are restored), in GitHub Actions mode with debug logging,
// with recognizable AWS credentials (secret key and session token) and the ECR registry password.
// None of them, nor the base64 forms of the password, appears in stdout, stderr, $GITHUB_OUTPUT
// or $GITHUB_STEP_SUMMARY; the ECR password is registered with ::add-mask:: before the push.
func TestReliabilitySecretsNeverPrinted(t *testing.T) {
	parallelOffline(t, goodWheels)
	check := func(t *testing.T, d *awsDeploy, what string, wantCode int, args ...string) map[string]string {
		t.Helper()
		code, streams := secretsRun(t, d, args...)
		if code != wantCode {
			t.Fatalf("%s: exit %d, want %d\n%s", what, code, wantCode, streams["stdout"])
		}
		pw := d.cloud.ECR.Password()
		secrets := map[string]string{
			"AWS_SECRET_ACCESS_KEY": leakSecretKey, "AWS_SESSION_TOKEN": leakSessionToken, "the ECR password": pw,
			"the ECR password in base64":         base64.StdEncoding.EncodeToString([]byte(pw)),
			"the ECR authorization token":        base64.StdEncoding.EncodeToString([]byte("AWS:" + pw)),
			"the ECR password in base64 for URL": base64.URLEncoding.EncodeToString([]byte(pw)),
		}
		for _, l := range leaks(streams, secrets) {
			t.Errorf("%s: %s", what, l)
		}
		if !strings.Contains(streams["stdout"], "::debug::") {
			t.Errorf("%s: no debug line was logged: the test does not cover debug logging", what)
		}
		return streams
	}
	// The fake's functions settle at once: how long Lambda takes is not what this test is about.
	t.Run("zip", func(t *testing.T) {
		t.Parallel()
		d := newAWSDeploy(t, "--memory", "256")
		d.cloud.Settle = 0
		check(t, d, "passing zip runtime", 0)
		useWheels(t, raisingWheels)
		out := check(t, d, "failing zip runtime", 1)
		wantLines(t, "failing zip runtime", out["stdout"], "stand-in failure: the runtime is broken", "restored")
	})
	t.Run("image", func(t *testing.T) {
		t.Parallel()
		base := serveLambdaBase(t, "3.12")
		d := newAWSDeploy(t, "--package-type", "image", "--runtime-name", "my-runtime:1", "--base-image", base, "--memory", "512")
		d.cloud.ImageInvoker = imagerunner.Lambda(t)
		d.cloud.Settle = 0
		out := check(t, d, "passing image runtime", 0)
		maskedBeforeUse(t, out["stdout"], d.cloud.ECR.Password())
		// Not tested on this machine first, so that the broken image is pushed and deployed, and
		// fails the smoke test in Lambda.
		useWheels(t, raisingWheels)
		out = check(t, d, "failing image runtime", 1, "--local-test", "false")
		wantLines(t, "failing image runtime", out["stdout"], "stand-in failure: the runtime is broken", "restored")
		maskedBeforeUse(t, out["stdout"], d.cloud.ECR.Password())
	})
}

// maskedBeforeUse checks that the log registers the password as a mask before the push, the
// first step that uses it.
func maskedBeforeUse(t *testing.T, log, password string) {
	t.Helper()
	mask, push := -1, -1
	for i, line := range strings.Split(log, "\n") {
		if line == "::add-mask::"+password && mask < 0 {
			mask = i
		}
		if strings.Contains(line, "pushing image") && push < 0 {
			push = i
		}
	}
	switch {
	case mask < 0:
		t.Errorf("the ECR password is never registered with ::add-mask::\n%s", log)
	case push < 0:
		t.Errorf("the log shows no push:\n%s", log)
	case mask > push:
		t.Errorf("the ECR password is masked at line %d, after the push started at line %d", mask+1, push+1)
	}
}
