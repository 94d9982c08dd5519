package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestNamesCheckedAgainstCloudRules gives one input at a time that would become an invalid cloud
// name, host or path: each is one error naming that input, before anything is called.
func TestNamesCheckedAgainstCloudRules(t *testing.T) {
	ns50 := strings.Repeat("n", 50)
	cases := []struct {
		name   string
		inputs map[string]string
		input  string
		want   []string
	}{
		// Item 3: names that flow into outputs and workflow steps.
		{"namespace with a command substitution", with(aws, "namespace", "x$(touch${IFS}pwned)"), "namespace", []string{"only letters, digits, '_' and '-'"}},
		{"namespace with a newline", with(aws, "namespace", "a\nb"), "namespace", []string{"only letters, digits"}},
		{"namespace too long for Lambda", with(aws, "namespace", ns50), "namespace", []string{"over Lambda's limit of 64", "namespace of at most 29"}},
		{"user-id with a path", with(aws, "user-id", "AIDAEXAMPLE/.."), "user-id", []string{"user key", "only letters, digits"}},
		{"user-id with white space", with(aws, "user-id", "AIDA EXAMPLE"), "user-id", []string{"white space"}},
		// Item 11: AWS zip runtime names become layer names.
		{"aws zip runtime name with a slash", with(aws, "runtime-name", "team/rt"), "runtime-name", []string{"layer name", "no '/', '.' or ':'"}},
		{"aws zip runtime name with a dot", with(aws, "runtime-name", "rt.v1"), "runtime-name", []string{"layer name"}},
		{"aws zip runtime name with a colon", with(aws, "runtime-name", "rt:1"), "runtime-name", []string{"layer name"}},
		{"aws zip runtime name too long", with(aws, "runtime-name", strings.Repeat("r", 130)), "runtime-name", []string{"over Lambda's limit of 140"}},
		{"local zip runtime name with a slash", with(nil, "runtime-name", "team/rt"), "runtime-name", []string{"layer name"}},
		{"aws image tag invalid", with(aws, "dockerfile", "Dockerfile", "runtime-name", "rt:-bad"), "runtime-name", []string{"ECR image"}},
		{"aws image repository invalid", with(aws, "dockerfile", "Dockerfile", "runtime-name", "team//rt:1"), "runtime-name", []string{"ECR image"}},
		{"aws image namespace invalid for ECR", with(aws, "dockerfile", "Dockerfile", "runtime-name", "rt:1", "namespace", "-ns"), "namespace", []string{"ECR image"}},
		// Items 5 and 11: regions and account ids (the FC endpoint host is built from them).
		{"aws region not a region", with(aws, "region", "us-east-one"), "region", []string{`"us-east-one" is not an AWS region code`}},
		{"aws region with a host", with(aws, "region", "127.0.0.1:47999/x?"), "region", []string{"is not an AWS region code"}},
		{"aws account-id not 12 digits", with(aws, "account-id", "12345"), "account-id", []string{"12 digits"}},
		{"fc region with a host", with(fc, "region", "127.0.0.1:47999/x?"), "region", []string{"is not an Alibaba Cloud region id"}},
		{"fc account-id with a host", with(fc, "account-id", "127.0.0.1:47999/x?"), "account-id", []string{"digits only"}},
		{"fc account-id letters", with(fc, "account-id", "evil.example.com#"), "account-id", []string{"digits only"}},
		{"fc endpoint with a path", with(fc, "fc-endpoint", "http://127.0.0.1:47999/x?"), "fc-endpoint", []string{"no path, query or user"}},
		{"oss endpoint with user info", with(fc, "oss-endpoint", "https://user@oss.example.com"), "oss-endpoint", []string{"no path, query or user"}},
		// Item 6: buckets.
		{"s3 bucket upper case", with(aws, "storage-bucket", "My_Bucket"), "storage-bucket", []string{"not a valid bucket name"}},
		{"s3 bucket too short", with(aws, "storage-bucket", "ab"), "storage-bucket", []string{"3 to 63"}},
		{"s3 bucket an IP address", with(aws, "storage-bucket", "192.168.5.4"), "storage-bucket", []string{"IP address"}},
		{"s3 bucket with a path", with(aws, "storage-bucket", "adv-bucket/../other"), "storage-bucket", []string{"no '/'"}},
		{"s3 bucket reserved prefix", with(aws, "storage-bucket", "xn--bucket"), "storage-bucket", []string{"reserves the prefix"}},
		{"local bucket with a path", with(nil, "storage-bucket", "adv-bucket/../other"), "storage-bucket", []string{"no '/'"}},
		{"oss bucket with a dot", with(fc, "storage-bucket", "my.bucket"), "storage-bucket", []string{"OSS bucket names"}},
		{"oss bucket with a path", with(fc, "storage-bucket", "adv-bucket/../other"), "storage-bucket", []string{"OSS bucket names"}},
		// Item 16: roles.
		{"aws role of another partition", with(aws, "role", "arn:aws-cn:iam::123456789012:role/lithops"), "role", []string{"partition aws-cn", "region us-east-1 is in partition aws"}},
		{"aws role of gov cloud", with(aws, "role", "arn:aws-us-gov:iam::123456789012:role/lithops"), "role", []string{"partition aws-us-gov"}},
		{"aws role of another account-id", with(aws, "account-id", "210987654321"), "role", []string{"belongs to account 123456789012, not to account-id 210987654321"}},
		{"aws role not an ARN", with(aws, "role", "lithops-role"), "role", []string{"not an IAM role ARN"}},
		{"fc role not a RAM ARN", with(fc, "role", "arn:aws:iam::123456789012:role/x"), "role", []string{"not a RAM role ARN"}},
		{"fc role of another account", with(fc, "role", "acs:ram::999:role/aliyunfcdefaultrole"), "role", []string{"belongs to account 999"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := load(t, workspace(t), tc.inputs, true, nil)
			if err == nil {
				t.Fatalf("Load accepted %v: %+v", tc.inputs, cfg)
			}
			ies := InputErrors(err)
			if len(ies) != 1 {
				t.Fatalf("want exactly one input error, got %d:\n%v", len(ies), err)
			}
			if ies[0].Input != tc.input {
				t.Errorf("error names input %q, want %q: %v", ies[0].Input, tc.input, ies[0])
			}
			for _, w := range tc.want {
				if !strings.Contains(ies[0].Error(), w) {
					t.Errorf("message %q lacks %q", ies[0].Error(), w)
				}
			}
		})
	}
}

