package cli

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/google/go-cmp/cmp"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/fakeaws"
)

// awsDeploy is one deployment target in the fake AWS account, and how to run the program at it.
type awsDeploy struct {
	cloud *fakeaws.Cloud
	ws    string
	env   map[string]string
	args  []string
}

func newAWSDeploy(t *testing.T, extra ...string) *awsDeploy {
	t.Helper()
	cloud := fakeaws.Start(t)
	// The program's own environment: the fake's service endpoints override a machine-wide
	// AWS_ENDPOINT_URL, and the process environment is left alone (the tests run in parallel).
	env := cloud.Env(t.TempDir())
	ws := t.TempDir()
	writeFile(t, filepath.Join(ws, "requirements.txt"), "acme-text-utils\n")
	args := append([]string{"--backend", "aws_lambda", "--role", fakeaws.DefaultRole, "--requirements", "requirements.txt",
		"--lithops-version", "3.7.0", "--python-version", "3.12", "--memory", "256,1024"}, extra...)
	return &awsDeploy{cloud: cloud, ws: ws, env: env, args: args}
}

func (d *awsDeploy) run(t *testing.T, extra ...string) *session {
	t.Helper()
	return runMain(t, d.ws, d.env, append(append([]string{}, d.args...), extra...)...)
}

// The names a Lithops 3.7.0 client with user key "mple" (the fake's STS UserId) computes for
// default-runtime-v312, by the contract's formulas, independently of pkg/lithops.
var (
	awsFunctions = []string{functionName("mple", "3.7.0", "default-runtime-v312", 256), functionName("mple", "3.7.0", "default-runtime-v312", 1024)}
	awsLayer     = "lithops_v370_mple_default-runtime-v312_layer"
	awsBucket    = "lithops-us-east-1-mple"
)

func awsMetadataKey(fn string) string {
	return "lithops.runtimes/aws_lambda/3.7.0/us-east-1/" + fn + ".meta.json"
}

