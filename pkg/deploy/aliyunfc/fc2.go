package aliyunfc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	fc2 "github.com/aliyun/fc-go-sdk"
)

// fc2API is FunctionAPI on FC 2.0 (Lithops <= 3.6): functions live in a per-user service
// (lithops_<key>), created with the role when missing.
type fc2API struct {
	c       *fc2.Client
	service string
	region  string
	account string
}

// NewFC2 returns the FC 2.0 API of service at endpoint ("" for <account>.<region>.fc.aliyuncs.com).
func NewFC2(endpoint, region, account, service string, cred Credentials) (FunctionAPI, error) {
	if endpoint == "" {
		host, err := fcHost(region, account)
		if err != nil {
			return nil, err
		}
		endpoint = "https://" + host
	} else if err := checkEndpoint("Function Compute", endpoint); err != nil {
		return nil, err
	}
	opts := []fc2.ClientOption{fc2.WithAccountID(account), fc2.WithTimeout(15 * 60)}
	if cred.SecurityToken != "" {
		opts = append(opts, fc2.WithSecurityToken(cred.SecurityToken))
	}
	c, err := fc2.NewClient(endpoint, "2016-08-15", cred.AccessKeyID, cred.AccessKeySecret, opts...)
	if err != nil {
		return nil, fmt.Errorf("making the Function Compute 2.0 client for %s: %w", endpoint, err)
	}
	return &fc2API{c: c, service: service, region: region, account: account}, nil
}

// fc2Error converts the SDK's error.
func fc2Error(op string, err error) error {
	if err == nil {
		return nil
	}
	var se *fc2.ServiceError
	if errors.As(err, &se) {
		return &APIError{Op: op, Status: se.HTTPStatus, Code: se.ErrorCode, Message: se.ErrorMessage}
	}
	var sv fc2.ServiceError
	if errors.As(err, &sv) {
		return &APIError{Op: op, Status: sv.HTTPStatus, Code: sv.ErrorCode, Message: sv.ErrorMessage}
	}
	return fmt.Errorf("%s: %w", op, err)
}

func (a *fc2API) FunctionID(name string) string {
	return fmt.Sprintf("acs:fc:%s:%s:services/%s/functions/%s", a.region, a.account, a.service, name)
}

// Prepare creates the service when it does not exist (with internet access, as Lithops does).
func (a *fc2API) Prepare(ctx context.Context, role string, dryRun bool) (bool, error) {
	_, err := bounded(ctx, func() (*fc2.GetServiceOutput, error) { return a.c.GetService(fc2.NewGetServiceInput(a.service)) })
	if err == nil {
		return false, nil
	}
	if err = fc2Error("GetService "+a.service, err); !isNotFound(err) {
		return false, err
	}
	if dryRun {
		return true, nil
	}
	in := fc2.NewCreateServiceInput().WithServiceName(a.service).WithInternetAccess(true).
		WithDescription("Lithops functions (lithops-runtime-action)")
	if role != "" {
		in = in.WithRole(role)
	}
	if _, err := bounded(ctx, func() (*fc2.CreateServiceOutput, error) { return a.c.CreateService(in) }); err != nil {
		if err = fc2Error("CreateService "+a.service, err); isConflict(err) {
			return false, nil // created meanwhile
		}
		return false, err
	}
	return true, nil
}

func isConflict(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Status == 409
}

func (a *fc2API) Get(ctx context.Context, name string) (*Function, error) {
	out, err := bounded(ctx, func() (*fc2.GetFunctionOutput, error) {
		return a.c.GetFunction(fc2.NewGetFunctionInput(a.service, name))
	})
	if err != nil {
		err = fc2Error("GetFunction "+a.service+"/"+name, err)
		if isNotFound(err) {
			return nil, nil
		}
		return nil, err
	}
	return a.function(name, out.Header, fc2Fields{out.FunctionName, out.Runtime, out.Handler, out.Description, out.CodeChecksum, out.MemorySize, out.Timeout, out.CodeSize}), nil
}

// fc2Fields are the fields of FC 2.0's function metadata this package reads (every SDK output
// embeds the metadata).
type fc2Fields struct {
	name, runtime, handler, description, checksum *string
	memory, timeout                               *int32
	size                                          *int64
}

// function converts an FC 2.0 answer: its function metadata and its ETag header.
func (a *fc2API) function(name string, h http.Header, m fc2Fields) *Function {
	f := &Function{
		Name: str(m.name), ID: a.FunctionID(name), Runtime: str(m.runtime), Handler: str(m.handler),
		Description: str(m.description), CodeChecksum: str(m.checksum), InternetAccess: true, ETag: fc2.GetEtag(h),
	}
	if f.Name == "" {
		f.Name = name
	}
	if m.memory != nil {
		f.MemoryMB = int(*m.memory)
	}
	if m.timeout != nil {
		f.TimeoutSec = int(*m.timeout)
	}
	if m.size != nil {
		f.CodeSize = *m.size
	}
	return f
}

