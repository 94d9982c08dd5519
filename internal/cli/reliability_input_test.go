package cli

import (
	"maps"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/fakeaws"
)

// badInputWorkspace writes the files the bad-input cases point at.
func badInputWorkspace(t *testing.T) string {
	t.Helper()
	ws := t.TempDir()
	for name, content := range map[string]string{
		"requirements.txt": "acme-text-utils\n",
		"Dockerfile":       "FROM scratch\n",
		"notyaml.yaml":     "lithops: [unclosed\n",
		"wrongtypes.yaml":  "aws_lambda:\n  runtime_memory: lots\n",
		"badsection.yaml":  "aws_lambda: [1, 2]\n",
		"ctx/placeholder":  "",
	} {
		writeFile(t, filepath.Join(ws, name), content)
	}
	return ws
}

// TestReliabilityBadInputsMakeNoCloudCall runs the whole program against a running fake AWS
// (Lambda, S3, STS, ECR and its registry) with one bad input at a time, given as a flag and as an
// INPUT_* variable (in GitHub Actions mode, where the action sets them): each run exits 1, prints
// one error line naming the input (and the count line), and not a single request reaches the cloud.
func TestReliabilityBadInputsMakeNoCloudCall(t *testing.T) {
	cloud := fakeaws.Start(t)
	cloudEnv := cloud.Setenv(t)
	t.Setenv("AWS_ENDPOINT_URL", "")
	ws := badInputWorkspace(t)
	base := map[string]string{
		"backend": "aws_lambda", "role": fakeaws.DefaultRole, "requirements": "requirements.txt",
		"lithops-version": "3.7.0", "python-version": "3.12",
	}
	// set changes the base inputs ("" unsets one); input is the one the error must name.
	cases := []struct {
		name     string
		set      map[string]string
		noRegion bool
		input    string
	}{
		{"missing requirements", map[string]string{"requirements": "nope.txt"}, false, "requirements"},
		{"requirements is a directory", map[string]string{"requirements": "ctx"}, false, "requirements"},
		{"dockerfile and requirements", map[string]string{"dockerfile": "Dockerfile", "runtime-name": "my-runtime:1"}, false, "dockerfile"},
		{"missing dockerfile", map[string]string{"requirements": "", "dockerfile": "Dockerfile.missing", "runtime-name": "my-runtime:1"}, false, "dockerfile"},
		{"unknown package type", map[string]string{"package-type": "tarball"}, false, "package-type"},
		{"zip with a dockerfile", map[string]string{"requirements": "", "dockerfile": "Dockerfile", "package-type": "zip", "runtime-name": "my-runtime:1"}, false, "package-type"},
		{"memory not a number", map[string]string{"memory": "12x"}, false, "memory"},
		{"memory with a unit", map[string]string{"memory": "256MB"}, false, "memory"},
		{"memory too small", map[string]string{"memory": "64"}, false, "memory"},
		{"memory zero", map[string]string{"memory": "0"}, false, "memory"},
		{"memory too large", map[string]string{"memory": "20000"}, false, "memory"},
		{"memory just over the limit", map[string]string{"memory": "10241"}, false, "memory"},
		{"memory twice", map[string]string{"memory": "256,1024,256"}, false, "memory"},
		{"memory empty item", map[string]string{"memory": "256,,512"}, false, "memory"},
		{"memory negative", map[string]string{"memory": "-256"}, false, "memory"},
		{"timeout zero", map[string]string{"timeout": "0"}, false, "timeout"},
		{"timeout negative", map[string]string{"timeout": "-1"}, false, "timeout"},
		{"timeout over 900", map[string]string{"timeout": "901"}, false, "timeout"},
		{"timeout far over 900", map[string]string{"timeout": "1000"}, false, "timeout"},
		{"timeout not a number", map[string]string{"timeout": "3m"}, false, "timeout"},
		{"timeout with a unit", map[string]string{"timeout": "180s"}, false, "timeout"},
		{"python too old for lithops 3.7", map[string]string{"python-version": "3.8"}, false, "python-version"},
		{"python 3.9 zip", map[string]string{"python-version": "3.9"}, false, "python-version"},
		{"python garbage", map[string]string{"python-version": "three"}, false, "python-version"},
		{"lithops below 3.3.0", map[string]string{"lithops-version": "3.2.0"}, false, "lithops-version"},
		{"lithops not a version", map[string]string{"lithops-version": "latest"}, false, "lithops-version"},
		{"lithops malformed", map[string]string{"lithops-version": "3.7..0"}, false, "lithops-version"},
		{"architecture unknown", map[string]string{"architecture": "sparc"}, false, "architecture"},
		{"runtime name with spaces", map[string]string{"runtime-name": "my runtime!"}, false, "runtime-name"},
		{"local-test not auto/true/false", map[string]string{"local-test": "sometimes"}, false, "local-test"},
		{"smoke-test not boolean", map[string]string{"smoke-test": "yes"}, false, "smoke-test"},
		{"dry-run not boolean", map[string]string{"dry-run": "1"}, false, "dry-run"},
		{"write-metadata not boolean", map[string]string{"write-metadata": "maybe"}, false, "write-metadata"},
		{"metadata without smoke test", map[string]string{"smoke-test": "false", "write-metadata": "true"}, false, "write-metadata"},
		{"unknown builder", map[string]string{"builder": "kaniko"}, false, "builder"},
		{"missing lithops config", map[string]string{"lithops-config": "nope.yaml"}, false, "lithops-config"},
		{"lithops config not YAML", map[string]string{"lithops-config": "notyaml.yaml"}, false, "lithops-config"},
		{"lithops config section not a mapping", map[string]string{"lithops-config": "badsection.yaml"}, false, "lithops-config"},
		{"lithops config memory of the wrong type", map[string]string{"lithops-config": "wrongtypes.yaml"}, false, "memory"},
		{"context without a dockerfile", map[string]string{"context": "ctx"}, false, "context"},
		{"context missing", map[string]string{"requirements": "", "dockerfile": "Dockerfile", "context": "nowhere", "runtime-name": "my-runtime:1"}, false, "context"},
		{"no region", nil, true, "region"},
		{"no role", map[string]string{"role": ""}, false, "role"},
		{"image without a runtime name", map[string]string{"requirements": "", "dockerfile": "Dockerfile"}, false, "runtime-name"},
		{"image named as a zip runtime", map[string]string{"requirements": "", "dockerfile": "Dockerfile", "runtime-name": "default-runtime-v312"}, false, "runtime-name"},
		{"registry that does not parse", map[string]string{"registry": "UPPER CASE/repo"}, false, "registry"},
		{"registry with a digest", map[string]string{"registry": "123456789012.dkr.ecr.us-east-1.amazonaws.com/r@sha256:abc"}, false, "registry"},
		{"base image that does not parse", map[string]string{"package-type": "image", "runtime-name": "my-runtime:1", "base-image": "public.ecr.aws/lambda/python:3.12:x"}, false, "base-image"},
	}
	if len(cases) < 40 {
		t.Fatalf("only %d bad-input cases; keep at least 40", len(cases))
	}
	for _, via := range []string{"flags", "INPUT"} {
		for _, tc := range cases {
			t.Run(via+"/"+tc.name, func(t *testing.T) {
				inputs := maps.Clone(base)
				for k, v := range tc.set {
					if v == "" {
						delete(inputs, k)
					} else {
						inputs[k] = v
					}
				}
				env := maps.Clone(cloudEnv)
				if tc.noRegion {
					delete(env, "AWS_REGION")
				}
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
				if len(errs) != 2 || !strings.HasPrefix(errs[0], named) || !strings.Contains(errs[1], "1 input(s) are not valid; nothing was built or deployed") {
					t.Errorf("want one error line naming %s (%q...) and the count line, got:\n%s", tc.input, named, strings.Join(errs, "\n"))
				}
				if calls, n := cloud.Calls(), cloud.ECR.Requests(); len(calls) != 0 || n != 0 {
					t.Fatalf("the cloud was called: %+v, %d ECR requests", calls, n)
				}
			})
		}
	}
}
