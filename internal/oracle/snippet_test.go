package oracle

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/config"
	"github.com/lithops-runtime-action/lithops-runtime-action/internal/run"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/lithops"
)

// snippet is a deployment this tool would make and the client config its step summary prints.
type snippet struct {
	id   string
	yaml string       // the printed config, plus the credentials a client adds
	sts  string       // the client's own STS identity (another one than the workflow's)
	py   string       // the client's Python
	want configResult // what the deployment created, as a client must compute it
}

// snippets loads the inputs of a few deployments with internal/config, computes what they deploy
// with pkg/lithops, and renders the client config the step summary prints (run.ClientConfig).
func snippets(t *testing.T, version string) []snippet {
	v := lithops.MustParseVersion(version)
	dir := t.TempDir()
	dockerfile := filepath.Join(dir, "Dockerfile")
	if err := os.WriteFile(dockerfile, []byte("FROM scratch\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAI5tWorkflowKey77", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "s"}
	load := func(args ...string) *config.Config {
		args = append(args, "--lithops-version", version, "--dry-run", "true")
		cfg, err := config.Load(context.Background(), args, config.Env{Getenv: func(k string) string { return env[k] }, Workdir: dir})
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		return cfg
	}
	var out []snippet
	awsPy := "3.12"
	fcPy := "3.10"
	if lithops.FCGenerationFor(v) == lithops.FC3 {
		fcPy = "3.12"
	}
	// AWS: the workflow's identity has user key "mple"; the client's is another one.
	for _, c := range []struct {
		id   string
		args []string
	}{
		{"snippet-aws-zip", []string{"--backend", "aws_lambda", "--region", "eu-west-1", "--role", "arn:aws:iam::123456789012:role/lithops-execution-role", "--python-version", awsPy, "--namespace", "team", "--memory", "1024"}},
		{"snippet-aws-image", []string{"--backend", "aws_lambda", "--region", "us-east-2", "--role", "arn:aws:iam::123456789012:role/lithops-execution-role", "--python-version", awsPy, "--dockerfile", dockerfile, "--runtime-name", "my-org/runtime:v2"}},
	} {
		cfg := load(c.args...)
		key := lithops.AWSUserKey("AIDAIOSFODNN7EXAMPLE")
		plan := &deploy.Plan{Backend: cfg.Backend, Region: cfg.Region, UserKey: key, Bucket: lithops.DefaultAWSBucket(cfg.StorageRegion, key)}
		var ns *string
		if cfg.Namespace != "" {
			ns = &cfg.Namespace
		}
		out = append(out, snippet{id: c.id, sts: "AROACLIENTIDENTITY:someone", py: awsPy,
			yaml: strings.Replace(run.ClientConfig(cfg, plan), "aws_lambda:\n", "aws_lambda:\n  execution_role: arn:aws:iam::123456789012:role/lithops\n", 1),
			want: configResult{ID: c.id, Backend: "aws_lambda", Storage: "aws_s3", StorageRegion: cfg.StorageRegion, Runtime: cfg.RuntimeName,
				Memory: cfg.Memory[0], Timeout: cfg.Timeout, Region: cfg.Region, UserKey: key, Namespace: ns,
				Function: lithops.AWSFunctionName(key, v, cfg.RuntimeName, cfg.Memory[0], cfg.Namespace), Bucket: plan.Bucket}})
	}
	fcCases := []struct {
		id   string
		args []string
	}{{"snippet-fc-zip", []string{"--backend", "aliyun_fc", "--region", "cn-shanghai", "--account-id", "1234567890123456", "--python-version", fcPy, "--memory", "512"}}}
	if lithops.FCGenerationFor(v) == lithops.FC3 {
		fcCases = append(fcCases, struct {
			id   string
			args []string
		}{"snippet-fc-image", []string{"--backend", "aliyun_fc", "--region", "cn-hangzhou", "--account-id", "1234567890123456", "--python-version", fcPy,
			"--dockerfile", dockerfile, "--registry", "registry.cn-hangzhou.aliyuncs.com/my-ns/lithops"}})
	}
	for _, c := range fcCases {
		cfg := load(c.args...)
		plan := &deploy.Plan{Backend: cfg.Backend, Region: cfg.Region, Bucket: lithops.DefaultOSSBucket(v, cfg.StorageRegion, cfg.ClientAccessKeyID, cfg.AccountID)}
		fn, _ := lithops.FCFunctionName(cfg.RuntimeName, cfg.Memory[0], v)
		want := configResult{ID: c.id, Backend: "aliyun_fc", Storage: "aliyun_oss", StorageRegion: cfg.StorageRegion, Runtime: cfg.RuntimeName,
			Memory: cfg.Memory[0], Timeout: cfg.Timeout, Region: cfg.Region, Bucket: plan.Bucket,
			RuntimeKey: lithops.RuntimeKey(lithops.AliyunFC, v, cfg.Region, cfg.FCService, fn)}
		if cfg.FCService != "" {
			want.Service = &cfg.FCService
		}
		if cfg.DeployMode != "" {
			want.DeployMode = &cfg.DeployMode
		}
		yaml := run.ClientConfig(cfg, plan)
		yaml = strings.Replace(yaml, "aliyun:\n", "aliyun:\n  access_key_id: LTAI5tClientsOwnKey\n  access_key_secret: s\n", 1)
		yaml = strings.Replace(yaml, "aliyun_fc:\n", "aliyun_fc:\n  role_arn: acs:ram::1234567890123456:role/lithops\n", 1)
		out = append(out, snippet{id: c.id, yaml: yaml, py: fcPy, want: want})
	}
	return out
}

// compareSnippets: a client with the printed config (and its own credentials and identity) computes
// the names, keys and bucket of what was deployed.
func compareSnippets(t *testing.T, v lithops.Version, sn []snippet, res []configResult) {
	byID := map[string]configResult{}
	for _, r := range res {
		byID[r.ID] = r
	}
	for _, s := range sn {
		got, ok := byID[s.id]
		if !ok {
			t.Fatalf("no result for %s", s.id)
		}
		if got.Error != "" {
			t.Errorf("Lithops %s refuses the step summary's config:\n%s\n%s", v, s.yaml, got.Error)
			continue
		}
		if d := cmp.Diff(s.want, got); d != "" {
			t.Errorf("step summary config %s:\n%s\n(-deployed +what Lithops %s computes from it)\n%s", s.id, s.yaml, v, d)
		}
	}
}
