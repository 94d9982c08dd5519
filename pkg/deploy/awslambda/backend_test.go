package awslambda_test

import (
	"context"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/fakeaws"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/zipbundle"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy/awslambda"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/lithops"
)

// zipOf writes a zip of files (name -> content) and returns its bundle.
func zipOf(t *testing.T, prefix string, files map[string][]byte) *zipbundle.Bundle {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := zipbundle.Write(context.Background(), filepath.Join(t.TempDir(), "out.zip"), []zipbundle.Source{{Dir: dir, Prefix: prefix}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func randomBytes(t *testing.T, n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func newBackend(t *testing.T, cloud *fakeaws.Cloud) *awslambda.Backend {
	t.Helper()
	cloud.Setenv(t)
	t.Setenv("AWS_ENDPOINT_URL", "")
	b, err := awslambda.NewFromEnvironment(context.Background(), awslambda.Options{
		Region: "us-east-1", Role: fakeaws.DefaultRole, WaitMinDelay: 20 * time.Millisecond, WaitMaxDelay: 100 * time.Millisecond,
	}, awslambda.ClientOptions{S3PathStyle: true})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func request(art *build.Artifact, mem ...int) *deploy.Request {
	return &deploy.Request{
		RuntimeName: "default-runtime-v312", Lithops: lithops.MustParseVersion("3.7.0"), Python: lithops.Python{Major: 3, Minor: 12},
		Artifact: art, MemoryMB: mem, TimeoutSec: 60, Architecture: "x86_64",
	}
}

// TestLayerOver50MBIsPublishedFromS3 sends a layer zip too large for an inline request through
// the storage bucket, and removes the staging object afterwards.
func TestLayerOver50MBIsPublishedFromS3(t *testing.T) {
	cloud := fakeaws.Start(t)
	b := newBackend(t, cloud)
	layer := zipOf(t, "python/", map[string][]byte{"big/blob.bin": randomBytes(t, 51<<20)})
	if layer.Size <= lithops.LimitsFor(lithops.AWSLambda).DirectZipMax {
		t.Fatalf("fixture layer is only %d bytes", layer.Size)
	}
	fn := zipOf(t, "", map[string][]byte{"entry_point.py": []byte("def lambda_handler(event, context):\n    return {}\n")})
	art := &build.Artifact{PackageType: build.Zip, Layer: layer, Function: fn}
	ctx := context.Background()
	plan, err := b.Plan(ctx, request(art, 256))
	if err != nil {
		t.Fatal(err)
	}
	d, err := b.Apply(ctx, plan)
	if err != nil {
		t.Fatal(err)
	}
	bucket := "lithops-us-east-1-mple"
	if !strings.HasSuffix(d.LayerID, ":layer:lithops_v370_mple_default-runtime-v312_layer:1") {
		t.Errorf("layer %s", d.LayerID)
	}
	var staged, removed bool
	for _, c := range cloud.Calls() {
		if c.Service == "s3" && strings.Contains(c.Target, "/lithops-runtime-action/staging/"+layer.SHA256+".zip") {
			staged = staged || c.Op == "PUT"
			removed = removed || c.Op == "DELETE"
		}
	}
	if !staged || !removed {
		t.Errorf("staging object put %v, deleted %v; calls %+v", staged, removed, cloud.Calls())
	}
	if keys := cloud.Objects(bucket); len(keys) != 0 {
		t.Errorf("objects left in %s: %v", bucket, keys)
	}
	st, ok := cloud.Function(plan.Functions[0].Name)
	if !ok || st.Configuration.Layers[0].CodeSize != layer.Size {
		t.Errorf("function %+v", st.Configuration)
	}

	// Inline, the same zip is refused by Lambda: the reason for staging.
	_, err = lambdaClient(t, cloud).PublishLayerVersion(ctx, &lambda.PublishLayerVersionInput{
		LayerName: aws.String("inline"), Content: &types.LayerVersionContentInput{ZipFile: mustRead(t, layer.Path)},
	})
	if err == nil || !strings.Contains(err.Error(), "Request must be smaller than 69905067 bytes for the PublishLayerVersion operation") {
		t.Errorf("inline 51 MB layer: %v", err)
	}
}

func mustRead(t *testing.T, path string) []byte {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// lambdaClient is a plain SDK client at the fake, without retries.
func lambdaClient(t *testing.T, cloud *fakeaws.Cloud) *lambda.Client {
	t.Helper()
	cloud.Setenv(t)
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRegion("us-east-1"), config.WithRetryMaxAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	return lambda.NewFromConfig(cfg)
}

// TestApplyRetriesThrottlingAndConflicts converges although Lambda throttles and reports updates
// in progress on the first attempts of every mutating call.
func TestApplyRetriesThrottlingAndConflicts(t *testing.T) {
	cloud := fakeaws.Start(t)
	seen := map[string]int{}
	cloud.Fault = func(op, target string) *fakeaws.Error {
		seen[op]++
		switch {
		case op == "PublishLayerVersion" && seen[op] == 1:
			return fakeaws.Throttle()
		case op == "CreateFunction" && seen[op] == 1:
			return fakeaws.ServiceError()
		}
		return nil
	}
	b := newBackend(t, cloud)
	layer := zipOf(t, "python/", map[string][]byte{"dep/__init__.py": []byte("")})
	fn := zipOf(t, "", map[string][]byte{"entry_point.py": []byte("def lambda_handler(event, context):\n    return {}\n")})
	art := &build.Artifact{PackageType: build.Zip, Layer: layer, Function: fn}
	ctx := context.Background()
	plan, err := b.Plan(ctx, request(art, 256))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Apply(ctx, plan); err != nil {
		t.Fatalf("apply under faults: %v", err)
	}
	if n := len(cloud.LayerVersions("lithops_v370_mple_default-runtime-v312_layer")); n != 1 {
		t.Errorf("%d layer versions, want 1", n)
	}
	if seen["PublishLayerVersion"] != 2 || seen["CreateFunction"] != 2 {
		t.Errorf("attempts: %v", seen)
	}
}

// TestConcurrentChangeIsDetected: a function changed by someone else between Plan and Apply is
// not overwritten; the error says what happened.
func TestConcurrentChangeIsDetected(t *testing.T) {
	cloud := fakeaws.Start(t)
	b := newBackend(t, cloud)
	layer := zipOf(t, "python/", map[string][]byte{"dep/__init__.py": []byte("")})
	fn := zipOf(t, "", map[string][]byte{"entry_point.py": []byte("def lambda_handler(event, context):\n    return {}\n")})
	art := &build.Artifact{PackageType: build.Zip, Layer: layer, Function: fn}
	ctx := context.Background()
	plan, err := b.Plan(ctx, request(art, 256))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Apply(ctx, plan); err != nil {
		t.Fatal(err)
	}
	// New code planned...
	fn2 := zipOf(t, "", map[string][]byte{"entry_point.py": []byte("def lambda_handler(event, context):\n    return {'v': 2}\n")})
	plan, err = b.Plan(ctx, request(&build.Artifact{PackageType: build.Zip, Layer: layer, Function: fn2}, 256))
	if err != nil {
		t.Fatal(err)
	}
	// ...while another deployment changes the function.
	name := plan.Functions[0].Name
	lc := lambdaClient(t, cloud)
	if _, err := lc.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String(name), Timeout: aws.Int32(99)}); err != nil {
		t.Fatal(err)
	}
	_, err = b.Apply(ctx, plan)
	var pf *types.PreconditionFailedException
	if !errors.As(err, &pf) || !strings.Contains(err.Error(), "changed since this run read it") {
		t.Fatalf("apply over a concurrent change: %v", err)
	}
	st, _ := cloud.Function(name)
	if st.Configuration.Timeout != 99 || st.Configuration.CodeSha256 == fn2.CodeSHA256 {
		t.Errorf("the concurrent change was overwritten: %+v", st.Configuration)
	}
}
