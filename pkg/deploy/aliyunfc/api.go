// Package aliyunfc deploys Lithops zip runtimes to Aliyun Function Compute: one function per
// memory size, named exactly as a Lithops client of the version computes them, through the API
// generation that client uses (FC 3.0 for Lithops >= 3.7, FC 2.0 with its per-user service before),
// and writes the runtime metadata to the client's OSS storage bucket.
//
// Both generations sit behind FunctionAPI, a small consumer-side interface with FC's own model
// (Function, FunctionSpec); the SDK adapters are fc3.go (fc-20230330) and fc2.go (fc-go-sdk).
// Object storage is the OSS SDK v2 behind ObjectAPI. Endpoints and credentials come from Options.
package aliyunfc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
)

// Function is a live function, as both API generations report it.
type Function struct {
	Name, ID         string
	Runtime, Handler string
	Role             string
	Description      string
	MemoryMB         int
	TimeoutSec       int
	InternetAccess   bool
	// CodeChecksum is FC's CRC-64/ECMA-182 of the code zip, as a decimal string.
	CodeChecksum string
	CodeSize     int64
	// State and LastUpdateStatus are FC 3.0's ("" on FC 2.0, where updates are synchronous).
	State, LastUpdateStatus string
	// Image and Port are a custom-container function's (runtime "custom-container").
	Image string
	Port  int
	// Tags are the function's tags (FC 3.0; nil on FC 2.0, which tags services only).
	Tags map[string]string
	// ETag is FC 2.0's version of the function, new with every change ("" on FC 3.0, whose API
	// has none): an update or delete with it as IfMatch is refused if the function changed since.
	ETag string
}

// Code is a function's code: a zip sent inline, or an OSS object.
type Code struct {
	ZipFile              []byte
	OSSBucket, OSSObject string
}

// FunctionSpec is what a function must be.
type FunctionSpec struct {
	Name, Runtime, Handler, Role, Description string
	MemoryMB, TimeoutSec                      int
	InternetAccess                            bool
	// Code is nil for a configuration-only update (and for custom containers).
	Code *Code
	// Image (repo@digest) and Port make a custom-container function.
	Image string
	Port  int
	// Tags are set when the function is created (FC 3.0); an update sets them with Tag.
	Tags map[string]string
	// IfMatch, when not "", makes an update conditional: it is refused (an error isChanged
	// reports) unless the function's ETag is still IfMatch. FC 2.0 only; "" on FC 3.0.
	IfMatch string
}

// Invocation is a synchronous invocation's answer.
type Invocation struct {
	Payload []byte
	// ErrorType is FC's x-fc-error-type ("UnhandledInvocationError", ...), "" on success.
	ErrorType string
	LogTail   string
}

// FunctionAPI is one FC API generation's function operations.
type FunctionAPI interface {
	// Prepare makes sure what functions live in exists (FC 2.0's service); nothing on FC 3.0.
	Prepare(ctx context.Context, role string, dryRun bool) (created bool, err error)
	// Get returns the function, or nil when it does not exist.
	Get(ctx context.Context, name string) (*Function, error)
	Create(ctx context.Context, spec FunctionSpec) (*Function, error)
	// Update returns the function as the update left it (with its new ETag on FC 2.0).
	Update(ctx context.Context, spec FunctionSpec) (*Function, error)
	// Delete deletes the function; with ifMatch not "" (FC 2.0) only while its ETag is ifMatch.
	Delete(ctx context.Context, name, ifMatch string) error
	// CodeURL is a download URL of the function's current code zip.
	CodeURL(ctx context.Context, name string) (string, error)
	Invoke(ctx context.Context, name string, payload []byte) (*Invocation, error)
	// Tag sets tags on the function (FC 3.0 TagResources; FC 2.0 cannot tag functions).
	Tag(ctx context.Context, name string, tags map[string]string) error
	// FunctionID is what outputs call the function (its ARN on FC 3.0, service/function on 2.0).
	FunctionID(name string) string
}

// APIError is an FC error with its HTTP status and code, from either generation.
type APIError struct {
	Status  int
	Code    string
	Message string
	Op      string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("%s: %s (HTTP %d): %s", e.Op, e.Code, e.Status, e.Message)
}

// isNotFound tells whether err says a function or service does not exist.
func isNotFound(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Status == http.StatusNotFound
}

// errChanged is wrapped by a conditional update or delete (FC 2.0's If-Match) that FC refused:
// the function changed since its ETag was read.
var errChanged = errors.New("the function changed since this run read it")

// isChanged tells whether a conditional update or delete was refused because the function changed.
func isChanged(err error) bool { return errors.Is(err, errChanged) }

// isNotReady tells whether err says the function is not ready yet (pending, updating).
func isNotReady(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && (ae.Status == http.StatusPreconditionFailed || ae.Status == http.StatusConflict && ae.Code != "FunctionAlreadyExists" && ae.Code != "ServiceAlreadyExists")
}

// isTransient tells whether a retry may succeed: throttling and server errors.
func isTransient(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && (ae.Status == http.StatusTooManyRequests || ae.Status >= 500)
}
