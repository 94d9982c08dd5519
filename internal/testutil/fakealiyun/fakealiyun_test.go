package fakealiyun

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	openapiutil "github.com/alibabacloud-go/darabonba-openapi/v2/utils"
	fc3 "github.com/alibabacloud-go/fc-20230330/v4/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"
	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/credentials"
	fc "github.com/aliyun/fc-go-sdk"
	"github.com/google/go-cmp/cmp"

	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/zipbundle"
)

// Handlers the tests deploy (FC's calling convention: the event is bytes).
const (
	okHandler    = "def main(event, context):\n    return {\"ok\": True, \"rid\": context.request_id}\n"
	v2Handler    = "def main(event, context):\n    return {\"ok\": True, \"version\": 2}\n"
	echoHandler  = "import sys\ndef main(event, context):\n    print('got', event)\n    return {'python': '%d.%d' % sys.version_info[:2], 'event': event.decode()}\n"
	raiseHandler = "def main(event, context):\n    print('about to fail')\n    raise ValueError('boom')\n"
)

func fc3Client(t *testing.T, c *Cloud, keyID string) *fc3.Client {
	t.Helper()
	client, err := fc3.NewClient(&openapiutil.Config{
		Endpoint: tea.String(c.FC3Endpoint()), Protocol: tea.String("http"),
		AccessKeyId: tea.String(keyID), AccessKeySecret: tea.String(AccessKeySecret),
		RegionId: tea.String(c.Region),
	})
	if err != nil {
		t.Fatal(err)
	}
	return client
}

func fc2Client(t *testing.T, c *Cloud) *fc.Client {
	t.Helper()
	client, err := fc.NewClient(c.FC2Endpoint(), fc.APIVersionV1, AccessKeyID, AccessKeySecret)
	if err != nil {
		t.Fatal(err)
	}
	return client
}

func ossClient(c *Cloud) *oss.Client {
	return oss.NewClient(oss.LoadDefaultConfig().
		WithCredentialsProvider(credentials.NewStaticCredentialsProvider(AccessKeyID, AccessKeySecret)).
		WithRegion(c.Region).WithEndpoint(c.OSSEndpoint()).WithUsePathStyle(true).WithRetryMaxAttempts(1))
}

// zipOf returns a zip of the files.
func zipOf(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, content := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, content)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// crcOf is zipbundle's CRC-64 of a zip: what FC's codeChecksum must be.
func crcOf(t *testing.T, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "code.zip")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := zipbundle.Inspect(path)
	if err != nil {
		t.Fatal(err)
	}
	return b.CRC64String()
}

// sdkError is the code and status of an FC 3.0 SDK error.
type sdkError struct {
	Code   string
	Status int
}

func fc3Err(err error) sdkError {
	var se *tea.SDKError
	if !errors.As(err, &se) {
		return sdkError{Code: "not an SDKError: " + errString(err)}
	}
	return sdkError{Code: tea.StringValue(se.Code), Status: tea.IntValue(se.StatusCode)}
}

func fc2Err(err error) sdkError {
	var se *fc.ServiceError
	if !errors.As(err, &se) {
		return sdkError{Code: "not a ServiceError: " + errString(err)}
	}
	return sdkError{Code: se.ErrorCode, Status: se.HTTPStatus}
}

