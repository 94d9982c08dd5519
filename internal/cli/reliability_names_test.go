package cli

import (
	"maps"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/fakeaws"
)

// TestReliabilityNamesRefusedBeforeAnyCall runs the whole program against a running fake AWS with
// one input at a time that would become a name, a host or a key path the cloud refuses (or, worse,
// accepts: a command substitution in the function-name output, an object "../other"): each run
// exits 1 with one error naming the input, and not a single request reaches the cloud, STS
// included. Given as a flag and as an INPUT_ variable in GitHub Actions mode.
func TestReliabilityNamesRefusedBeforeAnyCall(t *testing.T) {
	cloud := fakeaws.Start(t)
	cloudEnv := cloud.Setenv(t)
	t.Setenv("AWS_ENDPOINT_URL", "")
	ws := badInputWorkspace(t)
	base := map[string]string{
		"backend": "aws_lambda", "role": fakeaws.DefaultRole, "requirements": "requirements.txt",
		"lithops-version": "3.7.0", "python-version": "3.12",
	}
	cases := []struct {
		name  string
		set   map[string]string
		input string
	}{
		{"namespace with a command substitution", map[string]string{"namespace": "x$(touch${IFS}pwned)"}, "namespace"},
		{"namespace past Lambda's 64 characters", map[string]string{"namespace": strings.Repeat("n", 40)}, "namespace"},
		{"user-id with a path", map[string]string{"user-id": "AIDAEXAMPLE/.."}, "user-id"},
		{"zip runtime name with a slash", map[string]string{"runtime-name": "team/rt"}, "runtime-name"},
		{"zip runtime name with a dot", map[string]string{"runtime-name": "rt.v1"}, "runtime-name"},
		{"zip runtime name with a colon", map[string]string{"runtime-name": "rt:1"}, "runtime-name"},
		{"zip runtime name too long for a layer", map[string]string{"runtime-name": strings.Repeat("r", 130)}, "runtime-name"},
		{"bucket with upper case and _", map[string]string{"storage-bucket": "My_Bucket"}, "storage-bucket"},
		{"bucket too short", map[string]string{"storage-bucket": "ab"}, "storage-bucket"},
		{"bucket an IP address", map[string]string{"storage-bucket": "192.168.5.4"}, "storage-bucket"},
		{"bucket with a path", map[string]string{"storage-bucket": "adv-bucket/../other"}, "storage-bucket"},
		{"region not a region", map[string]string{"region": "us-east-one"}, "region"},
		{"region a host", map[string]string{"region": "127.0.0.1:47999/x?"}, "region"},
		{"account-id not digits", map[string]string{"account-id": "12345678901x"}, "account-id"},
		{"role of aws-cn in us-east-1", map[string]string{"role": "arn:aws-cn:iam::123456789012:role/lithops-runtime"}, "role"},
		{"role of aws-us-gov in us-east-1", map[string]string{"role": "arn:aws-us-gov:iam::123456789012:role/lithops-runtime"}, "role"},
		{"role of another account than account-id", map[string]string{"account-id": "210987654321"}, "role"},
	}
	for _, via := range []string{"flags", "INPUT"} {
		for _, tc := range cases {
			t.Run(via+"/"+tc.name, func(t *testing.T) {
				inputs := maps.Clone(base)
				maps.Copy(inputs, tc.set)
				env := maps.Clone(cloudEnv)
				var args []string
				if via == "flags" {
					for k, v := range inputs {
						args = append(args, "--"+k, v)
					}
				} else {
					env["GITHUB_ACTIONS"] = "true"
					for k, v := range inputs {
						env["INPUT_"+strings.ToUpper(k)] = v
					}
				}
				s := runMain(t, ws, env, args...)
				if s.code != 1 {
					t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", s.code, s.stdout.String(), s.stderr.String())
				}
				var errs []string
				for _, line := range strings.Split(s.stdout.String()+s.stderr.String(), "\n") {
					if strings.HasPrefix(line, "error: ") || strings.HasPrefix(line, "::error") {
						errs = append(errs, line)
					}
				}
				named := "error: " + tc.input
				if via == "INPUT" {
					named = "::error title=Input " + tc.input + "::" + tc.input
				}
				if len(errs) != 2 || !strings.HasPrefix(errs[0], named) {
					t.Errorf("want one error line naming %s (%q...) and the count line, got:\n%s", tc.input, named, strings.Join(errs, "\n"))
				}
				if calls := cloud.Calls(); len(calls) != 0 {
					t.Fatalf("the cloud was called: %+v", calls)
				}
			})
		}
	}
}

// TestReliabilityUnderscoreInputVariableRefused sets INPUT_RUNTIME_NAME (GitHub Actions would set
// INPUT_RUNTIME-NAME): the run fails before the build instead of deploying the default runtime.
func TestReliabilityUnderscoreInputVariableRefused(t *testing.T) {
	ws := t.TempDir()
	writeFile(t, filepath.Join(ws, "requirements.txt"), "acme-text-utils\n")
	env, _, _ := actionsEnv(t, map[string]string{"requirements": "requirements.txt", "lithops-version": "3.7.0"})
	env["INPUT_RUNTIME_NAME"] = "my-runtime"
	s := runMain(t, ws, env)
	if s.code != 1 {
		t.Fatalf("exit %d, want 1\n%s", s.code, s.stdout.String())
	}
	wantLines(t, "INPUT_RUNTIME_NAME", s.stdout.String(), "::error title=Input runtime-name::", "INPUT_RUNTIME_NAME is not read", "INPUT_RUNTIME-NAME")
}

// TestReliabilityRoleAndAccountCheckedAgainstCaller: a role of another account (one the fake
// would even accept) and an account-id that is not the credentials' fail before the build, after
// one STS GetCallerIdentity and nothing else, saying which accounts differ.
func TestReliabilityRoleAndAccountCheckedAgainstCaller(t *testing.T) {
	parallelOffline(t, goodWheels)
	other := "arn:aws:iam::210987654321:role/lithops-runtime"
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"role of another account", []string{"--role", other}, []string{"role " + other + " belongs to account 210987654321", "credentials are of account 123456789012"}},
		{"account-id of another account", []string{"--role", other, "--account-id", "210987654321"}, []string{"account-id 210987654321 is not the account of the AWS credentials (123456789012"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := newAWSDeploy(t)
			d.cloud.Roles = append(d.cloud.Roles, other)
			s := d.run(t, tc.args...)
			if s.code != 1 {
				t.Fatalf("exit %d, want 1\n%s", s.code, s.stderr.String())
			}
			wantLines(t, tc.name, s.stderr.String(), tc.want...)
			if strings.Contains(s.stderr.String(), "==> build") {
				t.Errorf("the build ran before the role was checked:\n%s", s.stderr.String())
			}
			calls := d.cloud.Calls()
			if len(calls) != 1 || calls[0].Op != "GetCallerIdentity" {
				t.Errorf("calls %+v, want one GetCallerIdentity", calls)
			}
		})
	}
}
