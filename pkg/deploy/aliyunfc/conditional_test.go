package aliyunfc

import (
	"archive/zip"
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/fakealiyun"
)

func codeZip(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("entry_point.py")
	w.Write([]byte("def main(event, context):\n    return {}\n"))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestFC2ConditionalCalls: the FC 2.0 adapter reports each function's ETag (from create, read and
// update alike), sends IfMatch, and tells a refused conditional update or delete (isChanged) from
// other errors; an unconditional spec is served whatever the ETag.
func TestFC2ConditionalCalls(t *testing.T) {
	cloud := fakealiyun.Start(t)
	cred := Credentials{AccessKeyID: fakealiyun.AccessKeyID, AccessKeySecret: fakealiyun.AccessKeySecret}
	api, err := NewFC2(cloud.FC2.URL, cloud.Region, cloud.AccountID, "lithops_test", cred)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := api.Prepare(ctx, fakealiyun.DefaultRole, false); err != nil {
		t.Fatal(err)
	}
	spec := FunctionSpec{Name: "fn", Runtime: "python3.10", Handler: "entry_point.main", MemoryMB: 256, TimeoutSec: 60, Code: &Code{ZipFile: codeZip(t)}}
	created, err := api.Create(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	read, err := api.Get(ctx, "fn")
	if err != nil || created.ETag == "" || read.ETag != created.ETag {
		t.Fatalf("ETag created %q, read %q (%v)", created.ETag, read.ETag, err)
	}

	spec.Code, spec.TimeoutSec, spec.IfMatch = nil, 61, created.ETag
	updated, err := api.Update(ctx, spec)
	if err != nil || updated.ETag == "" || updated.ETag == created.ETag || updated.TimeoutSec != 61 {
		t.Fatalf("conditional update with the current ETag: %+v, %v", updated, err)
	}
	spec.TimeoutSec = 62 // still IfMatch created.ETag: stale now
	if _, err := api.Update(ctx, spec); !isChanged(err) || !strings.Contains(err.Error(), "PreconditionFailed") {
		t.Errorf("conditional update with a stale ETag: %v, want isChanged", err)
	}
	if err := api.Delete(ctx, "fn", created.ETag); !isChanged(err) {
		t.Errorf("conditional delete with a stale ETag: %v, want isChanged", err)
	}
	spec.IfMatch = ""
	if _, err := api.Update(ctx, spec); err != nil {
		t.Errorf("unconditional update: %v", err)
	}
	spec.Name, spec.IfMatch = "missing", "whatever"
	if _, err := api.Update(ctx, spec); err == nil || isChanged(err) || !isNotFound(err) {
		t.Errorf("conditional update of a missing function: %v, want not found (not isChanged)", err)
	}
	now, _ := api.Get(ctx, "fn")
	if err := api.Delete(ctx, "fn", now.ETag); err != nil {
		t.Errorf("conditional delete with the current ETag: %v", err)
	}
}

// TestFC3RefusesAConditionalUpdate: FC 3.0 has no If-Match; its adapter refuses a spec asking for
// one instead of updating unconditionally, and reports no ETag.
func TestFC3RefusesAConditionalUpdate(t *testing.T) {
	cloud := fakealiyun.Start(t)
	cred := Credentials{AccessKeyID: fakealiyun.AccessKeyID, AccessKeySecret: fakealiyun.AccessKeySecret}
	api, err := NewFC3(cloud.FC3.URL, cloud.Region, cloud.AccountID, cred)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	spec := FunctionSpec{Name: "fn", Runtime: "python3.12", Handler: "entry_point.main", MemoryMB: 256, TimeoutSec: 60, InternetAccess: true, Code: &Code{ZipFile: codeZip(t)}}
	created, err := api.Create(ctx, spec)
	if err != nil || created.ETag != "" {
		t.Fatalf("create: %+v, %v", created, err)
	}
	spec.Code, spec.IfMatch = nil, "e19d5cd5af0378da05f63f891c7467af"
	if _, err := api.Update(ctx, spec); err == nil || !strings.Contains(err.Error(), "no conditional update") {
		t.Errorf("conditional update on FC 3.0: %v", err)
	}
	if n := cloud.CountCalls("UpdateFunction"); n != 0 {
		t.Errorf("UpdateFunction called %d times", n)
	}
}
