package config

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// workspace makes a workspace with the files the cases refer to.
func workspace(t *testing.T) string {
	t.Helper()
	ws := t.TempDir()
	files := map[string]string{
		"requirements.txt":     "acme-text-utils\n",
		"Dockerfile":           "FROM scratch\n",
		"notyaml.yaml":         "lithops: [unclosed\n",
		"wrongtypes.yaml":      "aws_lambda:\n  runtime_memory: lots\n  execution_role: arn:aws:iam::123456789012:role/x\naws:\n  region: us-east-1\n",
		"badsection.yaml":      "aws_lambda: [1, 2]\n",
		"lithops.yaml":         "lithops:\n  backend: aws_lambda\naws:\n  region: eu-west-1\n  access_key_id: AKIAEXAMPLESECRET1\naws_lambda:\n  execution_role: arn:aws:iam::123456789012:role/lithops\n  runtime_memory: 1024\n  runtime_timeout: 300\naws_s3:\n  storage_bucket: my-bucket\n",
		"ctx/placeholder":      "",
		"sub/requirements.txt": "x\n",
	}
	for name, content := range files {
		p := filepath.Join(ws, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return ws
}

func probe(py, lx string, err error) Probe {
	return func(context.Context) (string, string, error) { return py, lx, err }
}

// load runs Load with the inputs given either as flags or as INPUT_* variables.
func load(t *testing.T, ws string, inputs map[string]string, viaFlags bool, extraEnv map[string]string) (*Config, error) {
	t.Helper()
	env := map[string]string{"HOME": "/home/runner", "ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAI5tTestKeyId", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "test-secret"}
	for k, v := range extraEnv {
		env[k] = v
	}
	var args []string
	for name, v := range inputs {
		if viaFlags {
			args = append(args, "--"+name+"="+v)
		} else {
			env["INPUT_"+strings.ToUpper(name)] = v
		}
	}
	return Load(context.Background(), args, Env{
		Getenv:  func(k string) string { return env[k] },
		Workdir: ws,
		Probe:   probe("3.11", "3.7.0", nil),
		GOOS:    "linux",
		GOARCH:  "amd64",
	})
}

var aws = map[string]string{"backend": "aws_lambda", "region": "us-east-1", "role": "arn:aws:iam::123456789012:role/lithops"}
var fc = map[string]string{"backend": "aliyun_fc", "region": "cn-hangzhou", "python-version": "3.12", "account-id": "1234567890123456"}

func with(base map[string]string, kv ...string) map[string]string {
	m := map[string]string{}
	for k, v := range base {
		m[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func TestBadInputs(t *testing.T) {
	long := strings.Repeat("r", 50)
	cases := []struct {
		name   string
		inputs map[string]string
		input  string   // the input the one error must name
		want   []string // substrings of its message
	}{
		{"unknown backend", with(nil, "backend", "gcp"), "backend", []string{`backend="gcp"`, "must be one of aws_lambda, aliyun_fc, local"}},
		{"missing requirements", with(nil, "requirements", "nope.txt"), "requirements", []string{`requirements="nope.txt"`, "cannot be read", "no such file"}},
		{"requirements is a dir", with(nil, "requirements", "ctx"), "requirements", []string{"is a directory"}},
		{"dockerfile and requirements", with(nil, "requirements", "requirements.txt", "dockerfile", "Dockerfile", "runtime-name", "my-runtime:1"), "dockerfile", []string{"cannot be set together with requirements"}},
		{"missing dockerfile", with(nil, "dockerfile", "Dockerfile.missing"), "dockerfile", []string{"cannot be read"}},
		{"unknown package type", with(nil, "package-type", "tarball"), "package-type", []string{`"tarball"`, "must be zip or image"}},
		{"zip with dockerfile", with(nil, "dockerfile", "Dockerfile", "package-type", "zip"), "package-type", []string{"must be image with a dockerfile"}},
		{"memory not a number", with(nil, "memory", "12x"), "memory", []string{`memory="12x"`, "whole number of MB from 128 to 10240"}},
		{"memory too small", with(nil, "memory", "64"), "memory", []string{"from 128 to 10240", `"64" is not`}},
		{"memory too large", with(nil, "memory", "20000"), "memory", []string{`"20000" is not`}},
		{"memory twice", with(nil, "memory", "256,1024,256"), "memory", []string{"lists 256 MB twice"}},
		{"memory empty item", with(nil, "memory", "256,,512"), "memory", []string{`"" is not`}},
		{"memory negative", with(nil, "memory", "-256"), "memory", []string{`"-256" is not`}},
		{"timeout zero", with(nil, "timeout", "0"), "timeout", []string{`timeout="0"`, "from 1 to 900"}},
		{"timeout too long", with(nil, "timeout", "901"), "timeout", []string{"from 1 to 900"}},
		{"timeout not a number", with(nil, "timeout", "3m"), "timeout", []string{`timeout="3m"`, "whole number of seconds"}},
		{"python too old for lithops 3.7 on lambda", with(nil, "python-version", "3.8"), "python-version", []string{`python-version="3.8"`, "3.10"}},
		{"python garbage", with(nil, "python-version", "three"), "python-version", []string{`python-version="three"`}},
		{"lithops below 3.3.0", with(nil, "lithops-version", "3.2.0"), "lithops-version", []string{`lithops-version="3.2.0"`, "3.3.0"}},
		{"lithops malformed", with(nil, "lithops-version", "latest"), "lithops-version", []string{`lithops-version="latest"`}},
		{"lithops malformed 2", with(nil, "lithops-version", "3.7..0"), "lithops-version", []string{`lithops-version="3.7..0"`}},
		{"architecture foreign to local", with(nil, "architecture", "arm64"), "architecture", []string{"local backend runs functions on this x86_64 machine"}},
		{"architecture unknown", with(nil, "architecture", "sparc"), "architecture", []string{`architecture="sparc"`, "x86_64"}},
		{"runtime name with spaces", with(nil, "runtime-name", "my runtime!"), "runtime-name", []string{`runtime-name="my runtime!"`}},
		{"local-test not auto/true/false", with(nil, "local-test", "sometimes"), "local-test", []string{`local-test="sometimes"`, "must be auto, true or false"}},
		{"smoke-test not boolean", with(nil, "smoke-test", "yes"), "smoke-test", []string{`smoke-test="yes"`, "must be true or false"}},
		{"dry-run not boolean", with(nil, "dry-run", "1"), "dry-run", []string{"must be true or false"}},
		{"metadata without smoke test", with(nil, "smoke-test", "false", "write-metadata", "true"), "write-metadata", []string{"needs smoke-test true"}},
		{"unknown builder", with(nil, "builder", "kaniko"), "builder", []string{`builder="kaniko"`, "auto, docker, buildah, podman"}},
		{"missing lithops config", with(nil, "lithops-config", "nope.yaml"), "lithops-config", []string{`lithops-config="nope.yaml"`, "cannot read it"}},
		{"lithops config not yaml", with(nil, "lithops-config", "notyaml.yaml"), "lithops-config", []string{"not a valid YAML file"}},
		{"lithops config section not a mapping", with(nil, "lithops-config", "badsection.yaml"), "lithops-config", []string{`section "aws_lambda" must be a mapping`}},
		{"lithops config wrong type", with(nil, "lithops-config", "wrongtypes.yaml", "backend", "aws_lambda"), "memory", []string{`memory="lots"`, "whole number", "lithops-config aws_lambda.runtime_memory"}},
		{"context without dockerfile", with(nil, "context", "ctx"), "context", []string{"needs the dockerfile input"}},
		{"context missing", with(nil, "dockerfile", "Dockerfile", "context", "nowhere", "runtime-name", "my-runtime:1"), "context", []string{`context="nowhere"`, "cannot be read"}},
		{"aws without region", with(aws, "region", ""), "region", []string{"is required for aws_lambda"}},
		{"aws without role", with(aws, "role", ""), "role", []string{"is required for aws_lambda"}},
		{"aws timeout over 900", with(aws, "timeout", "1000"), "timeout", []string{"from 1 to 900 for backend aws_lambda"}},
		{"aws python 3.9 zip", with(aws, "python-version", "3.9"), "python-version", []string{`python-version="3.9"`}},
		{"fc runtime name with colon", with(fc, "runtime-name", "repo:tag"), "runtime-name", []string{`runtime-name="repo:tag"`}},
		{"fc runtime name too long", with(fc, "runtime-name", long), "runtime-name", []string{"64"}},
		{"fc arm64", with(fc, "architecture", "arm64"), "architecture", []string{"must be one of x86_64 for backend aliyun_fc"}},
		{"fc memory not multiple of 64", with(fc, "memory", "200"), "memory", []string{"a multiple of 64"}},
		{"fc timeout over a day", with(fc, "timeout", "86401"), "timeout", []string{"from 1 to 86400"}},
		{"fc python 3.11", with(fc, "python-version", "3.11"), "python-version", []string{`python-version="3.11"`, "3.12"}},
		{"fc without region", with(fc, "region", ""), "region", []string{"is required for aliyun_fc"}},
		{"aws image without runtime name", with(aws, "dockerfile", "Dockerfile"), "runtime-name", []string{"is required for AWS Lambda container runtimes"}},
		{"aws image named as a zip runtime", with(aws, "dockerfile", "Dockerfile", "runtime-name", "default-runtime-v312"), "runtime-name", []string{"names a zip runtime to Lithops"}},
		{"registry that does not parse", with(aws, "registry", "UPPER CASE/repo"), "registry", []string{"must be an image repository"}},
		{"registry with a digest", with(aws, "registry", "123456789012.dkr.ecr.us-east-1.amazonaws.com/r@sha256:abc"), "registry", []string{"must be an image repository"}},
		{"base image that does not parse", with(aws, "base-image", "public.ecr.aws/lambda/python:3.12:x"), "base-image", []string{"must be an image reference"}},
		{"fc image without registry", with(fc, "dockerfile", "Dockerfile"), "registry", []string{"is required for aliyun_fc container runtimes"}},
		{"fc with namespace", with(fc, "namespace", "team"), "namespace", []string{"aws_lambda setting"}},
	}
	for _, via := range []string{"flags", "INPUT"} {
		for _, tc := range cases {
			t.Run(via+"/"+tc.name, func(t *testing.T) {
				ws := workspace(t)
				inputs := map[string]string{}
				for k, v := range tc.inputs {
					if v != "" {
						inputs[k] = v
					}
				}
				cfg, err := load(t, ws, inputs, via == "flags", nil)
				if err == nil {
					t.Fatalf("Load accepted %v: %+v", tc.inputs, cfg)
				}
				ies := InputErrors(err)
				if len(ies) != 1 {
					t.Fatalf("want exactly one input error, got %d:\n%v", len(ies), err)
				}
				ie := ies[0]
				if ie.Input != tc.input {
					t.Errorf("error names input %q, want %q: %v", ie.Input, tc.input, ie)
				}
				msg := ie.Error()
				if strings.Contains(msg, "\n") {
					t.Errorf("message is not one line: %q", msg)
				}
				for _, w := range tc.want {
					if !strings.Contains(msg, w) {
						t.Errorf("message %q lacks %q", msg, w)
					}
				}
				if v, ok := tc.inputs[ie.Input]; ok && v != "" {
					wantFrom := "INPUT_" + strings.ToUpper(ie.Input)
					if via == "flags" {
						wantFrom = "--" + ie.Input
					}
					if !strings.Contains(msg, wantFrom) {
						t.Errorf("message %q does not say the value came from %s", msg, wantFrom)
					}
				}
			})
		}
	}
	if n := len(cases); n < 40 {
		t.Errorf("only %d bad-input cases; keep at least 40", n)
	}
}

func TestAllProblemsAtOnce(t *testing.T) {
	ws := workspace(t)
	_, err := load(t, ws, map[string]string{
		"memory": "12x", "timeout": "0", "smoke-test": "maybe", "builder": "kaniko", "requirements": "nope.txt",
	}, false, nil)
	var got []string
	for _, ie := range InputErrors(err) {
		got = append(got, ie.Input)
	}
	want := []string{"requirements", "memory", "timeout", "smoke-test", "builder"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("inputs reported (-want +got):\n%s", diff)
	}
}

func TestPrecedence(t *testing.T) {
	ws := workspace(t)
	env := map[string]string{
		"INPUT_MEMORY":         "512",
		"INPUT_TIMEOUT":        "120",
		"LITHOPS_CONFIG_FILE":  "lithops.yaml",
		"AWS_REGION":           "us-west-2",
		"INPUT_PYTHON-VERSION": "3.12",
		"INPUT_STORAGE-BUCKET": "",
	}
	args := []string{"--memory", "2048,256"}
	cfg, err := Load(context.Background(), args, Env{
		Getenv: func(k string) string { return env[k] }, Workdir: ws,
		Probe: probe("3.11", "3.7.0", nil), GOOS: "linux", GOARCH: "amd64",
	})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]any{
		"backend": cfg.Backend, "memory": cfg.Memory, "timeout": cfg.Timeout, "region": cfg.Region,
		"role": cfg.Role, "bucket": cfg.StorageBucket, "python": cfg.Python.String(), "lithops": cfg.Lithops.String(),
		"runtime": cfg.RuntimeName, "secrets": cfg.Secrets,
	}
	want := map[string]any{
		"backend": "aws_lambda",     // lithops-config lithops.backend over the default
		"memory":  []int{2048, 256}, // flag over INPUT over config
		"timeout": 120,              // INPUT over config
		"region":  "eu-west-1",      // config over AWS_REGION (a default)
		"role":    "arn:aws:iam::123456789012:role/lithops",
		"bucket":  "my-bucket",
		"python":  "3.12", // INPUT over the probe
		"lithops": "3.7.0",
		"runtime": "default-runtime-v312",
		"secrets": []string{"AKIAEXAMPLESECRET1"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("resolved config (-want +got):\n%s", diff)
	}
	wantSources := map[string]string{
		"memory": "--memory", "timeout": "INPUT_TIMEOUT", "region": "lithops-config aws.region",
		"backend": "lithops-config lithops.backend", "python-version": "INPUT_PYTHON-VERSION",
		"lithops-version": "lithops imported by python3 on PATH",
	}
	for k, v := range wantSources {
		if cfg.Sources[k] != v {
			t.Errorf("Sources[%q] = %q, want %q", k, cfg.Sources[k], v)
		}
	}
}

func TestDefaults(t *testing.T) {
	ws := workspace(t)
	cfg, err := load(t, ws, map[string]string{"requirements": "requirements.txt"}, true, map[string]string{"RUNNER_TEMP": "/runner/tmp", "SOURCE_DATE_EPOCH": "1700000000"})
	if err != nil {
		t.Fatal(err)
	}
	got := []any{cfg.Backend, cfg.PackageType, cfg.Memory, cfg.Timeout, cfg.Python.String(), cfg.Lithops.String(),
		cfg.Architecture, cfg.RuntimeName, cfg.SmokeTest, cfg.WriteMetadata, cfg.DryRun, cfg.Builder, cfg.Region,
		cfg.LocalDir, cfg.Requirements, cfg.ModTime.Unix()}
	want := []any{"local", "zip", []int{256}, 180, "3.11", "3.7.0", "x86_64", "default-runtime-v311", true, true, false, "auto", "local",
		"/runner/tmp/lithops-runtime", filepath.Join(ws, "requirements.txt"), int64(1700000000)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
}

func TestVersionDetection(t *testing.T) {
	ws := workspace(t)
	run := func(p Probe, inputs map[string]string) error {
		args := []string{}
		for k, v := range inputs {
			args = append(args, "--"+k+"="+v)
		}
		_, err := Load(context.Background(), args, Env{Getenv: func(string) string { return "" }, Workdir: ws, Probe: p, GOOS: "linux", GOARCH: "amd64", Usage: nil})
		return err
	}
	t.Run("lithops not importable", func(t *testing.T) {
		err := run(probe("3.11", "", nil), nil)
		if err == nil || !strings.Contains(err.Error(), "lithops-version: is not set and python3 on PATH cannot import lithops") {
			t.Errorf("got %v", err)
		}
	})
	t.Run("no python3", func(t *testing.T) {
		err := run(probe("", "", errors.New("exec: python3: not found")), map[string]string{"lithops-version": "3.7.0"})
		if err == nil || !strings.Contains(err.Error(), "python-version: is not set and could not be detected") || !strings.Contains(err.Error(), "python3: not found") {
			t.Errorf("got %v", err)
		}
	})
	t.Run("given inputs skip the probe", func(t *testing.T) {
		called := false
		p := func(context.Context) (string, string, error) { called = true; return "", "", errors.New("no") }
		if err := run(p, map[string]string{"lithops-version": "3.7.0", "python-version": "3.12", "local-dir": "state"}); err != nil {
			t.Fatal(err)
		}
		if called {
			t.Error("probe ran although both versions were given")
		}
	})
}

func TestUnknownFlag(t *testing.T) {
	_, err := Load(context.Background(), []string{"--memroy", "256"}, Env{})
	if err == nil || !strings.Contains(err.Error(), "memroy") {
		t.Errorf("got %v", err)
	}
	_, err = Load(context.Background(), []string{"--help"}, Env{})
	if !errors.Is(err, ErrHelp) {
		t.Errorf("--help: got %v", err)
	}
}

// TestAliyunCredentials: the AccessKey comes from the environment, else the Lithops config; it is
// masked; without one, the run stops before anything is built.
func TestAliyunCredentials(t *testing.T) {
	ws := t.TempDir()
	cfg, err := load(t, ws, fc, false, map[string]string{"ALIBABA_CLOUD_SECURITY_TOKEN": "sts-token"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Aliyun != (AliyunCredentials{"LTAI5tTestKeyId", "test-secret", "sts-token"}) {
		t.Errorf("credentials %+v", cfg.Aliyun)
	}
	for _, s := range []string{"LTAI5tTestKeyId", "test-secret", "sts-token"} {
		if !slices.Contains(cfg.Secrets, s) {
			t.Errorf("%s is not masked", s)
		}
	}
	_, err = load(t, ws, fc, false, map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": "", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": ""})
	if ies := InputErrors(err); len(ies) != 1 || !strings.Contains(ies[0].Error(), "aliyun_fc needs an AccessKey") {
		t.Errorf("without credentials: %v", err)
	}
	_, err = load(t, ws, with(fc, "account-id", ""), false, nil)
	if ies := InputErrors(err); len(ies) != 1 || !strings.Contains(ies[0].Error(), "account-id: is required for aliyun_fc") {
		t.Errorf("without an account id: %v", err)
	}
}
