package fakeaws_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/fakeaws"
)

func clients(t *testing.T, c *fakeaws.Cloud) (*lambda.Client, *sts.Client) {
	t.Helper()
	c.Setenv(t)
	t.Setenv("AWS_ENDPOINT_URL", "")
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRetryMaxAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	return lambda.NewFromConfig(cfg), sts.NewFromConfig(cfg)
}

// zipWith returns a zip holding name with size bytes of content (zeros compress to almost nothing).
func zipWith(t *testing.T, files map[string]string, zeros int64) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, content := range files {
		w, _ := zw.Create(name)
		io.WriteString(w, content)
	}
	if zeros > 0 {
		w, _ := zw.Create("python/zeros.bin")
		io.CopyN(w, zeroReader{}, zeros)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }

const handler = "import sys\ndef lambda_handler(event, context):\n    return {'python': '%d.%d' % sys.version_info[:2], 'mem': context.memory_limit_in_mb}\n"

func errorCode(err error) string {
	var ae interface{ ErrorCode() string }
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// TestLambdaLifecycleLikeAWS checks the states, conflicts and conditions a deploy tool must
// handle, through the real SDK.
func TestLambdaLifecycleLikeAWS(t *testing.T) {
	cloud := fakeaws.Start(t)
	cloud.Settle = 300 * time.Millisecond
	lc, sc := clients(t, cloud)
	ctx := context.Background()

	id, err := sc.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.UserId) != fakeaws.UserID || aws.ToString(id.Account) != fakeaws.Account {
		t.Fatalf("GetCallerIdentity: %+v %v", id, err)
	}

	code := zipWith(t, map[string]string{"entry_point.py": handler}, 0)
	create := &lambda.CreateFunctionInput{
		FunctionName: aws.String("f"), Runtime: types.RuntimePython312, Handler: aws.String("entry_point.lambda_handler"),
		Role: aws.String("arn:aws:iam::123456789012:role/missing"), Code: &types.FunctionCode{ZipFile: code}, MemorySize: aws.Int32(512),
	}
	if _, err := lc.CreateFunction(ctx, create); errorCode(err) != "InvalidParameterValueException" || !strings.Contains(err.Error(), "cannot be assumed by Lambda") {
		t.Errorf("create with a role the account lacks: %v", err)
	}
	create.Role = aws.String(fakeaws.DefaultRole)
	out, err := lc.CreateFunction(ctx, create)
	if err != nil {
		t.Fatal(err)
	}
	if out.State != types.StatePending || aws.ToString(out.CodeSha256) == "" {
		t.Errorf("after create: state %s sha %s", out.State, aws.ToString(out.CodeSha256))
	}
	if _, err := lc.CreateFunction(ctx, create); errorCode(err) != "ResourceConflictException" {
		t.Errorf("second create: %v", err)
	}
	if _, err := lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("f")}); errorCode(err) != "ResourceConflictException" || !strings.Contains(err.Error(), "Pending") {
		t.Errorf("invoke while Pending: %v", err)
	}
	if _, err := lc.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("f"), Timeout: aws.Int32(9)}); errorCode(err) != "ResourceConflictException" {
		t.Errorf("update while Pending: %v", err)
	}
	waitActive := lambda.NewFunctionActiveV2Waiter(lc, func(o *lambda.FunctionActiveV2WaiterOptions) { o.MinDelay = 50 * time.Millisecond })
	if err := waitActive.Wait(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("f")}, 10*time.Second); err != nil {
		t.Fatal(err)
	}

	got, err := lc.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("f")})
	if err != nil {
		t.Fatal(err)
	}
	rev := aws.ToString(got.Configuration.RevisionId)
	if _, err := lc.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("f"), Timeout: aws.Int32(9), RevisionId: aws.String(rev)}); err != nil {
		t.Fatal(err)
	}
	if _, err := lc.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("f"), ZipFile: code}); errorCode(err) != "ResourceConflictException" || !strings.Contains(err.Error(), "An update is in progress") {
		t.Errorf("update while InProgress: %v", err)
	}
	waitUpdated := lambda.NewFunctionUpdatedV2Waiter(lc, func(o *lambda.FunctionUpdatedV2WaiterOptions) { o.MinDelay = 50 * time.Millisecond })
	if err := waitUpdated.Wait(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("f")}, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if _, err := lc.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("f"), ZipFile: code, RevisionId: aws.String(rev)}); errorCode(err) != "PreconditionFailedException" {
		t.Errorf("update with a stale revision: %v", err)
	}

	inv, err := lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("f"), Payload: []byte(`{}`), LogType: types.LogTypeTail})
	if err != nil {
		t.Fatal(err)
	}
	if string(inv.Payload) != `{"python": "3.12", "mem": "512"}` /* memory_limit_in_mb is a str on Lambda */ || inv.FunctionError != nil || aws.ToString(inv.LogResult) == "" {
		t.Errorf("invoke: payload %s error %v log %q", inv.Payload, aws.ToString(inv.FunctionError), aws.ToString(inv.LogResult))
	}

	// Lambda's size limits, with its messages.
	huge := zipWith(t, nil, 262144001)
	if _, err := lc.PublishLayerVersion(ctx, &lambda.PublishLayerVersionInput{LayerName: aws.String("huge"), Content: &types.LayerVersionContentInput{ZipFile: huge}}); err == nil ||
		!strings.Contains(err.Error(), "Unzipped size must be smaller than 262144000 bytes") {
		t.Errorf("layer over the unzipped limit: %v", err)
	}
	half := zipWith(t, nil, 140_000_000)
	l, err := lc.PublishLayerVersion(ctx, &lambda.PublishLayerVersionInput{LayerName: aws.String("half"), Content: &types.LayerVersionContentInput{ZipFile: half}})
	if err != nil {
		t.Fatal(err)
	}
	create.FunctionName = aws.String("g")
	create.Code = &types.FunctionCode{ZipFile: zipWith(t, map[string]string{"entry_point.py": handler}, 130_000_000)}
	create.Layers = []string{aws.ToString(l.LayerVersionArn)}
	if _, err := lc.CreateFunction(ctx, create); err == nil || !strings.Contains(err.Error(), "Function code combined with layers exceeds the maximum allowed size of 262144000 bytes") {
		t.Errorf("function and layers over the unzipped limit: %v", err)
	}
}

