package oracle

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/config"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/lithops"
)

// The input matrix. Every combination below is evaluated by Lithops' own code (testdata/oracle.py)
// and by pkg/lithops / internal/config, and the results compared byte for byte.
var (
	// STS GetCallerIdentity UserIds: IAM users, assumed roles (with the session after ":"), the
	// root user (the account id), federated users, short and mixed-case ids.
	stsUserIDs = []string{"AIDAEXAMPLEKEY12AB", "AROAEXAMPLE1234:gh-actions-session", "123456789012",
		"AROAXYZ:botocore-session-1700000000", "123456789012:Bob", "AIdAmIxEdCaSe", "AB"}
	// aws_lambda.user_id (or aws.user_id) overrides of the name's user key.
	userIDOverrides = []string{"", "MyCIUser:abc", "x"}
	namespaces      = []string{"", "ns", "team-a_2"}
	awsRuntimes     = []string{"default-runtime-v312", "default-runtime-v39", "default-runtime-v314", "my-rt",
		"MyOrg/Runtime:v1", "UPPER/Case:TAG", "img:latest", "registry.example.com/team/img:2.0",
		"localhost:5000/rt:1", "a/default-runtime-v312", "default-runtime-v312/img", "x/y/default-runtime-v310", "a/default-runtime-v312/b",
		"my.runtime_name-1", "rt:"}
	memories = []int{128, 256, 1769, 10240}
	pythons  = []string{"3.9", "3.10", "3.11", "3.12", "3.13", "3.14"}
	regions  = []string{"us-east-1", "eu-west-1", "ap-southeast-2", "cn-hangzhou"}
	// Aliyun AccessKey ids: long-term (LTAI...), temporary (STS....), lower-case and short ones.
	accessKeyIDs = []string{"LTAI5tAbCdEfGhIjKlMnOpQr", "STS.NUgYrLnoC3Hd9XkqZ7yW", "ltai4FooBar", "LTAI", "AbCdEfGh"}
	fcRuntimes   = []string{"default-python-runtime-v312", "default-runtime-v310", "my_rt-2", "MyRuntime",
		"default-container-runtime-v39", "x"}
	fcServices = []string{"", "my-service"}
	accountIDs = []string{"1234567890123456", ""}
)

// variantsOf are version strings the names embed besides the release itself: a dev build and a
// release candidate of the same release (names embed the string verbatim).
func variantsOf(v string) []string { return []string{v, v + ".dev0", v + "rc1"} }

type awsCase struct {
	ID        string `json:"id"`
	Version   string `json:"version"`
	Python    string `json:"python"`
	STSUserID string `json:"sts_user_id"`
	UserID    string `json:"user_id,omitempty"`
	Account   string `json:"account"`
	Region    string `json:"region"`
	Namespace string `json:"namespace"`
	Runtime   string `json:"runtime"`
	Memory    int    `json:"memory"`
}

type fcCase struct {
	ID          string `json:"id"`
	Version     string `json:"version"`
	Python      string `json:"python"`
	AccessKeyID string `json:"access_key_id"`
	Region      string `json:"region"`
	Service     string `json:"service,omitempty"`
	DeployMode  string `json:"deploy_mode"`
	Runtime     string `json:"runtime"`
	Memory      int    `json:"memory"`
}

type s3Case struct {
	Region    string `json:"region"`
	STSUserID string `json:"sts_user_id"`
}

type ossCase struct {
	Region      string  `json:"region"`
	AccessKeyID string  `json:"access_key_id"`
	Account     *string `json:"account"`
}

type configCase struct {
	ID        string   `json:"id"`
	Python    string   `json:"python"`
	STSUserID string   `json:"sts_user_id"`
	YAML      string   `json:"yaml"`
	Args      []string `json:"-"` // extra inputs our side needs for the same deployment
}