// TestValidNamesAccepted are real-world values of the same inputs: none is refused.
func TestValidNamesAccepted(t *testing.T) {
	for _, inputs := range []map[string]string{
		with(aws, "namespace", "team-a_1", "user-id", "AROAEXAMPLEID1234:ci-session@example.com", "storage-bucket", "my.bucket-1", "account-id", "123456789012"),
		with(aws, "region", "us-gov-west-1", "role", "arn:aws-us-gov:iam::123456789012:role/path/lithops"),
		with(aws, "region", "cn-north-1", "role", "arn:aws-cn:iam::123456789012:role/lithops"),
		with(aws, "namespace", strings.Repeat("n", 29)),
		with(aws, "dockerfile", "Dockerfile", "runtime-name", "team/my-runtime:1.0", "namespace", "ns"),
		with(fc, "region", "cn-shenzhen-finance-1", "storage-bucket", "lithops-bucket-2", "role", "acs:ram::1234567890123456:role/aliyunfcdefaultrole", "fc-endpoint", "http://127.0.0.1:9000", "oss-endpoint", "oss-cn-hangzhou-internal.aliyuncs.com"),
		with(nil, "runtime-name", "my_runtime-2", "storage-bucket", "local-bucket"),
	} {
		if _, err := load(t, workspace(t), inputs, true, nil); err != nil {
			t.Errorf("Load refused %v:\n%v", inputs, err)
		}
	}
}

// TestIgnoredInputsWarnOrFail: inputs a backend does not use are warned about; an INPUT_ variable
// spelled with underscores (which GitHub never sets, and the action would ignore) is an error; a
// local-dir that is a file is refused before the build.
func TestIgnoredInputsWarnOrFail(t *testing.T) {
	ws := workspace(t)
	cfg, err := load(t, ws, with(nil, "namespace", "team", "region", "eu-west-1"), true, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`region="eu-west-1" is ignored by the local backend (from --region): it runs the functions on this machine, under the user key "local" in region "local"`,
		`namespace="team" is ignored by the local backend (from --namespace): it runs the functions on this machine, under the user key "local" in region "local"`,
	}
	if diff := cmp.Diff(want, cfg.Warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}

	_, err = load(t, ws, nil, true, map[string]string{"INPUT_RUNTIME_NAME": "my-runtime"})
	ies := InputErrors(err)
	if len(ies) != 1 || ies[0].Input != "runtime-name" || !strings.Contains(ies[0].Error(), "INPUT_RUNTIME-NAME") {
		t.Errorf("INPUT_RUNTIME_NAME: %v", err)
	}

	file := filepath.Join(ws, "requirements.txt")
	_, err = load(t, ws, with(nil, "local-dir", file), true, nil)
	ies = InputErrors(err)
	if len(ies) != 1 || ies[0].Input != "local-dir" || !strings.Contains(ies[0].Error(), "is not a directory") {
		t.Errorf("local-dir that is a file: %v", err)
	}
}

