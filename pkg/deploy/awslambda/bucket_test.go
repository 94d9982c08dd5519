package awslambda_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/fakeaws"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy/awslambda"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/lithops"
)

// TestDefaultBucketIsTheCallersInTheStorageRegion: Lithops' aws_s3 backend names its default
// bucket after the STS caller (it never reads user_id) and the storage backend's region, while
// user_id names the functions (internal/oracle compares both formulas with Lithops' own code).
func TestDefaultBucketIsTheCallersInTheStorageRegion(t *testing.T) {
	cloud := fakeaws.Start(t)
	cloud.Setenv(t)
	t.Setenv("AWS_ENDPOINT_URL", "")
	b, err := awslambda.NewFromEnvironment(context.Background(), awslambda.Options{
		Region: "us-east-1", StorageRegion: "eu-north-1", UserID: "AIDACONFIGUSER:xyz9", Role: fakeaws.DefaultRole,
		WaitMinDelay: 20 * time.Millisecond, WaitMaxDelay: 100 * time.Millisecond,
	}, awslambda.ClientOptions{S3PathStyle: true})
	if err != nil {
		t.Fatal(err)
	}
	art := &build.Artifact{PackageType: build.Zip,
		Layer:    zipOf(t, "python", map[string][]byte{"m/__init__.py": []byte("")}),
		Function: zipOf(t, "", map[string][]byte{"entry_point.py": []byte("")})}
	plan, err := b.Plan(context.Background(), request(art, 256))
	if err != nil {
		t.Fatal(err)
	}
	caller := lithops.AWSUserKey(fakeaws.UserID)
	got := []string{plan.UserKey, plan.Bucket, plan.Functions[0].Name}
	want := []string{"user", "lithops-eu-north-1-" + caller, lithops.AWSFunctionName("user", lithops.MustParseVersion("3.7.0"), "default-runtime-v312", 256, "")}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("user key, bucket, function (-want +got)\n%s", d)
	}
}