type request struct {
	AWS             []awsCase    `json:"aws"`
	S3              []s3Case     `json:"s3"`
	FC              []fcCase     `json:"fc"`
	OSS             []ossCase    `json:"oss"`
	Pythons         []string     `json:"pythons"`
	MetadataAnswers []string     `json:"metadata_answers"`
	RuntimeTimeout  int          `json:"runtime_timeout"`
	RuntimeKey      string       `json:"runtime_key"`
	Configs         []configCase `json:"configs"`
}

type ecrResult struct {
	Repo       string  `json:"repo"`
	Tag        string  `json:"tag"`
	Created    string  `json:"created"`
	Deployable bool    `json:"deployable"`
	DeployRepo *string `json:"deploy_repo"`
}

type awsResult struct {
	ID             string    `json:"id"`
	UserKey        string    `json:"user_key"`
	Package        string    `json:"package"`
	Function       string    `json:"function"`
	Layer          string    `json:"layer"`
	RuntimeKey     string    `json:"runtime_key"`
	Container      bool      `json:"container"`
	DefaultRuntime string    `json:"default_runtime"`
	DeployKind     string    `json:"deploy_kind"`
	ECR            ecrResult `json:"ecr"`
}

type fcResult struct {
	ID             string  `json:"id"`
	Function       string  `json:"function"`
	RuntimeKey     string  `json:"runtime_key"`
	DefaultRuntime string  `json:"default_runtime"`
	Service        *string `json:"service"`
}

type metadataResult struct {
	Key    string `json:"key"`
	Body   string `json:"body"`
	Answer string `json:"answer"`
}

type configResult struct {
	ID            string  `json:"id"`
	Error         string  `json:"error"`
	Backend       string  `json:"backend"`
	Storage       string  `json:"storage"`
	StorageRegion string  `json:"storage_region"`
	Runtime       string  `json:"runtime"`
	Memory        int     `json:"memory"`
	Timeout       int     `json:"timeout"`
	Region        string  `json:"region"`
	UserKey       string  `json:"user_key"`
	Namespace     *string `json:"namespace"`
	Function      string  `json:"function"`
	Bucket        string  `json:"bucket"`
	Service       *string `json:"service"`
	DeployMode    *string `json:"deploy_mode"`
	RuntimeKey    string  `json:"runtime_key"`
}

type response struct {
	Version    string              `json:"version"`
	File       string              `json:"file"`
	AWS        []awsResult         `json:"aws"`
	S3Buckets  []string            `json:"s3_buckets"`
	FC         []fcResult          `json:"fc"`
	OSSBuckets []string            `json:"oss_buckets"`
	Pythons    map[string][]string `json:"pythons"`
	Metadata   []metadataResult    `json:"metadata"`
	Configs    []configResult      `json:"configs"`
	Stubbed    []string            `json:"stubbed"`
}

//go:embed testdata/oracle.py
var oracleScript []byte

