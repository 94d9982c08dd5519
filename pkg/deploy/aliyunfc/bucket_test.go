package aliyunfc_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/fakealiyun"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy/aliyunfc"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/lithops"
)

func bucketBackend(t *testing.T, cloud *fakealiyun.Cloud, clientKey, storageRegion string) *aliyunfc.Backend {
	t.Helper()
	cred := aliyunfc.Credentials{AccessKeyID: fakealiyun.AccessKeyID, AccessKeySecret: fakealiyun.AccessKeySecret}
	api, err := aliyunfc.NewFC3(cloud.FC3.URL, cloud.Region, cloud.AccountID, cred)
	if err != nil {
		t.Fatal(err)
	}
	objects, err := aliyunfc.NewOSS(cloud.OSS.URL, cloud.Region, cred)
	if err != nil {
		t.Fatal(err)
	}
	return aliyunfc.New(api, objects, aliyunfc.Options{
		Region: cloud.Region, StorageRegion: storageRegion, AccountID: cloud.AccountID, AccessKeyID: clientKey, Generation: lithops.FC3,
		PollMin: 20 * time.Millisecond, PollMax: 100 * time.Millisecond,
	})
}

// TestDefaultBucketNeedsTheClientsKey: Lithops names the default OSS bucket after the client's
// AccessKey id in the storage region; a temporary (STS.) key names no client's bucket, so the
// plan is refused before any change.
func TestDefaultBucketNeedsTheClientsKey(t *testing.T) {
	cloud := fakealiyun.Start(t)
	v := lithops.MustParseVersion("3.7.0")
	req := &deploy.Request{RuntimeName: "default-python-runtime-v312", Lithops: v, Python: lithops.Python{Major: 3, Minor: 12},
		Artifact: &build.Artifact{PackageType: build.Zip, Function: bigZip(t, 1<<10)}, MemoryMB: []int{512}, TimeoutSec: 60, Architecture: "x86_64"}

	plan, err := bucketBackend(t, cloud, "LTAI5tClientKey01", "cn-beijing").Plan(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if want := lithops.DefaultOSSBucket(v, "cn-beijing", "LTAI5tClientKey01", cloud.AccountID); plan.Bucket != want {
		t.Errorf("bucket %q, want %q (the client's key, the storage region)", plan.Bucket, want)
	}

	_, err = bucketBackend(t, cloud, "STS.NUgYrLnoC3Hd9XkqZ7yW", "").Plan(context.Background(), req)
	if err == nil || !strings.Contains(err.Error(), "temporary") {
		t.Fatalf("Plan with an STS key and no bucket: %v, want a refusal naming the temporary key", err)
	}
	req.StorageBucket = "clients-bucket"
	if plan, err := bucketBackend(t, cloud, "STS.NUgYrLnoC3Hd9XkqZ7yW", "").Plan(context.Background(), req); err != nil || plan.Bucket != "clients-bucket" {
		t.Fatalf("Plan with an STS key and a bucket: %v %v", plan, err)
	}
}