func ossErr(err error) sdkError {
	var se *oss.ServiceError
	if !errors.As(err, &se) {
		return sdkError{Code: "not a ServiceError: " + errString(err)}
	}
	return sdkError{Code: se.Code, Status: se.StatusCode}
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

func createInput(name, runtime string, code []byte) *fc3.CreateFunctionInput {
	return &fc3.CreateFunctionInput{
		FunctionName: tea.String(name), Runtime: tea.String(runtime), Handler: tea.String("entry_point.main"),
		MemorySize: tea.Int32(256), Timeout: tea.Int32(30), Role: tea.String(DefaultRole),
		Code: &fc3.InputCodeLocation{ZipFile: tea.String(base64.StdEncoding.EncodeToString(code))},
	}
}

func waitFC3(t *testing.T, client *fc3.Client, name string) *fc3.Function {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		res, err := client.GetFunction(tea.String(name), &fc3.GetFunctionRequest{})
		if err != nil {
			t.Fatalf("GetFunction(%s): %v", name, err)
		}
		if tea.StringValue(res.Body.State) == "Active" && tea.StringValue(res.Body.LastUpdateStatus) == "Successful" {
			return res.Body
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never settled: state %s, lastUpdateStatus %s", name, tea.StringValue(res.Body.State), tea.StringValue(res.Body.LastUpdateStatus))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// invoke3 invokes an FC 3.0 function and returns its headers and body.
func invoke3(t *testing.T, client *fc3.Client, name, event string, tail bool) (map[string]string, []byte, error) {
	t.Helper()
	headers := &fc3.InvokeFunctionHeaders{}
	if tail {
		headers.XFcLogType = tea.String("Tail")
	}
	res, err := client.InvokeFunctionWithOptions(tea.String(name),
		&fc3.InvokeFunctionRequest{Body: strings.NewReader(event)}, headers, &dara.RuntimeOptions{})
	if err != nil {
		return nil, nil, err
	}
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	h := map[string]string{}
	for k, v := range res.Headers {
		h[k] = tea.StringValue(v)
	}
	return h, body, nil
}

// TestFC3Lifecycle drives an FC 3.0 function through create, Pending, Active, update,
// InProgress, conflicts and delete with the real SDK.
func TestFC3Lifecycle(t *testing.T) {
	cloud := Start(t)
	cloud.Settle = 300 * time.Millisecond
	client := fc3Client(t, cloud, AccessKeyID)
	code := zipOf(t, map[string]string{"entry_point.py": okHandler})

	created, err := client.CreateFunction(&fc3.CreateFunctionRequest{Body: createInput("lithops-fn", "python3.12", code)})
	if err != nil {
		t.Fatalf("CreateFunction: %v", err)
	}
	got := created.Body
	want := map[string]string{
		"state": "Pending", "lastUpdateStatus": "InProgress", "codeChecksum": crcOf(t, code),
		"functionArn": "acs:fc:cn-hangzhou:1234567890123456:functions/lithops-fn", "runtime": "python3.12",
		"handler": "entry_point.main", "role": DefaultRole,
	}
	gotFields := map[string]string{
		"state": tea.StringValue(got.State), "lastUpdateStatus": tea.StringValue(got.LastUpdateStatus),
		"codeChecksum": tea.StringValue(got.CodeChecksum), "functionArn": tea.StringValue(got.FunctionArn),
		"runtime": tea.StringValue(got.Runtime), "handler": tea.StringValue(got.Handler), "role": tea.StringValue(got.Role),
	}
	if diff := cmp.Diff(want, gotFields); diff != "" {
		t.Errorf("CreateFunction response (-want +got):\n%s", diff)
	}
	if tea.Int64Value(got.CodeSize) != int64(len(code)) || tea.Int32Value(got.MemorySize) != 256 || tea.Int32Value(got.Timeout) != 30 {
		t.Errorf("codeSize %d memorySize %d timeout %d, want %d 256 30", tea.Int64Value(got.CodeSize), tea.Int32Value(got.MemorySize), tea.Int32Value(got.Timeout), len(code))
	}

	// Pending: invoking and updating are refused.
	_, _, err = invoke3(t, client, "lithops-fn", "{}", false)
	if diff := cmp.Diff(sdkError{"PreconditionFailed", 412}, fc3Err(err)); diff != "" {
		t.Errorf("invoke while Pending (-want +got):\n%s", diff)
	}
	_, err = client.UpdateFunction(tea.String("lithops-fn"), &fc3.UpdateFunctionRequest{Body: &fc3.UpdateFunctionInput{Timeout: tea.Int32(60)}})
	if diff := cmp.Diff(sdkError{"ConcurrentUpdateError", 409}, fc3Err(err)); diff != "" {
		t.Errorf("update while Pending (-want +got):\n%s", diff)
	}
	_, err = client.CreateFunction(&fc3.CreateFunctionRequest{Body: createInput("lithops-fn", "python3.12", code)})
	if diff := cmp.Diff(sdkError{"FunctionAlreadyExists", 409}, fc3Err(err)); diff != "" {
		t.Errorf("create again (-want +got):\n%s", diff)
	}

	waitFC3(t, client, "lithops-fn")
	headers, body, err := invoke3(t, client, "lithops-fn", "{}", false)
	if err != nil {
		t.Fatalf("invoke: %v", err)
	}
	var out struct {
		OK  bool   `json:"ok"`
		RID string `json:"rid"`
	}
	if err := json.Unmarshal(body, &out); err != nil || !out.OK || out.RID == "" {
		t.Fatalf("invoke body %q: %v", body, err)
	}
	if out.RID != headers["x-fc-request-id"] || headers["x-fc-error-type"] != "" {
		t.Errorf("request id %q in context, %q in header; error type %q", out.RID, headers["x-fc-request-id"], headers["x-fc-error-type"])
	}

	// Update: InProgress, a second update conflicts, invocations run the old code meanwhile.
	code2 := zipOf(t, map[string]string{"entry_point.py": v2Handler})
	updated, err := client.UpdateFunction(tea.String("lithops-fn"), &fc3.UpdateFunctionRequest{Body: &fc3.UpdateFunctionInput{
		Code: &fc3.InputCodeLocation{ZipFile: tea.String(base64.StdEncoding.EncodeToString(code2))}, MemorySize: tea.Int32(512),
	}})
	if err != nil {
		t.Fatalf("UpdateFunction: %v", err)
	}
	if s := tea.StringValue(updated.Body.LastUpdateStatus); s != "InProgress" || tea.StringValue(updated.Body.CodeChecksum) != crcOf(t, code2) {
		t.Errorf("after update: lastUpdateStatus %q checksum %q", s, tea.StringValue(updated.Body.CodeChecksum))
	}
	_, err = client.UpdateFunction(tea.String("lithops-fn"), &fc3.UpdateFunctionRequest{Body: &fc3.UpdateFunctionInput{Timeout: tea.Int32(60)}})
	if diff := cmp.Diff(sdkError{"ConcurrentUpdateError", 409}, fc3Err(err)); diff != "" {
		t.Errorf("update while InProgress (-want +got):\n%s", diff)
	}
	if _, body, err := invoke3(t, client, "lithops-fn", "{}", false); err != nil || !strings.Contains(string(body), `"rid"`) {
		t.Errorf("invoke while InProgress ran %q (%v), want the old code", body, err)
	}
	settled := waitFC3(t, client, "lithops-fn")
	if tea.Int32Value(settled.MemorySize) != 512 {
		t.Errorf("memorySize after update %d, want 512", tea.Int32Value(settled.MemorySize))
	}
	if _, body, err := invoke3(t, client, "lithops-fn", "{}", false); err != nil || !strings.Contains(string(body), `"version": 2`) {
		t.Errorf("invoke after the update ran %q (%v), want the new code", body, err)
	}
	st, ok := cloud.Function3("lithops-fn")
	if !ok || !bytes.Equal(st.Code, code2) || st.Config.CodeChecksum != crcOf(t, code2) {
		t.Errorf("Function3: ok %v, checksum %q", ok, st.Config.CodeChecksum)
	}

	list, err := client.ListFunctions(&fc3.ListFunctionsRequest{Prefix: tea.String("lithops-")})
	if err != nil || len(list.Body.Functions) != 1 || tea.StringValue(list.Body.Functions[0].FunctionName) != "lithops-fn" {
		t.Errorf("ListFunctions: %+v %v", list, err)
	}
	if _, err := client.DeleteFunction(tea.String("lithops-fn")); err != nil {
		t.Fatalf("DeleteFunction: %v", err)
	}
	for _, call := range []func() error{
		func() error {
			_, err := client.GetFunction(tea.String("lithops-fn"), &fc3.GetFunctionRequest{})
			return err
		},
		func() error { _, err := client.DeleteFunction(tea.String("lithops-fn")); return err },
		func() error { _, _, err := invoke3(t, client, "lithops-fn", "{}", false); return err },
		func() error {
			_, err := client.UpdateFunction(tea.String("lithops-fn"), &fc3.UpdateFunctionRequest{Body: &fc3.UpdateFunctionInput{Timeout: tea.Int32(5)}})
			return err
		},
	} {
		if diff := cmp.Diff(sdkError{"FunctionNotFound", 404}, fc3Err(call())); diff != "" {
			t.Errorf("after delete (-want +got):\n%s", diff)
		}
	}
	if _, ok := cloud.Function3("lithops-fn"); ok {
		t.Error("Function3 still finds the deleted function")
	}
}

// TestFC3Validation checks FC's refusals, with its error codes and statuses.
func TestFC3Validation(t *testing.T) {
	cloud := Start(t)
	cloud.requestMax = 64 << 10
	cloud.unzippedMax = 1 << 20
	client := fc3Client(t, cloud, AccessKeyID)
	code := zipOf(t, map[string]string{"entry_point.py": okHandler})
	big := zipOf(t, map[string]string{"entry_point.py": okHandler, "zeros.bin": strings.Repeat("\x00", 2<<20)})
	// Incompressible data: the zip stays over the 64 KiB request limit.
	rng := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 100<<10)
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	tooLarge := zipOf(t, map[string]string{"entry_point.py": okHandler, "data.bin": string(random)})

	tests := []struct {
		name   string
		modify func(in *fc3.CreateFunctionInput)
		want   sdkError
	}{
		{"python3.8 runtime", func(in *fc3.CreateFunctionInput) { in.Runtime = tea.String("python3.8") }, sdkError{"InvalidArgument", 400}},
		{"nodejs runtime", func(in *fc3.CreateFunctionInput) { in.Runtime = tea.String("nodejs20") }, sdkError{"InvalidArgument", 400}},
		{"memory below 128", func(in *fc3.CreateFunctionInput) { in.MemorySize = tea.Int32(64) }, sdkError{"InvalidArgument", 400}},
		{"memory not a multiple of 64", func(in *fc3.CreateFunctionInput) { in.MemorySize = tea.Int32(200) }, sdkError{"InvalidArgument", 400}},
		{"memory above 32768", func(in *fc3.CreateFunctionInput) { in.MemorySize = tea.Int32(32832) }, sdkError{"InvalidArgument", 400}},
		{"timeout 0", func(in *fc3.CreateFunctionInput) { in.Timeout = tea.Int32(0) }, sdkError{"InvalidArgument", 400}},
		{"timeout above a day", func(in *fc3.CreateFunctionInput) { in.Timeout = tea.Int32(86401) }, sdkError{"InvalidArgument", 400}},
		{"unknown role", func(in *fc3.CreateFunctionInput) { in.Role = tea.String("acs:ram::1234567890123456:role/other") }, sdkError{"InvalidArgument", 400}},
		{"bad name", func(in *fc3.CreateFunctionInput) { in.FunctionName = tea.String("1-starts-with-digit") }, sdkError{"InvalidArgument", 400}},
		{"no code", func(in *fc3.CreateFunctionInput) { in.Code = nil }, sdkError{"InvalidArgument", 400}},
		{"not a zip", func(in *fc3.CreateFunctionInput) {
			in.Code.ZipFile = tea.String(base64.StdEncoding.EncodeToString([]byte("nope")))
		}, sdkError{"InvalidArgument", 400}},
		{"missing OSS object", func(in *fc3.CreateFunctionInput) {
			in.Code = &fc3.InputCodeLocation{OssBucketName: tea.String("no-bucket"), OssObjectName: tea.String("code.zip")}
		}, sdkError{"InvalidArgument", 400}},
		{"checksum mismatch", func(in *fc3.CreateFunctionInput) { in.Code.Checksum = tea.String("12345") }, sdkError{"InvalidArgument", 400}},
		{"unzipped too large", func(in *fc3.CreateFunctionInput) {
			in.Code.ZipFile = tea.String(base64.StdEncoding.EncodeToString(big))
		}, sdkError{"InvalidArgument", 400}},
		{"request too large", func(in *fc3.CreateFunctionInput) {
			in.Code.ZipFile = tea.String(base64.StdEncoding.EncodeToString(tooLarge))
		}, sdkError{"EntityTooLarge", 413}},
		{"custom container without config", func(in *fc3.CreateFunctionInput) { in.Runtime = tea.String("custom-container") }, sdkError{"InvalidArgument", 400}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := createInput("fn", "python3.12", code)
			tt.modify(in)
			_, err := client.CreateFunction(&fc3.CreateFunctionRequest{Body: in})
			if diff := cmp.Diff(tt.want, fc3Err(err)); diff != "" {
				t.Errorf("CreateFunction (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("wrong access key", func(t *testing.T) {
		_, err := fc3Client(t, cloud, "LTAIsomeoneelse").GetFunction(tea.String("fn"), &fc3.GetFunctionRequest{})
		if diff := cmp.Diff(sdkError{"InvalidAccessKeyID", 403}, fc3Err(err)); diff != "" {
			t.Errorf("GetFunction (-want +got):\n%s", diff)
		}
	})
	if got := cloud.Functions3(); len(got) != 0 {
		t.Errorf("functions after refused creates: %v", got)
	}
}

// TestFC3Invoke runs handlers in each runtime's Python, a raising handler and a custom container.
func TestFC3Invoke(t *testing.T) {
	cloud := Start(t)
	cloud.Settle = 0
	client := fc3Client(t, cloud, AccessKeyID)

	for _, rt := range []string{"python3.9", "python3.10", "python3.12"} {
		t.Run(rt, func(t *testing.T) {
			name := "echo-" + strings.ReplaceAll(rt, ".", "")
			code := zipOf(t, map[string]string{"entry_point.py": echoHandler})
			if _, err := client.CreateFunction(&fc3.CreateFunctionRequest{Body: createInput(name, rt, code)}); err != nil {
				t.Fatal(err)
			}
			waitFC3(t, client, name)
			headers, body, err := invoke3(t, client, name, "hello", true)
			if err != nil {
				t.Fatal(err)
			}
			var got map[string]string
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatalf("body %q: %v", body, err)
			}
			want := map[string]string{"python": strings.TrimPrefix(rt, "python"), "event": "hello"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
			logs, err := base64.StdEncoding.DecodeString(headers["x-fc-log-result"])
			if err != nil || !strings.Contains(string(logs), "got b'hello'") || !strings.Contains(string(logs), "FC Invoke Start") {
				t.Errorf("x-fc-log-result %q (%v)", logs, err)
			}
		})
	}

	t.Run("raising handler", func(t *testing.T) {
		code := zipOf(t, map[string]string{"entry_point.py": raiseHandler})
		if _, err := client.CreateFunction(&fc3.CreateFunctionRequest{Body: createInput("raiser", "python3.12", code)}); err != nil {
			t.Fatal(err)
		}
		waitFC3(t, client, "raiser")
		headers, body, err := invoke3(t, client, "raiser", "{}", true)
		if err != nil {
			t.Fatalf("invoke: %v", err)
		}
		if got := headers["x-fc-error-type"]; got != "UnhandledInvocationError" {
			t.Errorf("x-fc-error-type %q, want UnhandledInvocationError", got)
		}
		var e struct {
			ErrorMessage string `json:"errorMessage"`
			ErrorType    string `json:"errorType"`
		}
		if err := json.Unmarshal(body, &e); err != nil || e.ErrorMessage != "boom" || e.ErrorType != "ValueError" {
			t.Errorf("error body %q (%v)", body, err)
		}
		logs, _ := base64.StdEncoding.DecodeString(headers["x-fc-log-result"])
		if !strings.Contains(string(logs), "about to fail") {
			t.Errorf("log tail %q lacks the function's output", logs)
		}
	})

	t.Run("custom container", func(t *testing.T) {
		in := &fc3.CreateFunctionInput{
			FunctionName: tea.String("image-fn"), Runtime: tea.String("custom-container"), MemorySize: tea.Int32(1024),
			CustomContainerConfig: &fc3.CustomContainerConfig{Image: tea.String("registry.cn-hangzhou.aliyuncs.com/ns/img:1"), Port: tea.Int32(9000)},
		}
		if _, err := client.CreateFunction(&fc3.CreateFunctionRequest{Body: in}); err != nil {
			t.Fatal(err)
		}
		got := waitFC3(t, client, "image-fn")
		if got.CustomContainerConfig == nil || tea.StringValue(got.CustomContainerConfig.Image) != "registry.cn-hangzhou.aliyuncs.com/ns/img:1" || tea.Int32Value(got.CustomContainerConfig.Port) != 9000 {
			t.Errorf("customContainerConfig not returned as sent: %+v", got.CustomContainerConfig)
		}
		_, _, err := invoke3(t, client, "image-fn", "{}", false)
		if diff := cmp.Diff(sdkError{"NotImplemented", 501}, fc3Err(err)); diff != "" {
			t.Errorf("invoke (-want +got):\n%s", diff)
		}
	})
}

// TestFC3CodeFromOSS creates a function from code uploaded with the OSS SDK.
func TestFC3CodeFromOSS(t *testing.T) {
	cloud := Start(t)
	cloud.Settle = 0
	ctx := context.Background()
	oc := ossClient(cloud)
	code := zipOf(t, map[string]string{"entry_point.py": okHandler})
	if _, err := oc.PutBucket(ctx, &oss.PutBucketRequest{Bucket: oss.Ptr("lithops-code")}); err != nil {
		t.Fatal(err)
	}
	if _, err := oc.PutObject(ctx, &oss.PutObjectRequest{Bucket: oss.Ptr("lithops-code"), Key: oss.Ptr("runtimes/code.zip"), Body: bytes.NewReader(code)}); err != nil {
		t.Fatal(err)
	}
	client := fc3Client(t, cloud, AccessKeyID)
	in := createInput("from-oss", "python3.12", nil)
	in.Code = &fc3.InputCodeLocation{OssBucketName: tea.String("lithops-code"), OssObjectName: tea.String("runtimes/code.zip")}
	res, err := client.CreateFunction(&fc3.CreateFunctionRequest{Body: in})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := tea.StringValue(res.Body.CodeChecksum), crcOf(t, code); got != want {
		t.Errorf("codeChecksum %s, want %s", got, want)
	}
	waitFC3(t, client, "from-oss")
	if _, body, err := invoke3(t, client, "from-oss", "", false); err != nil || !strings.Contains(string(body), `"ok": true`) {
		t.Errorf("invoke: %q %v", body, err)
	}
}

// TestFC2Lifecycle drives an FC 2.0 service and function with fc-go-sdk: no state machine,
// errors in FC 2.0's shape.
func TestFC2Lifecycle(t *testing.T) {
	cloud := Start(t)
	client := fc2Client(t, cloud)
	code := zipOf(t, map[string]string{"entry_point.py": okHandler})

	_, err := client.CreateService(fc.NewCreateServiceInput().WithServiceName("lithops").WithRole("acs:ram::1:role/nope"))
	if diff := cmp.Diff(sdkError{"InvalidArgument", 400}, fc2Err(err)); diff != "" {
		t.Errorf("CreateService with an unknown role (-want +got):\n%s", diff)
	}
	if _, err := client.CreateService(fc.NewCreateServiceInput().WithServiceName("lithops").WithRole(DefaultRole)); err != nil {
		t.Fatalf("CreateService: %v", err)
	}
	_, err = client.CreateService(fc.NewCreateServiceInput().WithServiceName("lithops").WithRole(DefaultRole))
	if diff := cmp.Diff(sdkError{"ServiceAlreadyExists", 409}, fc2Err(err)); diff != "" {
		t.Errorf("CreateService again (-want +got):\n%s", diff)
	}
	_, err = client.GetService(fc.NewGetServiceInput("missing"))
	if diff := cmp.Diff(sdkError{"ServiceNotFound", 404}, fc2Err(err)); diff != "" {
		t.Errorf("GetService missing (-want +got):\n%s", diff)
	}
	svc, err := client.GetService(fc.NewGetServiceInput("lithops"))
	if err != nil || tea.StringValue(svc.Role) != DefaultRole {
		t.Fatalf("GetService: %v, role %q", err, tea.StringValue(svc.Role))
	}

	created, err := client.CreateFunction(fc.NewCreateFunctionInput("lithops").WithFunctionName("fn").
		WithRuntime("python3.10").WithHandler("entry_point.main").WithMemorySize(256).WithTimeout(60).
		WithCode(fc.NewCode().WithZipFile(code)))
	if err != nil {
		t.Fatalf("CreateFunction: %v", err)
	}
	if got, want := tea.StringValue(created.CodeChecksum), crcOf(t, code); got != want || tea.Int64Value(created.CodeSize) != int64(len(code)) {
		t.Errorf("codeChecksum %s codeSize %d, want %s %d", got, tea.Int64Value(created.CodeSize), want, len(code))
	}
	_, err = client.CreateFunction(fc.NewCreateFunctionInput("lithops").WithFunctionName("fn").
		WithRuntime("python3.10").WithHandler("entry_point.main").WithCode(fc.NewCode().WithZipFile(code)))
	if diff := cmp.Diff(sdkError{"FunctionAlreadyExists", 409}, fc2Err(err)); diff != "" {
		t.Errorf("CreateFunction again (-want +got):\n%s", diff)
	}
	_, err = client.CreateFunction(fc.NewCreateFunctionInput("lithops").WithFunctionName("bad").
		WithRuntime("python3.10").WithHandler("entry_point.main").WithMemorySize(100).WithCode(fc.NewCode().WithZipFile(code)))
	if diff := cmp.Diff(sdkError{"InvalidArgument", 400}, fc2Err(err)); diff != "" {
		t.Errorf("CreateFunction with memory 100 (-want +got):\n%s", diff)
	}

	// Invocable at once: FC 2.0 has no Pending state for code functions.
	out, err := client.InvokeFunction(fc.NewInvokeFunctionInput("lithops", "fn").WithPayload([]byte("{}")).WithLogType("Tail"))
	if err != nil {
		t.Fatalf("InvokeFunction: %v", err)
	}
	if !strings.Contains(string(out.Payload), `"ok": true`) || fc.GetErrorType(out.Header) != "" {
		t.Errorf("invoke: payload %q, error type %q", out.Payload, fc.GetErrorType(out.Header))
	}
	if logs, err := base64.StdEncoding.DecodeString(out.Header.Get("X-Fc-Log-Result")); err != nil || !strings.Contains(string(logs), "FC Invoke End") {
		t.Errorf("log result %q (%v)", logs, err)
	}

	// Async invocations answer 202 and run in the background: this handler writes the event
	// (a path) as a file.
	writer := zipOf(t, map[string]string{"entry_point.py": "def main(event, context):\n    open(event.decode(), 'w').write('ran')\n    return 'done'\n"})
	if _, err := client.CreateFunction(fc.NewCreateFunctionInput("lithops").WithFunctionName("writer").
		WithRuntime("python3.12").WithHandler("entry_point.main").WithCode(fc.NewCode().WithZipFile(writer))); err != nil {
		t.Fatalf("CreateFunction: %v", err)
	}
	marker := filepath.Join(t.TempDir(), "ran")
	if _, err := client.InvokeFunction(fc.NewInvokeFunctionInput("lithops", "writer").WithPayload([]byte(marker)).WithAsyncInvocation()); err != nil {
		t.Fatalf("async InvokeFunction: %v", err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if b, err := os.ReadFile(marker); err == nil && string(b) == "ran" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the async invocation never ran")
		}
	}
	if _, err := client.DeleteFunction(fc.NewDeleteFunctionInput("lithops", "writer")); err != nil {
		t.Fatalf("DeleteFunction: %v", err)
	}

	// Updates are synchronous.
	raiser := zipOf(t, map[string]string{"entry_point.py": raiseHandler})
	updated, err := client.UpdateFunction(fc.NewUpdateFunctionInput("lithops", "fn").WithCode(fc.NewCode().WithZipFile(raiser)))
	if err != nil {
		t.Fatalf("UpdateFunction: %v", err)
	}
	if got, want := tea.StringValue(updated.CodeChecksum), crcOf(t, raiser); got != want || tea.Int32Value(updated.MemorySize) != 256 {
		t.Errorf("after update: checksum %s (want %s), memory %d (want 256 kept)", got, want, tea.Int32Value(updated.MemorySize))
	}
	out, err = client.InvokeFunction(fc.NewInvokeFunctionInput("lithops", "fn"))
	if err != nil {
		t.Fatalf("InvokeFunction: %v", err)
	}
	if got := fc.GetErrorType(out.Header); got != "UnhandledInvocationError" || !strings.Contains(string(out.Payload), "boom") {
		t.Errorf("raising handler: X-Fc-Error-Type %q, payload %q", got, out.Payload)
	}
	st, ok := cloud.Function2("lithops", "fn")
	if !ok || !bytes.Equal(st.Code, raiser) || st.Config.Runtime != "python3.10" {
		t.Errorf("Function2: ok %v runtime %q", ok, st.Config.Runtime)
	}

	_, err = client.DeleteService(fc.NewDeleteServiceInput("lithops"))
	if diff := cmp.Diff(sdkError{"ServiceNotEmpty", 412}, fc2Err(err)); diff != "" {
		t.Errorf("DeleteService with functions (-want +got):\n%s", diff)
	}
	if _, err := client.DeleteFunction(fc.NewDeleteFunctionInput("lithops", "fn")); err != nil {
		t.Fatalf("DeleteFunction: %v", err)
	}
	for _, call := range []func() error{
		func() error { _, err := client.GetFunction(fc.NewGetFunctionInput("lithops", "fn")); return err },
		func() error { _, err := client.InvokeFunction(fc.NewInvokeFunctionInput("lithops", "fn")); return err },
		func() error { _, err := client.DeleteFunction(fc.NewDeleteFunctionInput("lithops", "fn")); return err },
	} {
		if diff := cmp.Diff(sdkError{"FunctionNotFound", 404}, fc2Err(call())); diff != "" {
			t.Errorf("after delete (-want +got):\n%s", diff)
		}
	}
	if diff := cmp.Diff([]string{"lithops"}, cloud.Services()); diff != "" {
		t.Errorf("Services (-want +got):\n%s", diff)
	}
	if _, err := client.DeleteService(fc.NewDeleteServiceInput("lithops")); err != nil {
		t.Fatalf("DeleteService: %v", err)
	}
	if got := cloud.Services(); len(got) != 0 {
		t.Errorf("Services after delete: %v", got)
	}
	want := []Call{
		{APIFC2, "CreateService", "lithops", 200},
		{APIFC2, "CreateFunction", "lithops/fn", 200},
		{APIFC2, "CreateFunction", "lithops/writer", 200},
		{APIFC2, "DeleteFunction", "lithops/writer", 204},
		{APIFC2, "UpdateFunction", "lithops/fn", 200},
		{APIFC2, "DeleteFunction", "lithops/fn", 204},
		{APIFC2, "DeleteService", "lithops", 204},
	}
	if diff := cmp.Diff(want, cloud.MutatingCalls()); diff != "" {
		t.Errorf("MutatingCalls (-want +got):\n%s", diff)
	}
}

// TestOSS checks buckets and objects through the OSS SDK, with OSS's XML errors.
func TestOSS(t *testing.T) {
	cloud := Start(t)
	ctx := context.Background()
	oc := ossClient(cloud)
	bucket := oss.Ptr("lithops-data")

	if ok, err := oc.IsBucketExist(ctx, "lithops-data"); err != nil || ok {
		t.Fatalf("IsBucketExist before create: %v %v", ok, err)
	}
	if _, err := oc.PutBucket(ctx, &oss.PutBucketRequest{Bucket: bucket}); err != nil {
		t.Fatalf("PutBucket: %v", err)
	}
	_, err := oc.PutBucket(ctx, &oss.PutBucketRequest{Bucket: bucket})
	if diff := cmp.Diff(sdkError{"BucketAlreadyExists", 409}, ossErr(err)); diff != "" {
		t.Errorf("PutBucket again (-want +got):\n%s", diff)
	}
	if ok, err := oc.IsBucketExist(ctx, "lithops-data"); err != nil || !ok {
		t.Fatalf("IsBucketExist after create: %v %v", ok, err)
	}
	info, err := oc.GetBucketInfo(ctx, &oss.GetBucketInfoRequest{Bucket: bucket})
	if err != nil || oss.ToString(info.BucketInfo.Name) != "lithops-data" || oss.ToString(info.BucketInfo.Location) != "oss-cn-hangzhou" {
		t.Fatalf("GetBucketInfo: %+v %v", info, err)
	}

	data := []byte("runtime bytes")
	if _, err := oc.PutObject(ctx, &oss.PutObjectRequest{Bucket: bucket, Key: oss.Ptr("dir/obj.bin"), Body: bytes.NewReader(data)}); err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	got, err := oc.GetObject(ctx, &oss.GetObjectRequest{Bucket: bucket, Key: oss.Ptr("dir/obj.bin")})
	if err != nil {
		t.Fatalf("GetObject: %v", err)
	}
	body, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if diff := cmp.Diff(data, body); diff != "" {
		t.Errorf("GetObject body (-want +got):\n%s", diff)
	}
	head, err := oc.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: bucket, Key: oss.Ptr("dir/obj.bin")})
	if err != nil || head.ContentLength != int64(len(data)) || oss.ToString(head.HashCRC64) != checksum(data) {
		t.Errorf("HeadObject: %+v %v", head, err)
	}
	if ok, err := oc.IsObjectExist(ctx, "lithops-data", "dir/obj.bin"); err != nil || !ok {
		t.Errorf("IsObjectExist: %v %v", ok, err)
	}
	if ok, err := oc.IsObjectExist(ctx, "lithops-data", "dir/none"); err != nil || ok {
		t.Errorf("IsObjectExist missing: %v %v", ok, err)
	}
	list, err := oc.ListObjectsV2(ctx, &oss.ListObjectsV2Request{Bucket: bucket, Prefix: oss.Ptr("dir/")})
	if err != nil || len(list.Contents) != 1 || oss.ToString(list.Contents[0].Key) != "dir/obj.bin" {
		t.Errorf("ListObjectsV2: %+v %v", list, err)
	} else if lm := list.Contents[0].LastModified; lm == nil || lm.Nanosecond() != 0 {
		// OSS keeps whole seconds (".000Z"); oss2 rejects any other milliseconds.
		t.Errorf("LastModified %v: OSS lists whole seconds", lm)
	}

	errorTests := []struct {
		name string
		call func() error
		want sdkError
	}{
		{"GetObject missing key", func() error {
			_, err := oc.GetObject(ctx, &oss.GetObjectRequest{Bucket: bucket, Key: oss.Ptr("none")})
			return err
		}, sdkError{"NoSuchKey", 404}},
		{"HeadObject missing key", func() error {
			_, err := oc.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: bucket, Key: oss.Ptr("none")})
			return err
		}, sdkError{"NoSuchKey", 404}},
		{"GetObject missing bucket", func() error {
			_, err := oc.GetObject(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr("no-such-bucket"), Key: oss.Ptr("k")})
			return err
		}, sdkError{"NoSuchBucket", 404}},
		{"PutObject missing bucket", func() error {
			_, err := oc.PutObject(ctx, &oss.PutObjectRequest{Bucket: oss.Ptr("no-such-bucket"), Key: oss.Ptr("k"), Body: strings.NewReader("x")})
			return err
		}, sdkError{"NoSuchBucket", 404}},
		{"DeleteBucket not empty", func() error {
			_, err := oc.DeleteBucket(ctx, &oss.DeleteBucketRequest{Bucket: bucket})
			return err
		}, sdkError{"BucketNotEmpty", 409}},
		{"wrong access key", func() error {
			other := oss.NewClient(oss.LoadDefaultConfig().
				WithCredentialsProvider(credentials.NewStaticCredentialsProvider("LTAIother", "secret")).
				WithRegion(cloud.Region).WithEndpoint(cloud.OSSEndpoint()).WithUsePathStyle(true))
			_, err := other.GetObject(ctx, &oss.GetObjectRequest{Bucket: bucket, Key: oss.Ptr("dir/obj.bin")})
			return err
		}, sdkError{"InvalidAccessKeyId", 403}},
	}
	for _, tt := range errorTests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, ossErr(tt.call())); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}

	if b, ok := cloud.Object("lithops-data", "dir/obj.bin"); !ok || !bytes.Equal(b, data) {
		t.Errorf("Object: %q %v", b, ok)
	}
	if _, err := oc.DeleteObject(ctx, &oss.DeleteObjectRequest{Bucket: bucket, Key: oss.Ptr("dir/obj.bin")}); err != nil {
		t.Fatalf("DeleteObject: %v", err)
	}
	if got := cloud.Objects("lithops-data"); len(got) != 0 {
		t.Errorf("Objects after delete: %v", got)
	}
	if _, err := oc.DeleteBucket(ctx, &oss.DeleteBucketRequest{Bucket: bucket}); err != nil {
		t.Fatalf("DeleteBucket: %v", err)
	}
	if cloud.Objects("lithops-data") != nil {
		t.Error("Objects finds the deleted bucket")
	}
}