// bounded runs call, an FC 2.0 SDK call (fc-go-sdk takes no context), and returns when it does
// or when ctx ends, whichever comes first: an interrupted run or a canceled smoke test does not
// wait for FC (up to the client's 15-minute timeout). An abandoned call goes on in the background
// until FC answers or that timeout ends it, as a call whose answer is lost does.
func bounded[T any](ctx context.Context, call func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := call()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, context.Cause(ctx)
	}
}

func str(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func fc2Code(c *Code) *fc2.Code {
	if c.OSSObject != "" {
		return fc2.NewCode().WithOSSBucketName(c.OSSBucket).WithOSSObjectName(c.OSSObject)
	}
	return fc2.NewCode().WithZipFile(c.ZipFile)
}

func (a *fc2API) Create(ctx context.Context, s FunctionSpec) (*Function, error) {
	in := fc2.NewCreateFunctionInput(a.service).WithFunctionName(s.Name).WithRuntime(s.Runtime).WithHandler(s.Handler).
		WithDescription(s.Description).WithMemorySize(int32(s.MemoryMB)).WithTimeout(int32(s.TimeoutSec)).WithCode(fc2Code(s.Code))
	out, err := bounded(ctx, func() (*fc2.CreateFunctionOutput, error) { return a.c.CreateFunction(in) })
	if err != nil {
		return nil, fc2Error("CreateFunction "+a.service+"/"+s.Name, err)
	}
	return a.function(s.Name, out.Header, fc2Fields{out.FunctionName, out.Runtime, out.Handler, out.Description, out.CodeChecksum, out.MemorySize, out.Timeout, out.CodeSize}), nil
}

func (a *fc2API) Update(ctx context.Context, s FunctionSpec) (*Function, error) {
	in := fc2.NewUpdateFunctionInput(a.service, s.Name).WithRuntime(s.Runtime).WithHandler(s.Handler).
		WithDescription(s.Description).WithMemorySize(int32(s.MemoryMB)).WithTimeout(int32(s.TimeoutSec))
	if s.Code != nil {
		in = in.WithCode(fc2Code(s.Code))
	}
	if s.IfMatch != "" {
		in = in.WithIfMatch(s.IfMatch)
	}
	out, err := bounded(ctx, func() (*fc2.UpdateFunctionOutput, error) { return a.c.UpdateFunction(in) })
	if err != nil {
		return nil, conditional(fc2Error("UpdateFunction "+a.service+"/"+s.Name, err), s.IfMatch)
	}
	return a.function(s.Name, out.Header, fc2Fields{out.FunctionName, out.Runtime, out.Handler, out.Description, out.CodeChecksum, out.MemorySize, out.Timeout, out.CodeSize}), nil
}

func (a *fc2API) Delete(ctx context.Context, name, ifMatch string) error {
	in := fc2.NewDeleteFunctionInput(a.service, name)
	if ifMatch != "" {
		in = in.WithIfMatch(ifMatch)
	}
	_, err := bounded(ctx, func() (*fc2.DeleteFunctionOutput, error) { return a.c.DeleteFunction(in) })
	return conditional(fc2Error("DeleteFunction "+a.service+"/"+name, err), ifMatch)
}

// conditional marks the answer to a call made with If-Match that FC refused with 412
// PreconditionFailed: the function's ETag is no longer the one sent (errChanged).
func conditional(err error, ifMatch string) error {
	var ae *APIError
	if ifMatch != "" && errors.As(err, &ae) && ae.Status == http.StatusPreconditionFailed {
		return fmt.Errorf("%w (its ETag is no longer %s): %w", errChanged, ifMatch, err)
	}
	return err
}

func (a *fc2API) CodeURL(ctx context.Context, name string) (string, error) {
	out, err := bounded(ctx, func() (*fc2.GetFunctionCodeOutput, error) {
		return a.c.GetFunctionCode(fc2.NewGetFunctionCodeInput(a.service, name))
	})
	if err != nil {
		return "", fc2Error("GetFunctionCode "+a.service+"/"+name, err)
	}
	if out.URL == "" {
		return "", fmt.Errorf("GetFunctionCode %s/%s: no download URL", a.service, name)
	}
	return out.URL, nil
}

func (a *fc2API) Invoke(ctx context.Context, name string, payload []byte) (*Invocation, error) {
	out, err := bounded(ctx, func() (*fc2.InvokeFunctionOutput, error) {
		return a.c.InvokeFunction(fc2.NewInvokeFunctionInput(a.service, name).WithPayload(payload).WithSyncInvocation().WithLogType("Tail"))
	})
	if err != nil {
		return nil, fc2Error("InvokeFunction "+a.service+"/"+name, err)
	}
	inv := &Invocation{Payload: out.Payload, ErrorType: out.Header.Get("X-Fc-Error-Type")}
	if l := out.Header.Get("X-Fc-Log-Result"); l != "" {
		inv.LogTail = decodeLog(l)
	}
	return inv, nil
}

var _ = strconv.Itoa

// Tag is refused: FC 2.0 tags services, not functions (and custom containers, the only runtimes
// tagged, are deployed through FC 3.0).
func (a *fc2API) Tag(ctx context.Context, name string, tags map[string]string) error {
	return fmt.Errorf("tagging function %s: Function Compute 2.0 cannot tag functions", name)
}
