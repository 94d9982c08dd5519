package clienttest

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/fakealiyun"
)

// fcClientRequirements is the client venv for Aliyun: real Lithops with its aliyun extra (the FC
// 3.0 SDK and oss2).
var fcClientRequirements = []string{"lithops[aliyun]==" + clientLithops}

// fcRuntimePackages are what FC's managed Python runtimes include and Lithops' worker imports from
// there (its zip runtime does not carry them).
var fcRuntimePackages = []string{"oss2"}

// fcCloud starts the fake Aliyun for a client test: zip functions import oss2 as on FC and reach
// the fake OSS through it as their HTTP proxy (the worker uses OSS's internal endpoint).
func fcCloud(t *testing.T) *fakealiyun.Cloud {
	t.Helper()
	cloud := fakealiyun.Start(t)
	cloud.FunctionEnv = map[string]string{"HTTP_PROXY": cloud.OSS.URL, "http_proxy": cloud.OSS.URL}
	cloud.RuntimePackages = runtimePackages(t, clientPython, fcRuntimePackages...)
	return cloud
}

// fcDeploying are the FC operations that create or change functions.
var fcDeploying = []string{"CreateFunction", "UpdateFunction", "DeleteFunction", "CreateService", "UpdateService"}

// denyFCDeploying makes the fake FC refuse (and record) every deploying call from now on.
func denyFCDeploying(cloud *fakealiyun.Cloud) {
	cloud.ResetCalls()
	cloud.Fault = func(api, op, target string) *fakealiyun.Error {
		if api != fakealiyun.APIOSS && slices.Contains(fcDeploying, op) {
			return &fakealiyun.Error{Status: http.StatusForbidden, Code: "AccessDenied", Message: "fakealiyun: the client tried " + op + " " + target}
		}
		return nil
	}
}

func fcDeployingCalls(cloud *fakealiyun.Cloud) []string {
	var out []string
	for _, c := range cloud.Calls() {
		if c.API != fakealiyun.APIOSS && slices.Contains(fcDeploying, c.Op) {
			out = append(out, fmt.Sprintf("%s %s (%d)", c.Op, c.Target, c.Status))
		}
	}
	return out
}

// fcClientConfig is the Lithops config a user writes for FC 3.0: credentials, account, region
// and role; runtime (default-python-runtime-v312), memory and bucket are Lithops' defaults.
func fcClientConfig(cloud *fakealiyun.Cloud) map[string]any {
	return map[string]any{
		"lithops": map[string]any{"backend": "aliyun_fc", "storage": "aliyun_oss", "data_cleaner": false, "log_level": "DEBUG"},
		"aliyun": map[string]any{"account_id": cloud.AccountID, "access_key_id": fakealiyun.AccessKeyID,
			"access_key_secret": fakealiyun.AccessKeySecret, "region": cloud.Region},
		"aliyun_fc": map[string]any{"role_arn": fakealiyun.DefaultRole},
	}
}

func fcClientEnv(cloud *fakealiyun.Cloud) map[string]string {
	return map[string]string{"FAKE_ALIYUN_FC_URL": cloud.FC3.URL, "FAKE_ALIYUN_OSS_URL": cloud.OSS.URL}
}

// TestUnmodifiedClientOnFC3ZipRuntime: the tool deploys the default FC 3.0 zip runtime (real
// lithops==3.7.0) to the fake Aliyun; a real Lithops 3.7.0 client (lithops[aliyun]) runs
// call_async and map on it and makes no deploying call. The negative control runs the same client
// where nothing was deployed: it tries to create the function.
//
// Lithops computes the FC and OSS endpoints itself, with no setting or environment variable that
// changes them, so the client process reaches the fakes through testdata/shim/sitecustomize.py;
// the functions the fake runs reach the fake OSS through it as their HTTP proxy.
func TestUnmodifiedClientOnFC3ZipRuntime(t *testing.T) {
	t.Parallel()
	python := clientVenv(t, clientPython, fcClientRequirements...)

	t.Run("deployed by the tool", func(t *testing.T) {
		cloud := fcCloud(t)
		out := deployTool(t, cloud.Env(), "--backend", "aliyun_fc", "--fc-endpoint", cloud.FC3.URL, "--oss-endpoint", cloud.OSS.URL,
			"--lithops-version", clientLithops, "--python-version", clientPython, "--memory", "256")
		if out["runtime-name"] != "default-python-runtime-v312" || out["package-type"] != "zip" {
			t.Fatalf("the tool deployed %v", out)
		}
		denyFCDeploying(cloud)
		run := runClient(t, python, fcClientConfig(cloud), fcClientEnv(cloud), 4*time.Minute)
		if err := run.check(fcDeployingCalls(cloud)); err != nil {
			t.Fatalf("%v\nclient log:\n%s\ncalls: %+v", err, tail(run.log, 12000), cloud.Calls())
		}
	})

	t.Run("negative control: nothing deployed", func(t *testing.T) {
		cloud := fcCloud(t)
		denyFCDeploying(cloud)
		run := runClient(t, python, fcClientConfig(cloud), fcClientEnv(cloud), 3*time.Minute)
		deploying := fcDeployingCalls(cloud)
		err := run.check(deploying)
		if err == nil || !slices.ContainsFunc(deploying, func(s string) bool { return len(s) > 14 && s[:14] == "CreateFunction" }) {
			t.Fatalf("the check passed or saw no CreateFunction: %v %v\n%s", err, deploying, tail(run.log, 6000))
		}
		t.Logf("the check fails as it must: %v", err)
	})
}
