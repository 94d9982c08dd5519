package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/moto"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/lithops"
)

// TestAWSLambdaAgainstMoto deploys a zip runtime to moto_server, a third-party implementation of
// the AWS APIs that validates our requests (the role must exist, names and sizes are checked).
// moto cannot run Python handlers without Docker, so the smoke test is off.
func TestAWSLambdaAgainstMoto(t *testing.T) {
	srv := moto.Start(t)
	role := srv.CreateRole(t, "lithops-runtime")
	parallelOffline(t, goodWheels)
	ws := t.TempDir()
	writeFile(t, filepath.Join(ws, "requirements.txt"), "acme-text-utils\n")
	args := []string{"--backend", "aws_lambda", "--region", "us-east-1", "--role", role, "--requirements", "requirements.txt",
		"--lithops-version", "3.7.0", "--python-version", "3.12", "--memory", "256,1024", "--smoke-test=false", "--write-metadata=false"}
	// The program's own environment (the process's is left alone: the test runs in parallel).
	env := map[string]string{"AWS_ENDPOINT_URL": srv.URL, "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": "testing-secret",
		"AWS_CONFIG_FILE": filepath.Join(t.TempDir(), "none"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(t.TempDir(), "none")}

	first := runMain(t, ws, env, args...)
	if first.code != 0 {
		t.Fatalf("exit %d\n%s", first.code, first.stderr.String())
	}
	out := first.outputs()
	// moto's STS answers UserId AKIAIOSFODNN7EXAMPLE: user key "mple".
	v := lithops.MustParseVersion("3.7.0")
	want := map[string]string{
		"function-name": functionName("mple", "3.7.0", "default-runtime-v312", 256),
		"layer-arn":     "arn:aws:lambda:us-east-1:123456789012:layer:lithops_v370_mple_default-runtime-v312_layer:1",
		"function-arn":  "arn:aws:lambda:us-east-1:123456789012:function:" + functionName("mple", "3.7.0", "default-runtime-v312", 256),
		"runtime-key":   "aws_lambda/3.7.0/us-east-1/" + functionName("mple", "3.7.0", "default-runtime-v312", 256),
		"changed":       "true",
	}
	for k, w := range want {
		if out[k] != w {
			t.Errorf("output %s = %q, want %q", k, out[k], w)
		}
	}
	if !strings.Contains(out["function-names"], lithops.AWSFunctionName("mple", v, "default-runtime-v312", 1024, "")) {
		t.Errorf("function-names %s lacks the 1024 MB function", out["function-names"])
	}

	second := runMain(t, ws, env, args...)
	if second.code != 0 {
		t.Fatalf("second run: exit %d\n%s", second.code, second.stderr.String())
	}
	if got := second.outputs()["changed"]; got != "false" {
		t.Errorf("second run changed=%s, want false\n%s", got, second.stderr.String())
	}
	if !strings.Contains(second.stderr.String(), "unchanged layer") {
		t.Errorf("second run did not reuse the layer:\n%s", second.stderr.String())
	}
}
