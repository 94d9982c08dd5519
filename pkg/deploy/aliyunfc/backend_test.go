package aliyunfc_test

import (
	"archive/zip"
	"context"
	"crypto/rand"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/fakealiyun"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/zipbundle"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy/aliyunfc"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/lithops"
)

// bigZip writes a stored (incompressible) zip of size random bytes plus entry_point.py.
func bigZip(t *testing.T, size int64) *zipbundle.Bundle {
	t.Helper()
	path := filepath.Join(t.TempDir(), "code.zip")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	w, _ := zw.Create("entry_point.py")
	io.WriteString(w, "def main(event, context):\n    return {}\n")
	w, _ = zw.CreateHeader(&zip.FileHeader{Name: "blob.bin", Method: zip.Store})
	if _, err := io.CopyN(w, rand.Reader, size); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	b, err := zipbundle.Inspect(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newBackend(t *testing.T, cloud *fakealiyun.Cloud, v lithops.Version) *aliyunfc.Backend {
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
		Region: cloud.Region, AccountID: cloud.AccountID, AccessKeyID: cred.AccessKeyID, Generation: lithops.FCGenerationFor(v),
		PollMin: 20 * time.Millisecond, PollMax: 100 * time.Millisecond,
	})
}

// TestCodeOver100MBGoesThroughOSS: a code zip too large to send inline is staged in the storage
// bucket, the function is created from it, and the staging object is removed.
func TestCodeOver100MBGoesThroughOSS(t *testing.T) {
	cloud := fakealiyun.Start(t)
	v := lithops.MustParseVersion("3.7.0")
	b := newBackend(t, cloud, v)
	code := bigZip(t, 101<<20)
	if code.Size <= lithops.LimitsFor(lithops.AliyunFC).DirectZipMax {
		t.Fatalf("fixture is only %d bytes", code.Size)
	}
	req := &deploy.Request{RuntimeName: "default-python-runtime-v312", Lithops: v, Python: lithops.Python{Major: 3, Minor: 12},
		Artifact: &build.Artifact{PackageType: build.Zip, Function: code}, MemoryMB: []int{512}, TimeoutSec: 60, Architecture: "x86_64"}
	ctx := context.Background()
	plan, err := b.Plan(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plan.Summary(), "staged through OSS") {
		t.Errorf("plan does not say the zip goes through OSS:\n%s", plan.Summary())
	}
	if _, err := b.Apply(ctx, plan); err != nil {
		t.Fatal(err)
	}
	st, ok := cloud.Function3(plan.Functions[0].Name)
	if !ok || st.Config.CodeChecksum != code.CRC64String() || st.Config.CodeSize != code.Size {
		t.Fatalf("function from OSS: %+v", st.Config)
	}
	var staged, deleted bool
	for _, c := range cloud.Calls() {
		if c.API == "oss" && strings.Contains(c.Target, "lithops-runtime-action/staging/") {
			staged = staged || c.Op == "PutObject"
			deleted = deleted || c.Op == "DeleteObject"
		}
	}
	if !staged || !deleted || len(cloud.Objects(plan.Bucket)) != 0 {
		t.Errorf("staging: put %v, deleted %v, left %v", staged, deleted, cloud.Objects(plan.Bucket))
	}
	if inline := cloud.CountCalls("CreateFunction"); inline != 1 {
		t.Errorf("CreateFunction called %d times", inline)
	}
}

// TestCodeOver500MBIsRefused before any upload.
func TestCodeOver500MBIsRefused(t *testing.T) {
	cloud := fakealiyun.Start(t)
	v := lithops.MustParseVersion("3.7.0")
	b := newBackend(t, cloud, v)
	code := &zipbundle.Bundle{Path: "/nonexistent", Size: 501 << 20}
	req := &deploy.Request{RuntimeName: "default-python-runtime-v312", Lithops: v, Python: lithops.Python{Major: 3, Minor: 12},
		Artifact: &build.Artifact{PackageType: build.Zip, Function: code}, MemoryMB: []int{512}, TimeoutSec: 60}
	plan, err := b.Plan(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	cloud.ResetCalls()
	if _, err := b.Apply(context.Background(), plan); err == nil || !strings.Contains(err.Error(), "over Function Compute's limit of 500.0 MiB") {
		t.Errorf("apply of a 501 MB zip: %v", err)
	}
	if m := cloud.MutatingCalls(); len(m) != 0 {
		t.Errorf("calls made: %+v", m)
	}
}