func buildRequest(version string) request {
	req := request{Pythons: []string{"3.6", "3.7", "3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "3.14"}, RuntimeTimeout: 180,
		RuntimeKey: "aws_lambda/" + version + "/us-east-1/lithops-worker-abcd-" + strings.ReplaceAll(version, ".", "") + "-0123456789"}
	i := 0
	for _, vv := range variantsOf(version) {
		for _, sts := range stsUserIDs {
			for _, uid := range userIDOverrides {
				for _, ns := range namespaces {
					rt := awsRuntimes[i%len(awsRuntimes)]
					for _, rt2 := range []string{rt, awsRuntimes[(i+5)%len(awsRuntimes)]} {
						req.AWS = append(req.AWS, awsCase{ID: fmt.Sprint("aws", i), Version: vv, Python: pythons[i%len(pythons)],
							STSUserID: sts, UserID: uid, Account: "123456789012", Region: regions[i%len(regions)], Namespace: ns,
							Runtime: rt2, Memory: memories[i%len(memories)]})
						i++
					}
				}
			}
		}
	}
	for _, r := range regions {
		for _, sts := range stsUserIDs {
			req.S3 = append(req.S3, s3Case{Region: r, STSUserID: sts})
		}
	}
	i = 0
	for _, vv := range variantsOf(version) {
		for _, ak := range accessKeyIDs {
			for _, svc := range fcServices {
				for _, mode := range []string{"runtime", "custom-container"} {
					for _, rt := range fcRuntimes {
						req.FC = append(req.FC, fcCase{ID: fmt.Sprint("fc", i), Version: vv, Python: pythons[i%len(pythons)],
							AccessKeyID: ak, Region: regions[i%len(regions)], Service: svc, DeployMode: mode, Runtime: rt,
							Memory: memories[i%len(memories)]})
						i++
					}
				}
			}
		}
	}
	for _, r := range regions {
		for _, ak := range accessKeyIDs {
			for _, acc := range accountIDs {
				acc := acc
				req.OSS = append(req.OSS, ossCase{Region: r, AccessKeyID: ak, Account: &acc})
			}
			req.OSS = append(req.OSS, ossCase{Region: r, AccessKeyID: ak}) // no account_id key at all
		}
	}
	req.MetadataAnswers = []string{
		// As a runtime answers: sorted (get_runtime_metadata sorts), any Unicode in module names.
		`{"preinstalls": [["A", true], ["_x", false], ["a\ud83d\ude00", false], ["q\"uote\\", true], ["zz\u00e9", true]], "python_version": "3.12", "lithops_version": "` + version + `"}`,
		`{"preinstalls": [], "python_version": "3.10", "lithops_version": "` + version + `.dev0"}`,
	}
	req.Configs = configCases()
	return req
}

// configCases are real-looking Lithops config files.
func configCases() []configCase {
	const awsCreds = "  access_key_id: AKIAEXAMPLEKEY\n  secret_access_key: secret\n"
	const aliyunCreds = "  access_key_id: LTAI5tConfigKey0001\n  access_key_secret: secret\n  account_id: '1234567890123456'\n"
	return []configCase{
		{ID: "aws-minimal", Python: "3.12", STSUserID: "AIDAEXAMPLEKEY12AB",
			YAML: "lithops:\n  backend: aws_lambda\naws:\n  region: us-east-1\n" + awsCreds + "aws_lambda:\n  execution_role: arn:aws:iam::123456789012:role/lithops\n"},
		{ID: "aws-runtime-default", Python: "3.12", STSUserID: "AROAEXAMPLE1234:session",
			YAML: "lithops:\n  backend: aws_lambda\n  storage: aws_s3\naws:\n  region: eu-west-1\naws_lambda:\n  execution_role: arn:aws:iam::123456789012:role/lithops\n  runtime: default\n  runtime_memory: 2048\n"},
		{ID: "aws-everything", Python: "3.12", STSUserID: "AROAEXAMPLE1234:session",
			YAML: "lithops:\n  backend: aws_lambda\n  storage: aws_s3\naws:\n  region: us-east-1\n  namespace: team\n  user_id: AIDAFROMCONFIG9876\n" + awsCreds +
				"aws_lambda:\n  execution_role: arn:aws:iam::123456789012:role/lithops\n  region_name: eu-central-1\n  runtime: my-runtime\n  runtime_memory: 1024\n  runtime_timeout: 600\naws_s3:\n  region: us-west-2\n  storage_bucket: my-lithops-bucket\n"},
		{ID: "aws-lambda-only-region", Python: "3.12", STSUserID: "AIDAEXAMPLEKEY12AB",
			YAML: "lithops:\n  backend: aws_lambda\n  storage_bucket: not-read-by-lithops\naws_lambda:\n  execution_role: arn:aws:iam::123456789012:role/lithops\n  region: ap-southeast-2\n  user_id: LambdaUser:xyz\n  namespace: ns1\n"},
		{ID: "aws-region-name-in-aws", Python: "3.12", STSUserID: "AIDAEXAMPLEKEY12AB",
			YAML: "lithops:\n  backend: aws_lambda\naws:\n  region_name: ap-south-1\naws_lambda:\n  execution_role: arn:aws:iam::123456789012:role/lithops\n  region: eu-west-1\n"},
		{ID: "aws-bucket-in-aws-section", Python: "3.12", STSUserID: "AIDAEXAMPLEKEY12AB",
			YAML: "lithops:\n  backend: aws_lambda\naws:\n  region: us-east-2\n  storage_bucket: shared-bucket\naws_lambda:\n  execution_role: arn:aws:iam::123456789012:role/lithops\n  runtime_timeout: 30\n"},
		{ID: "aws-storage-region-differs", Python: "3.12", STSUserID: "AROAEXAMPLE1234:session",
			YAML: "lithops:\n  backend: aws_lambda\naws:\n  user_id: ConfigUser\naws_lambda:\n  execution_role: arn:aws:iam::123456789012:role/lithops\n  region: us-east-1\naws_s3:\n  region: eu-north-1\n"},
		{ID: "aliyun-minimal", Python: "3.10", YAML: "lithops:\n  backend: aliyun_fc\n  storage: aliyun_oss\naliyun:\n  region: cn-hangzhou\n" + aliyunCreds + "aliyun_fc:\n  role_arn: acs:ram::1234567890123456:role/lithops\n"},
		{ID: "aliyun-everything", Python: "3.10",
			YAML: "lithops:\n  backend: aliyun_fc\n  storage: aliyun_oss\naliyun:\n  region: cn-hangzhou\n" + aliyunCreds +
				"aliyun_fc:\n  role_arn: acs:ram::1234567890123456:role/lithops\n  region: cn-shanghai\n  runtime: my_runtime\n  runtime_memory: 512\n  runtime_timeout: 900\n  service: my-service\n  deploy_mode: runtime\naliyun_oss:\n  region: cn-beijing\n"},
		{ID: "aliyun-default-runtime", Python: "3.10",
			YAML: "lithops:\n  backend: aliyun_fc\n  storage: aliyun_oss\naliyun:\n  region: cn-shenzhen\n  storage_bucket: bucket-from-aliyun\n" + aliyunCreds +
				"aliyun_fc:\n  role_arn: acs:ram::1234567890123456:role/lithops\n  runtime: default\n"},
		{ID: "aliyun-oss-bucket", Python: "3.10",
			YAML: "lithops:\n  backend: aliyun_fc\n  storage: aliyun_oss\naliyun:\n  region: cn-hangzhou\n" + aliyunCreds +
				"aliyun_fc:\n  role_arn: acs:ram::1234567890123456:role/lithops\naliyun_oss:\n  storage_bucket: oss-bucket\n"},
	}
}

// runOracle runs testdata/oracle.py with the real lithops==version.
func runOracle(t *testing.T, python, version string, req request) response {
	t.Helper()
	site := lithopsSite(t, python, version)
	script := filepath.Join(t.TempDir(), "oracle.py")
	if err := os.WriteFile(script, oracleScript, 0o644); err != nil {
		t.Fatal(err)
	}
	in, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, "-I", script)
	home := t.TempDir()
	// No PATH: nothing Lithops might start (docker, pip) can run.
	cmd.Env = []string{"PATH=" + filepath.Join(home, "no-programs"), "HOME=" + home, "TMPDIR=" + home, "PYTHONHASHSEED=0"}
	cmd.Dir = home
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	// -I ignores PYTHONPATH: the script puts the wheel first on sys.path itself.
	cmd.Args = append(cmd.Args, site)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("Lithops %s oracle: %v\n%s", version, err, stderr.String())
	}
	var res response
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("Lithops %s oracle output: %v\n%s", version, err, out)
	}
	if res.Version != version || !strings.HasPrefix(res.File, site) {
		t.Fatalf("the oracle imported lithops %s from %s, want %s from %s", res.Version, res.File, version, site)
	}
	return res
}

