package aliyunfc

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/utils"
	fc3 "github.com/alibabacloud-go/fc-20230330/v4/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"
)

// fc3API is FunctionAPI on FC 3.0 (Lithops >= 3.7): functions live directly in the account and
// region.
type fc3API struct {
	c       *fc3.Client
	region  string
	account string
}

// Credentials are an Aliyun AccessKey (and STS token).
type Credentials struct {
	AccessKeyID, AccessKeySecret, SecurityToken string
}

// NewFC3 returns the FC 3.0 API at endpoint ("" for <account>.<region>.fc.aliyuncs.com; a URL with
// http:// for emulators and VPC endpoints).
func NewFC3(endpoint, region, account string, cred Credentials) (FunctionAPI, error) {
	def := ""
	if endpoint == "" {
		var err error
		if def, err = fcHost(region, account); err != nil {
			return nil, err
		}
	} else if err := checkEndpoint("Function Compute", endpoint); err != nil {
		return nil, err
	}
	host, protocol := splitEndpoint(endpoint, def)
	cfg := &openapi.Config{
		AccessKeyId: dara.String(cred.AccessKeyID), AccessKeySecret: dara.String(cred.AccessKeySecret),
		RegionId: dara.String(region), Endpoint: dara.String(host), Protocol: dara.String(protocol),
		ReadTimeout: dara.Int(15 * 60 * 1000), ConnectTimeout: dara.Int(10 * 1000),
	}
	if cred.SecurityToken != "" {
		cfg.SecurityToken = dara.String(cred.SecurityToken)
	}
	c, err := fc3.NewClient(cfg)
	if err != nil {
		return nil, fmt.Errorf("making the Function Compute 3.0 client for %s: %w", host, err)
	}
	return &fc3API{c: c, region: region, account: account}, nil
}

// splitEndpoint turns an endpoint input into the host and protocol the SDKs want.
func splitEndpoint(endpoint, def string) (host, protocol string) {
	if endpoint == "" {
		return def, "https"
	}
	if rest, ok := strings.CutPrefix(endpoint, "http://"); ok {
		return strings.TrimSuffix(rest, "/"), "http"
	}
	return strings.TrimSuffix(strings.TrimPrefix(endpoint, "https://"), "/"), "https"
}

// fc3Error converts the SDK's error.
func fc3Error(op string, err error) error {
	if err == nil {
		return nil
	}
	var se *dara.SDKError
	if errors.As(err, &se) {
		return &APIError{Op: op, Status: dara.IntValue(se.StatusCode), Code: dara.StringValue(se.Code), Message: dara.StringValue(se.Message)}
	}
	var te *tea.SDKError
	if errors.As(err, &te) {
		return &APIError{Op: op, Status: tea.IntValue(te.StatusCode), Code: tea.StringValue(te.Code), Message: tea.StringValue(te.Message)}
	}
	return fmt.Errorf("%s: %w", op, err)
}

func (a *fc3API) Prepare(ctx context.Context, role string, dryRun bool) (bool, error) {
	return false, nil
}

func (a *fc3API) FunctionID(name string) string {
	return fmt.Sprintf("acs:fc:%s:%s:functions/%s", a.region, a.account, name)
}

func (a *fc3API) Get(ctx context.Context, name string) (*Function, error) {
	out, err := a.c.GetFunctionWithContext(ctx, dara.String(name), &fc3.GetFunctionRequest{}, map[string]*string{}, &dara.RuntimeOptions{})
	if err != nil {
		err = fc3Error("GetFunction "+name, err)
		if isNotFound(err) {
			return nil, nil
		}
		return nil, err
	}
	return fromFC3(out.Body), nil
}