// TestLambdaRejectsImageIndexes: Lambda takes a single-platform image manifest, not an index
// (what BuildKit makes with attestations); the fake answers as Lambda does.
func TestLambdaRejectsImageIndexes(t *testing.T) {
	cloud := fakeaws.Start(t)
	lc, _ := clients(t, cloud)
	idx, err := random.Index(256, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := name.NewTag(cloud.ECR.Host() + "/multi:latest")
	if err != nil {
		t.Fatal(err)
	}
	ecrClient := ecr.NewFromConfig(mustConfig(t))
	if _, err := ecrClient.CreateRepository(context.Background(), &ecr.CreateRepositoryInput{RepositoryName: aws.String("multi")}); err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(ref, idx, remote.WithAuth(cloud.RegistryAuth)); err != nil {
		t.Fatal(err)
	}
	d, _ := idx.Digest()
	uri := cloud.ECR.Host() + "/multi@" + d.String()
	_, err = lc.CreateFunction(context.Background(), &lambda.CreateFunctionInput{
		FunctionName: aws.String("img"), PackageType: types.PackageTypeImage, Role: aws.String(fakeaws.DefaultRole),
		Code: &types.FunctionCode{ImageUri: aws.String(uri)},
	})
	if errorCode(err) != "InvalidParameterValueException" || !strings.Contains(err.Error(), "The image manifest, config or layer media type for the source image "+uri+" is not supported") {
		t.Errorf("creating a function from an image index: %v", err)
	}
}

func mustConfig(t *testing.T) aws.Config {
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRetryMaxAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}