func python3(t *testing.T) string {
	p, err := exec.LookPath("python3")
	if err != nil {
		t.Fatalf("python3 is needed to run Lithops' own code (.ci/run puts pyenv's Pythons on PATH): %v", err)
	}
	// The oracle runs with no PATH; a launcher such as pyenv's shim (a bash script) needs one, so
	// run the interpreter it launches.
	out, err := exec.Command(p, "-c", "import sys; print(sys.executable)").Output()
	if err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	return strings.TrimSpace(string(out))
}

// TestLithopsOracle compares every name, key, bucket, metadata object and config value with the
// real Lithops of each supported release.
func TestLithopsOracle(t *testing.T) {
	python := python3(t)
	for _, version := range lithops.VerifiedVersions {
		t.Run(version, func(t *testing.T) {
			t.Parallel()
			req := buildRequest(version)
			sn := snippets(t, version)
			for _, c := range sn {
				req.Configs = append(req.Configs, configCase{ID: c.id, Python: c.py, STSUserID: c.sts, YAML: c.yaml})
			}
			res := runOracle(t, python, version, req)
			v := lithops.MustParseVersion(version)
			t.Run("aws", func(t *testing.T) { compareAWS(t, req, res) })
			t.Run("s3-bucket", func(t *testing.T) { compareS3(t, req, res) })
			t.Run("fc", func(t *testing.T) { compareFC(t, req, res) })
			t.Run("oss-bucket", func(t *testing.T) { compareOSS(t, v, req, res) })
			t.Run("pythons", func(t *testing.T) { comparePythons(t, v, res) })
			t.Run("metadata", func(t *testing.T) { compareMetadata(t, req, res) })
			t.Run("config", func(t *testing.T) { compareConfigs(t, v, req, res) })
			t.Run("summary-config", func(t *testing.T) { compareSnippets(t, v, sn, res.Configs) })
			t.Logf("Lithops %s: %d AWS, %d FC, %d bucket, %d metadata and %d config cases; stubbed modules %v",
				version, len(res.AWS), len(res.FC), len(res.S3Buckets)+len(res.OSSBuckets), len(res.Metadata), len(res.Configs), res.Stubbed)
		})
	}
}