func fromFC3(f *fc3.Function) *Function {
	if f == nil {
		return &Function{}
	}
	return &Function{
		Name: dara.StringValue(f.FunctionName), ID: dara.StringValue(f.FunctionArn),
		Runtime: dara.StringValue(f.Runtime), Handler: dara.StringValue(f.Handler), Role: dara.StringValue(f.Role),
		Description: dara.StringValue(f.Description), MemoryMB: int(dara.Int32Value(f.MemorySize)), TimeoutSec: int(dara.Int32Value(f.Timeout)),
		InternetAccess: dara.BoolValue(f.InternetAccess), CodeChecksum: dara.StringValue(f.CodeChecksum), CodeSize: dara.Int64Value(f.CodeSize),
		State: dara.StringValue(f.State), LastUpdateStatus: dara.StringValue(f.LastUpdateStatus),
		Image: containerImage(f.CustomContainerConfig), Port: containerPort(f.CustomContainerConfig),
		Tags: fromFC3Tags(f.Tags),
	}
}

func fromFC3Tags(tags []*fc3.Tag) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := map[string]string{}
	for _, t := range tags {
		if t != nil {
			m[dara.StringValue(t.Key)] = dara.StringValue(t.Value)
		}
	}
	return m
}

func toFC3Tags(tags map[string]string) []*fc3.Tag {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []*fc3.Tag
	for _, k := range keys {
		out = append(out, &fc3.Tag{Key: dara.String(k), Value: dara.String(tags[k])})
	}
	return out
}

// Tag sets tags on a function: TagResources (POST /2023-03-30/tags-v2) with the function's ARN.
func (a *fc3API) Tag(ctx context.Context, name string, tags map[string]string) error {
	_, err := a.c.TagResourcesWithContext(ctx, &fc3.TagResourcesRequest{Body: &fc3.TagResourcesInput{
		ResourceType: dara.String("FUNCTION"), ResourceId: []*string{dara.String(a.FunctionID(name))}, Tag: toFC3Tags(tags),
	}}, map[string]*string{}, &dara.RuntimeOptions{})
	return fc3Error("TagResources "+name, err)
}

func containerImage(c *fc3.CustomContainerConfig) string {
	if c == nil {
		return ""
	}
	if r := dara.StringValue(c.ResolvedImageUri); r != "" {
		return r
	}
	return dara.StringValue(c.Image)
}

func containerPort(c *fc3.CustomContainerConfig) int {
	if c == nil {
		return 0
	}
	return int(dara.Int32Value(c.Port))
}

// fc3Container is the customContainerConfig of a spec (nil for zip functions).
func fc3Container(s FunctionSpec) *fc3.CustomContainerConfig {
	if s.Image == "" {
		return nil
	}
	return &fc3.CustomContainerConfig{Image: dara.String(s.Image), Port: dara.Int32(int32(s.Port))}
}

func fc3Code(c *Code) *fc3.InputCodeLocation {
	if c == nil {
		return nil
	}
	if c.OSSObject != "" {
		return &fc3.InputCodeLocation{OssBucketName: dara.String(c.OSSBucket), OssObjectName: dara.String(c.OSSObject)}
	}
	return &fc3.InputCodeLocation{ZipFile: dara.String(base64.StdEncoding.EncodeToString(c.ZipFile))}
}

func (a *fc3API) Create(ctx context.Context, s FunctionSpec) (*Function, error) {
	in := &fc3.CreateFunctionInput{
		FunctionName: dara.String(s.Name), Runtime: dara.String(s.Runtime), Handler: dara.String(s.Handler),
		Description: dara.String(s.Description), MemorySize: dara.Int32(int32(s.MemoryMB)), Timeout: dara.Int32(int32(s.TimeoutSec)),
		InternetAccess: dara.Bool(s.InternetAccess), Code: fc3Code(s.Code), CustomContainerConfig: fc3Container(s),
		Tags: toFC3Tags(s.Tags),
	}
	if s.Role != "" {
		in.Role = dara.String(s.Role)
	}
	out, err := a.c.CreateFunctionWithContext(ctx, &fc3.CreateFunctionRequest{Body: in}, map[string]*string{}, &dara.RuntimeOptions{})
	if err != nil {
		return nil, fc3Error("CreateFunction "+s.Name, err)
	}
	return fromFC3(out.Body), nil
}