// TestAWSLambdaZipRuntimeLifecycle deploys a zip runtime with two memory sizes into the fake AWS,
// smoke-tests it by really running the handler, then redeploys unchanged, changes a requirement,
// and deploys a failing runtime, checking the cloud's state after each step.
func TestAWSLambdaZipRuntimeLifecycle(t *testing.T) {
	parallelOffline(t, goodWheels)
	d := newAWSDeploy(t)

	// 1. First deploy: a layer, two functions, metadata for both.
	first := d.run(t)
	if first.code != 0 {
		t.Fatalf("first deploy: exit %d\n%s", first.code, first.stderr.String())
	}
	out := first.outputs()
	layerV1 := "arn:aws:lambda:us-east-1:123456789012:layer:" + awsLayer + ":1"
	want := map[string]string{
		"runtime-name":    "default-runtime-v312",
		"function-name":   awsFunctions[0],
		"function-arn":    "arn:aws:lambda:us-east-1:123456789012:function:" + awsFunctions[0],
		"runtime-key":     "aws_lambda/3.7.0/us-east-1/" + awsFunctions[0],
		"metadata-key":    awsMetadataKey(awsFunctions[0]),
		"layer-arn":       layerV1,
		"python-version":  "3.12",
		"lithops-version": "3.7.0",
		"package-type":    "zip",
		"changed":         "true",
	}
	for k, w := range want {
		if out[k] != w {
			t.Errorf("output %s = %q, want %q", k, out[k], w)
		}
	}
	var names []string
	if err := json.Unmarshal([]byte(out["function-names"]), &names); err != nil || !cmp.Equal(names, awsFunctions) {
		t.Errorf("function-names = %s, want %v", out["function-names"], awsFunctions)
	}
	if got := d.cloud.FunctionNames(); !cmp.Equal(got, sorted(awsFunctions)) {
		t.Errorf("functions in the account: %v, want %v", got, awsFunctions)
	}
	for i, fn := range awsFunctions {
		st, ok := d.cloud.Function(fn)
		if !ok {
			t.Fatalf("function %s missing", fn)
		}
		c := st.Configuration
		if c.Runtime != "python3.12" || c.Handler != "entry_point.lambda_handler" || c.Role != fakeaws.DefaultRole ||
			int(c.MemorySize) != []int{256, 1024}[i] || c.Timeout != 180 || c.PackageType != "Zip" ||
			!cmp.Equal(c.Architectures, []string{"x86_64"}) || len(c.Layers) != 1 || c.Layers[0].Arn != layerV1 || c.State != "Active" {
			t.Errorf("function %s configuration: %+v", fn, c)
		}
		if diff := cmp.Diff(map[string]string{"runtime_name": "default-runtime-v312", "lithops_version": "3.7.0"}, st.Tags); diff != "" {
			t.Errorf("function %s tags (-want +got):\n%s", fn, diff)
		}
		body, ok := d.cloud.Object(awsBucket, awsMetadataKey(fn))
		if !ok {
			t.Fatalf("metadata %s not in bucket %s: %v", awsMetadataKey(fn), awsBucket, d.cloud.Objects(awsBucket))
		}
		var md struct {
			Python   string   `json:"python_version"`
			Lithops  string   `json:"lithops_version"`
			Timeout  int      `json:"runtime_timeout"`
			Preinsts [][]any  `json:"preinstalls"`
			Keys     []string `json:"-"`
		}
		if err := json.Unmarshal(body, &md); err != nil {
			t.Fatalf("metadata %s: %v\n%s", fn, err, body)
		}
		if md.Python != "3.12" || md.Lithops != "3.7.0" || md.Timeout != 180 || !hasPreinstall(md.Preinsts, "acmetext") {
			t.Errorf("metadata %s: %s", fn, body)
		}
	}
	if got := d.cloud.LayerVersions(awsLayer); len(got) != 1 {
		t.Errorf("layer versions after the first deploy: %v", got)
	}
	if n := d.cloud.CountCalls("Invoke"); n != 2 {
		t.Errorf("smoke test invoked %d times, want once per function", n)
	}
	metaV1, _ := d.cloud.Object(awsBucket, awsMetadataKey(awsFunctions[0]))

	// 2. Unchanged redeploy: no mutating call at all, no upload.
	d.cloud.ResetCalls()
	second := d.run(t)
	if second.code != 0 {
		t.Fatalf("unchanged redeploy: exit %d\n%s", second.code, second.stderr.String())
	}
	if got := second.outputs()["changed"]; got != "false" {
		t.Errorf("unchanged redeploy: changed=%s", got)
	}
	if m := d.cloud.MutatingCalls(); len(m) != 0 {
		t.Errorf("unchanged redeploy made mutating calls: %+v", m)
	}
	if got := d.cloud.LayerVersions(awsLayer); len(got) != 1 {
		t.Errorf("unchanged redeploy published a layer version: %v", got)
	}

	// 3. A requirement more: a new layer version, both functions updated to it, code unchanged.
	writeFile(t, filepath.Join(d.ws, "requirements.txt"), "acme-text-utils\nsix\n")
	before := map[string]fakeaws.FunctionState{}
	for _, fn := range awsFunctions {
		before[fn], _ = d.cloud.Function(fn)
	}
	d.cloud.ResetCalls()
	third := d.run(t)
	if third.code != 0 {
		t.Fatalf("requirement change: exit %d\n%s", third.code, third.stderr.String())
	}
	layerV2 := strings.TrimSuffix(layerV1, ":1") + ":2"
	if o := third.outputs(); o["changed"] != "true" || o["layer-arn"] != layerV2 {
		t.Errorf("requirement change: changed=%s layer-arn=%s", o["changed"], o["layer-arn"])
	}
	if n := d.cloud.CountCalls("UpdateFunctionCode"); n != 0 {
		t.Errorf("the function code was uploaded %d times although only the requirements changed", n)
	}
	for _, fn := range awsFunctions {
		st, _ := d.cloud.Function(fn)
		if len(st.Configuration.Layers) != 1 || st.Configuration.Layers[0].Arn != layerV2 {
			t.Errorf("function %s layers %+v, want %s", fn, st.Configuration.Layers, layerV2)
		}
		if st.Configuration.CodeSha256 != before[fn].Configuration.CodeSha256 {
			t.Errorf("function %s code changed", fn)
		}
		body, _ := d.cloud.Object(awsBucket, awsMetadataKey(fn))
		if !strings.Contains(string(body), `"six"`) {
			t.Errorf("metadata of %s does not list six after the requirement change: %s", fn, body)
		}
	}
	_ = metaV1

	// 4. A runtime whose handler raises: the smoke test fails, the functions are restored exactly
	// (code and configuration), and the metadata stays as it was.
	for _, fn := range awsFunctions {
		before[fn], _ = d.cloud.Function(fn)
	}
	metaBefore := map[string][]byte{}
	for _, fn := range awsFunctions {
		metaBefore[fn], _ = d.cloud.Object(awsBucket, awsMetadataKey(fn))
	}
	useWheels(t, raisingWheels)
	env, outFile, _ := actionsEnv(t, nil)
	maps.Copy(env, d.env)
	failing := runMain(t, d.ws, env, d.args...)
	if failing.code != 1 {
		t.Fatalf("failing runtime: exit %d, want 1\n%s", failing.code, failing.stdout.String())
	}
	log := failing.stdout.String()
	for _, w := range []string{"smoke test of function " + awsFunctions[0] + " failed", "stand-in failure: the runtime is broken", "restored", "::error::"} {
		if !strings.Contains(log, w) {
			t.Errorf("failing runtime: log lacks %q:\n%s", w, log)
		}
	}
	if data := readFileString(t, outFile); data != "" {
		t.Errorf("failing runtime published outputs: %s", data)
	}
	for _, fn := range awsFunctions {
		after, _ := d.cloud.Function(fn)
		if diff := cmp.Diff(comparable(before[fn]), comparable(after)); diff != "" {
			t.Errorf("function %s not restored exactly (-before +after):\n%s", fn, diff)
		}
		meta, _ := d.cloud.Object(awsBucket, awsMetadataKey(fn))
		if string(meta) != string(metaBefore[fn]) {
			t.Errorf("metadata of %s changed by the failing run", fn)
		}
	}

	// The restored runtime is the good one: the next run with it changes nothing.
	useWheels(t, goodWheels)
	d.cloud.ResetCalls()
	if s := d.run(t); s.code != 0 || s.outputs()["changed"] != "false" || len(d.cloud.MutatingCalls()) != 0 {
		t.Errorf("after the failed run: exit %d changed=%s mutating calls %+v\n%s", s.code, s.outputs()["changed"], d.cloud.MutatingCalls(), s.stderr.String())
	}
}