func mustPython(t *testing.T, s string) lithops.Python {
	py, err := lithops.ParsePython(s)
	if err != nil {
		t.Fatal(err)
	}
	return py
}

func compareAWS(t *testing.T, req request, res response) {
	if len(res.AWS) != len(req.AWS) {
		t.Fatalf("%d results for %d cases", len(res.AWS), len(req.AWS))
	}
	for i, c := range req.AWS {
		got := res.AWS[i]
		v := lithops.MustParseVersion(c.Version)
		py := mustPython(t, c.Python)
		uid := c.STSUserID
		if c.UserID != "" {
			uid = c.UserID
		}
		key := lithops.AWSUserKey(uid)
		pkg := lithops.AWSPackage(v, key, c.Namespace)
		fn := lithops.AWSFunctionName(key, v, c.Runtime, c.Memory, c.Namespace)
		kind := "container"
		if lithops.AWSDeploysZip(c.Runtime, py) {
			kind = "zip"
		}
		want := awsResult{ID: c.ID, UserKey: key, Package: pkg, Function: fn,
			Layer: lithops.AWSLayerName(pkg, c.Runtime), RuntimeKey: lithops.RuntimeKey(lithops.AWSLambda, v, c.Region, "", fn),
			Container: lithops.IsAWSContainerRuntime(c.Runtime), DefaultRuntime: lithops.DefaultRuntimeName(lithops.AWSLambda, lithops.PackageZip, py, v),
			DeployKind: kind, ECR: got.ECR}
		repo, tag, err := lithops.AWSECRRepository(pkg, c.Runtime)
		switch {
		case err == nil:
			want.ECR = ecrResult{Repo: repo, Tag: tag, Created: repo, Deployable: true, DeployRepo: &repo}
		case got.ECR.Deployable && got.ECR.Tag != "":
			t.Errorf("%s: we refuse runtime %q (%v), Lithops deploys it from %s:%s", c.ID, c.Runtime, err, got.ECR.Repo, got.ECR.Tag)
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("case %+v: (-pkg/lithops +Lithops %s)\n%s", c, res.Version, d)
		}
	}
}