// Update updates the function unconditionally: FC 3.0's UpdateFunction (2023-03-30) takes the
// function name and body only, no If-Match; a spec asking for a condition is refused rather than
// silently served unconditionally.
func (a *fc3API) Update(ctx context.Context, s FunctionSpec) (*Function, error) {
	if s.IfMatch != "" {
		return nil, fmt.Errorf("UpdateFunction %s: Function Compute 3.0 has no conditional update (If-Match)", s.Name)
	}
	in := &fc3.UpdateFunctionInput{
		Runtime: dara.String(s.Runtime), Handler: dara.String(s.Handler), Description: dara.String(s.Description),
		MemorySize: dara.Int32(int32(s.MemoryMB)), Timeout: dara.Int32(int32(s.TimeoutSec)), InternetAccess: dara.Bool(s.InternetAccess),
		Code: fc3Code(s.Code), CustomContainerConfig: fc3Container(s),
	}
	if s.Role != "" {
		in.Role = dara.String(s.Role)
	}
	out, err := a.c.UpdateFunctionWithContext(ctx, dara.String(s.Name), &fc3.UpdateFunctionRequest{Body: in}, map[string]*string{}, &dara.RuntimeOptions{})
	if err != nil {
		return nil, fc3Error("UpdateFunction "+s.Name, err)
	}
	return fromFC3(out.Body), nil
}

// Delete deletes the function unconditionally: FC 3.0's DeleteFunction takes no condition (ifMatch
// is always "", as Get reports no ETag).
func (a *fc3API) Delete(ctx context.Context, name, ifMatch string) error {
	_, err := a.c.DeleteFunctionWithContext(ctx, dara.String(name), map[string]*string{}, &dara.RuntimeOptions{})
	return fc3Error("DeleteFunction "+name, err)
}

func (a *fc3API) CodeURL(ctx context.Context, name string) (string, error) {
	out, err := a.c.GetFunctionCodeWithContext(ctx, dara.String(name), &fc3.GetFunctionCodeRequest{}, map[string]*string{}, &dara.RuntimeOptions{})
	if err != nil {
		return "", fc3Error("GetFunctionCode "+name, err)
	}
	if out.Body == nil || dara.StringValue(out.Body.Url) == "" {
		return "", fmt.Errorf("GetFunctionCode %s: no download URL", name)
	}
	return dara.StringValue(out.Body.Url), nil
}

func (a *fc3API) Invoke(ctx context.Context, name string, payload []byte) (*Invocation, error) {
	// With the context: an invocation can last the function's timeout (and the client's 15-minute
	// read timeout); an interrupted run or a canceled smoke test must not wait for it.
	out, err := a.c.InvokeFunctionWithContext(ctx, dara.String(name), &fc3.InvokeFunctionRequest{Body: bytes.NewReader(payload)},
		&fc3.InvokeFunctionHeaders{XFcInvocationType: dara.String("Sync"), XFcLogType: dara.String("Tail")}, &dara.RuntimeOptions{})
	if err != nil {
		return nil, fc3Error("InvokeFunction "+name, err)
	}
	inv := &Invocation{}
	if out.Body != nil {
		if inv.Payload, err = io.ReadAll(out.Body); err != nil {
			return nil, fmt.Errorf("InvokeFunction %s: reading the response: %w", name, err)
		}
	}
	inv.ErrorType = header(out.Headers, "x-fc-error-type")
	if l := header(out.Headers, "x-fc-log-result"); l != "" {
		if b, err := base64.StdEncoding.DecodeString(l); err == nil {
			inv.LogTail = string(b)
		}
	}
	return inv, nil
}

// header reads a response header case-insensitively.
func header(h map[string]*string, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return dara.StringValue(v)
		}
	}
	return ""
}
