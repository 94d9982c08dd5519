package fakealiyun

import (
	"testing"

	fc "github.com/aliyun/fc-go-sdk"
	"github.com/google/go-cmp/cmp"
)

// TestFC2ETag: FC 2.0 answers CreateFunction, GetFunction and UpdateFunction with the function's
// ETag, new with every change, and refuses an UpdateFunction or DeleteFunction whose If-Match is
// not the current ETag with 412 PreconditionFailed, changing nothing.
func TestFC2ETag(t *testing.T) {
	cloud := Start(t)
	client := fc2Client(t, cloud)
	code := zipOf(t, map[string]string{"entry_point.py": okHandler})
	if _, err := client.CreateService(fc.NewCreateServiceInput().WithServiceName("lithops").WithRole(DefaultRole)); err != nil {
		t.Fatal(err)
	}
	created, err := client.CreateFunction(fc.NewCreateFunctionInput("lithops").WithFunctionName("fn").
		WithRuntime("python3.10").WithHandler("entry_point.main").WithMemorySize(256).WithTimeout(60).
		WithCode(fc.NewCode().WithZipFile(code)))
	if err != nil {
		t.Fatal(err)
	}
	first := fc.GetEtag(created.Header)
	got, err := client.GetFunction(fc.NewGetFunctionInput("lithops", "fn"))
	if err != nil || first == "" || got.GetEtag() != first {
		t.Fatalf("ETag created %q, read %q (%v)", first, got.GetEtag(), err)
	}

	updated, err := client.UpdateFunction(fc.NewUpdateFunctionInput("lithops", "fn").WithTimeout(61).WithIfMatch(first))
	if err != nil {
		t.Fatalf("UpdateFunction with the current ETag: %v", err)
	}
	second := fc.GetEtag(updated.Header)
	if second == "" || second == first {
		t.Fatalf("ETag after an update %q, before %q", second, first)
	}

	_, err = client.UpdateFunction(fc.NewUpdateFunctionInput("lithops", "fn").WithTimeout(62).WithIfMatch(first))
	if diff := cmp.Diff(sdkError{"PreconditionFailed", 412}, fc2Err(err)); diff != "" {
		t.Errorf("UpdateFunction with a stale ETag (-want +got):\n%s", diff)
	}
	_, err = client.DeleteFunction(fc.NewDeleteFunctionInput("lithops", "fn").WithIfMatch(first))
	if diff := cmp.Diff(sdkError{"PreconditionFailed", 412}, fc2Err(err)); diff != "" {
		t.Errorf("DeleteFunction with a stale ETag (-want +got):\n%s", diff)
	}
	if st, ok := cloud.Function2("lithops", "fn"); !ok || st.Config.Timeout != 61 {
		t.Fatalf("after refused calls: %v %+v", ok, st.Config)
	}

	if err := cloud.UpdateFunction2("lithops", "fn", func(f *Function) { f.Timeout = 77 }); err != nil {
		t.Fatal(err)
	}
	_, err = client.UpdateFunction(fc.NewUpdateFunctionInput("lithops", "fn").WithTimeout(63).WithIfMatch(second))
	if diff := cmp.Diff(sdkError{"PreconditionFailed", 412}, fc2Err(err)); diff != "" {
		t.Errorf("UpdateFunction after another deployment's update (-want +got):\n%s", diff)
	}
	got, err = client.GetFunction(fc.NewGetFunctionInput("lithops", "fn"))
	if err != nil || got.GetEtag() == second || *got.Timeout != 77 {
		t.Fatalf("after another deployment's update: ETag %q (was %q), timeout %v (%v)", got.GetEtag(), second, got.Timeout, err)
	}
	// Unconditional calls are served whatever the ETag; a conditional delete with the current one too.
	if _, err := client.UpdateFunction(fc.NewUpdateFunctionInput("lithops", "fn").WithTimeout(64)); err != nil {
		t.Fatalf("unconditional UpdateFunction: %v", err)
	}
	got, _ = client.GetFunction(fc.NewGetFunctionInput("lithops", "fn"))
	if _, err := client.DeleteFunction(fc.NewDeleteFunctionInput("lithops", "fn").WithIfMatch(got.GetEtag())); err != nil {
		t.Fatalf("DeleteFunction with the current ETag: %v", err)
	}
}