// TestInputFilesRegularAndCapped: a device, a FIFO (nobody writes it: opening it would block), a
// file over the cap and a Lithops config of 700k keys are refused quickly with a clear error.
func TestInputFilesRegularAndCapped(t *testing.T) {
	ws := workspace(t)
	fifo := filepath.Join(ws, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(ws, "big.txt")
	if err := os.WriteFile(big, make([]byte, maxRequirementsBytes+1), 0o644); err != nil {
		t.Fatal(err)
	}
	var keys strings.Builder
	keys.WriteString("aws_lambda:\n")
	for i := 0; keys.Len() < maxLithopsConfigBytes-64; i++ {
		fmt.Fprintf(&keys, " k%x: 1\n", i)
	}
	manyKeys := filepath.Join(ws, "manykeys.yaml")
	os.WriteFile(manyKeys, []byte(keys.String()), 0o644)
	var huge strings.Builder
	for i := range 700000 {
		fmt.Fprintf(&huge, "k%d: 1\n", i)
	}
	hugeYAML := filepath.Join(ws, "huge.yaml")
	os.WriteFile(hugeYAML, []byte(huge.String()), 0o644)

	cases := []struct {
		name, input, path string
		want              string
	}{
		{"requirements /dev/zero", "requirements", "/dev/zero", "is not a regular file (a character device)"},
		{"requirements FIFO", "requirements", fifo, "is not a regular file (a named pipe)"},
		{"requirements too big", "requirements", big, "over the limit of 4.0 MiB"},
		{"dockerfile FIFO", "dockerfile", fifo, "is not a regular file (a named pipe)"},
		{"lithops-config /dev/zero", "lithops-config", "/dev/zero", "is not a regular file (a character device)"},
		{"lithops-config FIFO", "lithops-config", fifo, "is not a regular file (a named pipe)"},
		{"lithops-config of 700k keys", "lithops-config", hugeYAML, "over the limit of 1.0 MiB"},
		{"lithops-config of many keys under the size cap", "lithops-config", manyKeys, "more than 20000 YAML nodes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			inputs := map[string]string{tc.input: tc.path}
			if tc.input == "dockerfile" {
				inputs["runtime-name"] = "my-runtime"
			}
			start := time.Now()
			_, err := load(t, ws, inputs, true, nil)
			ies := InputErrors(err)
			if len(ies) != 1 || ies[0].Input != tc.input || !strings.Contains(ies[0].Error(), tc.want) {
				t.Errorf("want one error of %s saying %q, got:\n%v", tc.input, tc.want, err)
			}
			t.Logf("refused in %v", time.Since(start).Round(time.Millisecond))
		})
	}
}

// TestLithopsConfigValuesChecked: values from a Lithops config (the workspace's .lithops_config,
// which a pull request can change) are checked as inputs are, and the error says where they came
// from.
func TestLithopsConfigValuesChecked(t *testing.T) {
	for _, tc := range []struct {
		name, yaml, input, from string
		inputs                  map[string]string
	}{
		{"namespace with a command", "lithops:\n  backend: aws_lambda\naws_lambda:\n  namespace: x$(touch${IFS}pwned)\n", "namespace", "lithops-config aws_lambda.namespace", with(aws)},
		{"aws region a host", "lithops:\n  backend: aws_lambda\naws:\n  region: 127.0.0.1:47999/x?\n", "region", "lithops-config aws.region", with(aws, "region", "")},
		{"fc account a host", "lithops:\n  backend: aliyun_fc\n  storage: aliyun_oss\naliyun:\n  account_id: 127.0.0.1:47999/x?\n", "account-id", "lithops-config aliyun.account_id", with(fc, "account-id", "")},
		{"fc region a host", "lithops:\n  backend: aliyun_fc\n  storage: aliyun_oss\naliyun:\n  region: evil.example.com:1/x?\n", "region", "lithops-config aliyun.region", with(fc, "region", "")},
		{"bucket with a path", "lithops:\n  backend: aws_lambda\naws_s3:\n  storage_bucket: adv-bucket/../other\n", "storage-bucket", "lithops-config aws_s3.storage_bucket", with(aws)},
		{"fc service not an FC name", "lithops:\n  backend: aliyun_fc\n  storage: aliyun_oss\naliyun_fc:\n  service: 1bad/service\n", "fc-service", "lithops-config aliyun_fc.service", with(fc, "lithops-version", "3.6.4", "python-version", "3.10")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ws := workspace(t)
			if err := os.WriteFile(filepath.Join(ws, ".lithops_config"), []byte(tc.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			inputs := map[string]string{}
			for k, v := range tc.inputs {
				if v != "" {
					inputs[k] = v
				}
			}
			_, err := load(t, ws, inputs, true, nil)
			ies := InputErrors(err)
			if len(ies) != 1 || ies[0].Input != tc.input || ies[0].From != tc.from {
				t.Errorf("want one error of %s from %s, got:\n%v", tc.input, tc.from, err)
			}
		})
	}
}