// TestCallsAndFaults checks call recording and error injection.
func TestCallsAndFaults(t *testing.T) {
	cloud := Start(t)
	cloud.Settle = 0
	client := fc3Client(t, cloud, AccessKeyID)
	code := zipOf(t, map[string]string{"entry_point.py": okHandler})
	if err := cloud.PutObject("seed-bucket", "a.txt", []byte("a")); err != nil {
		t.Fatal(err)
	}
	if _, err := client.CreateFunction(&fc3.CreateFunctionRequest{Body: createInput("fn", "python3.12", code)}); err != nil {
		t.Fatal(err)
	}
	waitFC3(t, client, "fn")
	if _, _, err := invoke3(t, client, "fn", "{}", false); err != nil {
		t.Fatal(err)
	}
	cloud.Fault = func(api, op, target string) *Error {
		if api == APIFC3 && op == "GetFunction" && target == "fn" {
			return Throttle()
		}
		return nil
	}
	_, err := client.GetFunction(tea.String("fn"), &fc3.GetFunctionRequest{})
	if diff := cmp.Diff(sdkError{"ResourceExhausted", 429}, fc3Err(err)); diff != "" {
		t.Errorf("faulted GetFunction (-want +got):\n%s", diff)
	}
	cloud.Fault = nil
	_, err = client.UpdateFunction(tea.String("fn"), &fc3.UpdateFunctionRequest{Body: &fc3.UpdateFunctionInput{MemorySize: tea.Int32(100)}})
	if fc3Err(err).Status != 400 {
		t.Fatalf("UpdateFunction with memory 100: %v", err)
	}

	want := []Call{{API: APIFC3, Op: "CreateFunction", Target: "fn", Status: 200}}
	if diff := cmp.Diff(want, cloud.MutatingCalls()); diff != "" {
		t.Errorf("MutatingCalls (-want +got):\n%s", diff)
	}
	if got := cloud.CountCalls("InvokeFunction"); got != 1 {
		t.Errorf("CountCalls(InvokeFunction) = %d, want 1", got)
	}
	if got := cloud.CountCalls("GetFunction"); got < 2 {
		t.Errorf("CountCalls(GetFunction) = %d, want the polls and the faulted call", got)
	}
	last := cloud.Calls()[len(cloud.Calls())-1]
	if diff := cmp.Diff(Call{API: APIFC3, Op: "UpdateFunction", Target: "fn", Status: 400}, last); diff != "" {
		t.Errorf("last call (-want +got):\n%s", diff)
	}
	cloud.ResetCalls()
	if got := cloud.Calls(); len(got) != 0 {
		t.Errorf("Calls after ResetCalls: %v", got)
	}
	env := cloud.Env()
	wantEnv := map[string]string{
		"ALIBABA_CLOUD_ACCESS_KEY_ID": AccessKeyID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": AccessKeySecret,
		"ALIBABA_CLOUD_ACCOUNT_ID": DefaultAccountID, "ALIBABA_CLOUD_REGION_ID": DefaultRegion,
	}
	if diff := cmp.Diff(wantEnv, env); diff != "" {
		t.Errorf("Env (-want +got):\n%s", diff)
	}
}