func compareS3(t *testing.T, req request, res response) {
	var want []string
	for _, c := range req.S3 {
		want = append(want, lithops.DefaultAWSBucket(c.Region, lithops.AWSUserKey(c.STSUserID)))
	}
	if d := cmp.Diff(want, res.S3Buckets); d != "" {
		t.Errorf("default S3 buckets (-pkg/lithops +Lithops %s)\n%s", res.Version, d)
	}
}

func compareFC(t *testing.T, req request, res response) {
	if len(res.FC) != len(req.FC) {
		t.Fatalf("%d results for %d cases", len(res.FC), len(req.FC))
	}
	for i, c := range req.FC {
		v := lithops.MustParseVersion(c.Version)
		py := mustPython(t, c.Python)
		fn, _ := lithops.FCFunctionName(c.Runtime, c.Memory, v) // the string, valid or not
		var service *string
		if lithops.FCGenerationFor(v) == lithops.FC2 {
			s := lithops.FCServiceName(c.AccessKeyID, c.Service)
			service = &s
		}
		pt := lithops.PackageZip
		if c.DeployMode == "custom-container" {
			pt = lithops.PackageImage
		}
		svc := ""
		if service != nil {
			svc = *service
		}
		want := fcResult{ID: c.ID, Function: fn, RuntimeKey: lithops.RuntimeKey(lithops.AliyunFC, v, c.Region, svc, fn),
			DefaultRuntime: lithops.DefaultRuntimeName(lithops.AliyunFC, pt, py, v), Service: service}
		if d := cmp.Diff(want, res.FC[i]); d != "" {
			t.Errorf("case %+v: (-pkg/lithops +Lithops %s)\n%s", c, res.Version, d)
		}
	}
}

func compareOSS(t *testing.T, v lithops.Version, req request, res response) {
	var want []string
	for _, c := range req.OSS {
		acc := ""
		if c.Account != nil {
			acc = *c.Account
		}
		want = append(want, lithops.DefaultOSSBucket(v, c.Region, c.AccessKeyID, acc))
	}
	if d := cmp.Diff(want, res.OSSBuckets); d != "" {
		t.Errorf("default OSS buckets (-pkg/lithops +Lithops %s)\n%s", res.Version, d)
	}
}

// comparePythons checks that every Python this tool accepts for a zip runtime is one Lithops'
// get_runtime_info accepts for the default runtime (the clouds may offer fewer).
func comparePythons(t *testing.T, v lithops.Version, res response) {
	for backend, key := range map[string]string{lithops.AWSLambda: "aws_lambda", lithops.AliyunFC: "aliyun_fc"} {
		for _, py := range lithops.SupportedPythons(backend, lithops.PackageZip, v) {
			if !slices.Contains(res.Pythons[key], py.String()) {
				t.Errorf("we accept Python %s for %s zip runtimes of Lithops %s; Lithops accepts only %v", py, backend, v, res.Pythons[key])
			}
		}
	}
	if lithops.FCGenerationFor(v) == lithops.FC3 {
		for _, py := range lithops.SupportedPythons(lithops.AliyunFC, lithops.PackageImage, v) {
			if !slices.Contains(res.Pythons["aliyun_fc_container"], py.String()) {
				t.Errorf("we accept Python %s for FC custom containers of Lithops %s; Lithops accepts only %v", py, v, res.Pythons["aliyun_fc_container"])
			}
		}
	}
}

