package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Lithops' semantics that internal/oracle cannot show by comparison (what this tool refuses, and
// the inputs only this tool has). The values Lithops computes are compared in internal/oracle.

const stsKey = "STS.NUgYrLnoC3Hd9XkqZ7yW"

func writeConfig(t *testing.T, ws, yaml string) string {
	t.Helper()
	p := filepath.Join(ws, "client.yaml")
	if err := os.WriteFile(p, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const fcConfig = "lithops:\n  backend: aliyun_fc\n  storage: aliyun_oss\naliyun:\n  region: cn-hangzhou\n  account_id: '1234567890123456'\n  access_key_id: LTAI5tClientKey01\n  access_key_secret: s\naliyun_fc:\n  role_arn: acs:ram::1234567890123456:role/r\n"

func TestLithopsSemanticsRefused(t *testing.T) {
	sts := map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": stsKey, "ALIBABA_CLOUD_SECURITY_TOKEN": "token"}
	cases := []struct {
		name   string
		inputs map[string]string
		config string // a Lithops config file, when set
		env    map[string]string
		input  string
		want   []string
	}{
		{"version with two numbers", with(aws, "lithops-version", "3.7"), "", nil, "lithops-version", []string{`"3.7"`, "lithops.__version__"}},
		{"version with four numbers", with(aws, "lithops-version", "3.7.0.0"), "", nil, "lithops-version", []string{`"3.7.0.0"`}},
		{"version with leading zeros", with(aws, "lithops-version", "03.07.00"), "", nil, "lithops-version", []string{`"03.07.00"`}},
		{"version with a v", with(aws, "lithops-version", "v3.7.0"), "", nil, "lithops-version", []string{`"v3.7.0"`}},
		{"version newer than verified", with(aws, "lithops-version", "3.9.0"), "", nil, "lithops-version", []string{"3.9.0", "3.8.0", "allow-unverified-lithops"}},
		{"FC build between 3.6.4 and 3.7.0", with(fc, "lithops-version", "3.6.5.dev0", "python-version", "3.10"), "", nil, "lithops-version", []string{"3.6.5.dev0", "development build", "3.6.4", "3.7.0"}},
		{"STS key names no OSS bucket", fc, "", sts, "storage-bucket", []string{"temporary", "STS", "access-key-id"}},
		{"STS key names no FC 2.0 service", with(fc, "lithops-version", "3.6.0", "python-version", "3.10", "storage-bucket", "my-bucket"), "", sts, "fc-service", []string{"temporary", "lithops_", "access-key-id"}},
		{"access-key-id that is itself temporary", with(fc, "access-key-id", stsKey), "", nil, "storage-bucket", []string{"temporary", "access-key-id"}},
		{"image runtime with a registry port", with(aws, "dockerfile", "Dockerfile", "runtime-name", "localhost:5000/img:1"), "", nil, "runtime-name", []string{"2 colons", "split"}},
		{"image runtime named as the zip default", with(aws, "dockerfile", "Dockerfile", "runtime-name", "default-runtime-v311"), "", nil, "runtime-name", []string{"default runtime name of Python 3.11", "zip"}},
		{"image runtime with default-runtime-v after the first slash", with(aws, "dockerfile", "Dockerfile", "runtime-name", "org/default-runtime-v310/x:1"), "", nil, "runtime-name", []string{"first '/'"}},
		{"FC config without lithops.storage", with(fc, "lithops-config", "client.yaml"), strings.Replace(fcConfig, "  storage: aliyun_oss\n", "", 1), nil, "lithops-config", []string{"aws_s3", "lithops.storage: aliyun_oss"}},
		{"FC deploy_mode against the package type", with(fc, "lithops-config", "client.yaml"), fcConfig + "  deploy_mode: custom-container\n", nil, "package-type", []string{"custom-container", "image"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ws := workspace(t)
			if tc.config != "" {
				writeConfig(t, ws, tc.config)
			}
			cfg, err := load(t, ws, tc.inputs, true, tc.env)
			if err == nil {
				t.Fatalf("Load accepted %v: %+v", tc.inputs, cfg)
			}
			ies := InputErrors(err)
			if len(ies) != 1 || ies[0].Input != tc.input {
				t.Fatalf("want one error naming %s, got:\n%v", tc.input, err)
			}
			for _, w := range tc.want {
				if !strings.Contains(ies[0].Error(), w) {
					t.Errorf("message %q lacks %q", ies[0].Error(), w)
				}
			}
		})
	}
}

func TestLithopsSemanticsAccepted(t *testing.T) {
	sts := map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": stsKey, "ALIBABA_CLOUD_SECURITY_TOKEN": "token"}
	type got struct {
		Lithops, Bucket, ClientKey, Service, DeployMode, Runtime string
	}
	cases := []struct {
		name   string
		inputs map[string]string
		config string
		env    map[string]string
		want   got
	}{
		{"STS with the bucket (FC 3.0)", with(fc, "storage-bucket", "clients-bucket"), "", sts,
			got{"3.7.0", "clients-bucket", stsKey, "", "runtime", "default-python-runtime-v312"}},
		{"STS with the clients' key (FC 2.0)", with(fc, "lithops-version", "3.6.0", "python-version", "3.10", "access-key-id", "LTAI5tClientKey01"), "", sts,
			got{"3.6.0", "", "LTAI5tClientKey01", "lithops_ltai", "", "default-runtime-v310"}},
		{"STS with the service and bucket (FC 2.0)", with(fc, "lithops-version", "3.6.0", "python-version", "3.10", "fc-service", "svc", "storage-bucket", "bkt"), "", sts,
			got{"3.6.0", "bkt", stsKey, "svc", "", "default-runtime-v310"}},
		{"newer version with the opt-in", with(aws, "lithops-version", "3.9.0", "python-version", "3.12", "allow-unverified-lithops", "true"), "", nil,
			got{"3.9.0", "", "", "", "", "default-runtime-v312"}},
		{"dev build after the newest release", with(aws, "lithops-version", "3.7.1.dev0", "python-version", "3.12"), "", nil,
			got{"3.7.1.dev0", "", "", "", "", "default-runtime-v312"}},
		{"the clients' key and service from their config, deploying with STS", with(fc, "lithops-version", "3.6.4", "python-version", "3.10", "lithops-config", "client.yaml"),
			fcConfig + "  service: their-service\n", sts, got{"3.6.4", "", "LTAI5tClientKey01", "their-service", "", "default-runtime-v310"}},
		{"deploy_mode custom-container names the default container runtime", with(fc, "lithops-config", "client.yaml", "dockerfile", "Dockerfile", "registry", "registry.cn-hangzhou.aliyuncs.com/ns/repo"),
			fcConfig + "  deploy_mode: custom-container\n  docker_user: u\n", nil, got{"3.7.0", "", "LTAI5tClientKey01", "", "custom-container", "default-container-runtime-v312"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ws := workspace(t)
			if tc.config != "" {
				writeConfig(t, ws, tc.config)
			}
			if _, ok := tc.inputs["lithops-version"]; !ok {
				tc.inputs = with(tc.inputs, "lithops-version", "3.7.0")
			}
			cfg, err := load(t, ws, tc.inputs, true, tc.env)
			if err != nil {
				t.Fatal(err)
			}
			g := got{cfg.Lithops.String(), cfg.StorageBucket, cfg.ClientAccessKeyID, cfg.FCService, cfg.DeployMode, cfg.RuntimeName}
			if cfg.Backend != "aliyun_fc" {
				g.ClientKey = ""
			}
			if d := cmp.Diff(tc.want, g); d != "" {
				t.Errorf("(-want +got)\n%s", d)
			}
		})
	}
}
