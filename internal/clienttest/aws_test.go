package clienttest

import (
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/fakeaws"
)

// awsClientRequirements is the client venv: real Lithops with what its AWS backends import.
var awsClientRequirements = []string{"lithops==" + clientLithops, "boto3"}

// lambdaRuntimePackages are what Lambda's managed Python runtimes include and Lithops' worker
// imports from there (its layer does not carry them).
var lambdaRuntimePackages = []string{"boto3"}

// awsCloud starts the fake AWS for a client test: the tool's environment (the program's own, so
// that the tests run in parallel; the fake's service endpoints override a machine-wide
// AWS_ENDPOINT_URL), functions that reach the fake S3 and import boto3 as on Lambda.
func awsCloud(t *testing.T) (*fakeaws.Cloud, map[string]string) {
	t.Helper()
	cloud := fakeaws.Start(t)
	env := cloud.Env(t.TempDir())
	cloud.FunctionEnv = map[string]string{"AWS_ENDPOINT_URL_S3": cloud.S3.URL}
	cloud.RuntimePackages = runtimePackages(t, clientPython, lambdaRuntimePackages...)
	return cloud, env
}

// denyDeploying makes the cloud refuse (and still record) every deploying call from now on, as an
// account whose client credentials may only invoke would: a client that tries to deploy fails
// fast instead of building a runtime of its own.
func denyDeploying(cloud *fakeaws.Cloud) {
	cloud.ResetCalls()
	cloud.Fault = func(op, target string) *fakeaws.Error {
		if (fakeaws.Call{Service: "lambda", Op: op}).Deploying() {
			return &fakeaws.Error{Status: http.StatusForbidden, Code: "AccessDeniedException",
				Message: "fakeaws: the client tried " + op + " " + target + " (it must use the deployed runtime)"}
		}
		return nil
	}
}

// deployingCalls lists the deploying calls the cloud recorded (since denyDeploying), with ECR's
// CreateRepository calls beyond the first ecrBefore.
func deployingCalls(cloud *fakeaws.Cloud, ecrBefore int) []string {
	var out []string
	for _, c := range cloud.Calls() {
		if c.Deploying() {
			out = append(out, fmt.Sprintf("%s %s (%d)", c.Op, c.Target, c.Status))
		}
	}
	for _, op := range cloud.ECR.Calls()[ecrBefore:] {
		if op == "CreateRepository" {
			out = append(out, "ecr "+op)
		}
	}
	return out
}

// awsClientConfig is the Lithops config a user writes for the runtime the tool deployed: the
// backend, the role and the memory; runtime, bucket and user key are Lithops' defaults.
func awsClientConfig(memory int, runtime string) map[string]any {
	lambdaCfg := map[string]any{"execution_role": fakeaws.DefaultRole, "runtime_memory": memory}
	if runtime != "" {
		lambdaCfg["runtime"] = runtime
	}
	return map[string]any{
		"lithops":    map[string]any{"backend": "aws_lambda", "storage": "aws_s3", "data_cleaner": false, "log_level": "DEBUG"},
		"aws":        map[string]any{"region": "us-east-1", "access_key_id": fakeaws.AccessKeyID, "secret_access_key": fakeaws.SecretAccessKey},
		"aws_lambda": lambdaCfg,
	}
}

// clientEnv is the client process's AWS environment: the fake's endpoints and credentials.
func clientEnv(t *testing.T, cloud *fakeaws.Cloud) map[string]string {
	return cloud.Env(t.TempDir())
}

// logsOnFailure reports the client's log and the queued invocations' logs when the test failed.
func logsOnFailure(t *testing.T, cloud *fakeaws.Cloud, run clientRun) {
	t.Helper()
	if !t.Failed() {
		return
	}
	t.Logf("client log:\n%s", tail(run.log, 12000))
	for _, a := range cloud.AsyncInvocations() {
		t.Logf("queued invocation %s %s: error %q %s\n%s", a.Function, a.RequestID, a.FunctionError, a.Err, tail(string(a.LogTail), 3000))
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

// TestUnmodifiedClientOnAWSZipRuntime: the tool deploys the default zip runtime (real
// lithops==3.7.0 from PyPI, layer and function) to the fake AWS; a real Lithops 3.7.0 client with
// a plain config runs call_async and map on it, gets 10 and [8, 9, 10], and makes no deploying
// call. The negative control runs the same client on an account where nothing was deployed: it
// tries to deploy (which the check catches).
func TestUnmodifiedClientOnAWSZipRuntime(t *testing.T) {
	t.Parallel()
	python := clientVenv(t, clientPython, awsClientRequirements...)

	t.Run("deployed by the tool", func(t *testing.T) {
		cloud, env := awsCloud(t)
		out := deployTool(t, env, "--backend", "aws_lambda", "--role", fakeaws.DefaultRole, "--lithops-version", clientLithops,
			"--python-version", clientPython, "--memory", "256")
		if out["runtime-name"] != "default-runtime-v312" || out["package-type"] != "zip" {
			t.Fatalf("the tool deployed %v", out)
		}
		ecrBefore := len(cloud.ECR.Calls())
		denyDeploying(cloud)
		run := runClient(t, python, awsClientConfig(256, ""), clientEnv(t, cloud), 4*time.Minute)
		defer logsOnFailure(t, cloud, run)
		if err := run.check(deployingCalls(cloud, ecrBefore)); err != nil {
			t.Fatal(err)
		}
		// The client's invocations really ran on the deployed function: queued (Event) invokes.
		fn := out["function-name"]
		n := 0
		for _, c := range cloud.Calls() {
			if c.Op == "Invoke" && c.Target == fn && c.Status == http.StatusAccepted {
				n++
			}
		}
		if n < 2 {
			t.Errorf("%d queued invocations of %s, want one for call_async and at least one for map: %+v", n, fn, cloud.Calls())
		}
	})

	t.Run("negative control: nothing deployed", func(t *testing.T) {
		cloud, _ := awsCloud(t)
		denyDeploying(cloud)
		run := runClient(t, python, awsClientConfig(256, ""), clientEnv(t, cloud), 3*time.Minute)
		deploying := deployingCalls(cloud, 0)
		err := run.check(deploying)
		if err == nil || len(deploying) == 0 {
			t.Fatalf("the check passed or saw no deploying call without a deployed runtime: %v, calls %v\n%s", err, deploying, tail(run.log, 6000))
		}
		if !slices.ContainsFunc(deploying, func(s string) bool { return strings.HasPrefix(s, "CreateFunction") }) {
			t.Errorf("deploying calls %v lack Lithops' CreateFunction", deploying)
		}
		t.Logf("the check fails as it must: %v", err)
	})
}

var _ = filepath.Join