func compareMetadata(t *testing.T, req request, res response) {
	if len(res.Metadata) != len(req.MetadataAnswers)+1 {
		t.Fatalf("%d metadata results for %d answers", len(res.Metadata), len(req.MetadataAnswers)+1)
	}
	for _, m := range res.Metadata {
		md, err := lithops.DecodeMetadata([]byte(m.Answer))
		if err != nil {
			t.Fatalf("decoding the runtime's answer: %v", err)
		}
		md.RuntimeTimeout = req.RuntimeTimeout
		body, err := base64.StdEncoding.DecodeString(m.Body)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(string(body), string(md.Encode())); d != "" {
			t.Errorf("metadata object bytes (-Lithops %s put_runtime_meta +pkg/lithops Encode)\n%s", res.Version, d)
		}
		if want := lithops.MetadataKey(req.RuntimeKey); m.Key != want {
			t.Errorf("metadata key: Lithops %q, pkg/lithops %q", m.Key, want)
		}
	}
}

// compareConfigs reads each config file with internal/config and compares what a deployment
// would use with what Lithops' own loader and backends resolve.
func compareConfigs(t *testing.T, v lithops.Version, req request, res response) {
	for i, c := range req.Configs {
		if strings.HasPrefix(c.ID, "snippet-") {
			continue // compareSnippets
		}
		got := res.Configs[i]
		t.Run(c.ID, func(t *testing.T) {
			if got.Error != "" {
				t.Fatalf("Lithops %s refuses the config: %s", v, got.Error)
			}
			path := filepath.Join(t.TempDir(), "lithops_config.yaml")
			if err := os.WriteFile(path, []byte(c.YAML), 0o644); err != nil {
				t.Fatal(err)
			}
			args := append([]string{"--lithops-config", path, "--lithops-version", v.String(), "--python-version", c.Python, "--dry-run", "true", "--smoke-test", "false"}, c.Args...)
			cfg, err := config.Load(context.Background(), args, config.Env{Getenv: func(string) string { return "" }, Workdir: t.TempDir()})
			if err != nil {
				t.Fatalf("internal/config refuses what Lithops %s reads: %v", v, err)
			}
			ours := configResult{ID: c.ID, Backend: cfg.Backend, Storage: map[string]string{lithops.AWSLambda: "aws_s3", lithops.AliyunFC: "aliyun_oss"}[cfg.Backend], StorageRegion: cfg.StorageRegion,
				Runtime: cfg.RuntimeName, Memory: cfg.Memory[0], Timeout: cfg.Timeout, Region: cfg.Region, Bucket: cfg.StorageBucket}
			switch cfg.Backend {
			case lithops.AWSLambda:
				uid := cfg.UserID
				if uid == "" {
					uid = c.STSUserID
				}
				ours.UserKey = lithops.AWSUserKey(uid)
				if cfg.Namespace != "" {
					ns := cfg.Namespace
					ours.Namespace = &ns
				}
				ours.Function = lithops.AWSFunctionName(ours.UserKey, v, cfg.RuntimeName, cfg.Memory[0], cfg.Namespace)
				if ours.Bucket == "" {
					ours.Bucket = lithops.DefaultAWSBucket(cfg.StorageRegion, lithops.AWSUserKey(c.STSUserID))
				}
			case lithops.AliyunFC:
				if ours.Bucket == "" {
					ours.Bucket = lithops.DefaultOSSBucket(v, cfg.StorageRegion, cfg.ClientAccessKeyID, cfg.AccountID)
				}
				fn, _ := lithops.FCFunctionName(cfg.RuntimeName, cfg.Memory[0], v)
				ours.RuntimeKey = lithops.RuntimeKey(lithops.AliyunFC, v, cfg.Region, cfg.FCService, fn)
				if cfg.FCService != "" {
					s := cfg.FCService
					ours.Service = &s
				}
				if cfg.DeployMode != "" {
					m := cfg.DeployMode
					ours.DeployMode = &m
				}
			}
			want := got
			if d := cmp.Diff(want, ours); d != "" {
				t.Errorf("config %s:\n%s\n(-Lithops %s +internal/config)\n%s", c.ID, c.YAML, v, d)
			}
		})
	}
}