// comparable drops what Lambda changes on every write (revision, modification time).
func comparable(st fakeaws.FunctionState) fakeaws.FunctionState {
	st.Configuration.RevisionId = ""
	st.Configuration.LastModified = ""
	return st
}

func hasPreinstall(pre [][]any, module string) bool {
	for _, p := range pre {
		if len(p) > 0 && p[0] == module {
			return true
		}
	}
	return false
}

func sorted(s []string) []string {
	out := append([]string{}, s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// TestAWSLambdaDryRunMakesNoMutatingCall plans against the live state and changes nothing.
func TestAWSLambdaDryRunMakesNoMutatingCall(t *testing.T) {
	parallelOffline(t, goodWheels)
	d := newAWSDeploy(t)
	s := d.run(t, "--dry-run", "true")
	if s.code != 0 {
		t.Fatalf("exit %d\n%s", s.code, s.stderr.String())
	}
	if m := d.cloud.MutatingCalls(); len(m) != 0 {
		t.Errorf("dry run made mutating calls: %+v", m)
	}
	log := s.stderr.String()
	for _, w := range []string{"create", awsFunctions[0], awsFunctions[1], awsLayer, "zipped", "unzipped", "inline"} {
		if !strings.Contains(log, w) {
			t.Errorf("plan lacks %q:\n%s", w, log)
		}
	}
	if s.outputs()["changed"] != "false" || len(d.cloud.FunctionNames()) != 0 {
		t.Errorf("dry run: changed=%s functions %v", s.outputs()["changed"], d.cloud.FunctionNames())
	}
}

func readFileString(t *testing.T, path string) string {
	t.Helper()
	data, _ := os.ReadFile(path)
	return string(data)
}

// TestAWSLambdaSummaryTellsClientSettings: the step summary gives the Lithops config that makes a
// client compute the names deployed.
func TestAWSLambdaSummaryTellsClientSettings(t *testing.T) {
	parallelOffline(t, goodWheels)
	d := newAWSDeploy(t, "--memory", "512")
	env, _, summary := actionsEnv(t, nil)
	maps.Copy(env, d.env)
	s := runMain(t, d.ws, env, d.args...)
	if s.code != 0 {
		t.Fatalf("exit %d\n%s", s.code, s.stdout.String())
	}
	sum := readFileString(t, summary)
	for _, w := range []string{"user_id: mple", "storage_bucket: " + awsBucket, "default-runtime-v312", functionName("mple", "3.7.0", "default-runtime-v312", 512)} {
		if !strings.Contains(sum, w) {
			t.Errorf("summary lacks %q:\n%s", w, sum)
		}
	}
	if !strings.Contains(s.stdout.String(), "user_key=mple") {
		t.Errorf("log does not name the user key:\n%s", s.stdout.String())
	}
}

// TestMetadataNotWrittenOverAConcurrentChange: when another deployment replaces a function's code
// after this run's smoke test, this run does not write metadata describing code that is no longer
// there, and says why.
func TestMetadataNotWrittenOverAConcurrentChange(t *testing.T) {
	parallelOffline(t, goodWheels)
	d := newAWSDeploy(t, "--memory", "256")
	other := otherZip(t)
	var once sync.Once
	d.cloud.Fault = func(op, target string) *fakeaws.Error {
		if op == "Invoke" {
			once.Do(func() {
				// Another deployment updates the function while this run's smoke test starts.
				lc := d.lambdaClient(t)
				if _, err := lc.UpdateFunctionCode(context.Background(), &lambda.UpdateFunctionCodeInput{FunctionName: aws.String(target), ZipFile: other}); err != nil {
					t.Errorf("the concurrent update: %v", err)
				}
			})
		}
		return nil
	}
	s := d.run(t)
	if s.code != 1 || !strings.Contains(s.stderr.String(), "runs other code than this run deployed and smoke-tested") {
		t.Fatalf("exit %d\n%s", s.code, s.stderr.String())
	}
	if _, ok := d.cloud.Object(awsBucket, awsMetadataKey(awsFunctions[0])); ok {
		t.Error("metadata was written for code the function no longer runs")
	}
}

// otherZip is a valid function zip that is not this run's.
func otherZip(t *testing.T) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("entry_point.py")
	w.Write([]byte("def lambda_handler(event, context):\n    return {'other': True}\n"))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func (d *awsDeploy) lambdaClient(t *testing.T) *lambda.Client {
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRetryMaxAttempts(1), config.WithRegion(d.env["AWS_REGION"]),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(d.env["AWS_ACCESS_KEY_ID"], d.env["AWS_SECRET_ACCESS_KEY"], "")))
	if err != nil {
		t.Fatal(err)
	}
	return lambda.NewFromConfig(cfg, func(o *lambda.Options) { o.BaseEndpoint = aws.String(d.env["AWS_ENDPOINT_URL_LAMBDA"]) })
}
