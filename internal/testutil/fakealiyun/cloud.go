package fakealiyun

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy/local"
)

// Identity of the fake account and its credentials.
const (
	// DefaultAccountID is the account ID Start sets.
	DefaultAccountID = "1234567890123456"
	// DefaultRegion is the region Start sets.
	DefaultRegion = "cn-hangzhou"
	// AccessKeyID and AccessKeySecret are the credentials Env sets. The fake checks that requests
	// carry AccessKeyID; it does not verify signatures.
	AccessKeyID     = "LTAI5tFakeAliyunKeyID0001"
	AccessKeySecret = "fakeAliyunAccessKeySecretForTests0001"
	// DefaultRole is the RAM role Start lets functions and services use.
	DefaultRole = "acs:ram::" + DefaultAccountID + ":role/lithops"
)

// API names in [Call.API] and [Cloud.Fault].
const (
	APIFC3 = "fc3"
	APIFC2 = "fc2"
	APIOSS = "oss"
)

// Limits the fake enforces, as Function Compute does.
const (
	// RequestMax is the largest request body Function Compute accepts (413 EntityTooLarge above).
	RequestMax = 140 << 20
	// UnzippedMax is the largest code Function Compute accepts, unzipped (400 above).
	UnzippedMax = 500 << 20
)

// Call is one request the fake answered.
type Call struct {
	API    string // "fc3", "fc2" or "oss"
	Op     string // the SDK's operation name: "CreateFunction", "InvokeFunction", "PutObject", ...
	Target string // FC 3.0: the function; FC 2.0: "service" or "service/function"; OSS: "bucket" or "bucket/key"
	Status int
}

// Mutating tells whether the call may change the cloud: everything but reads (Get*, Head*,
// List*) and invocations.
func (c Call) Mutating() bool {
	for _, p := range []string{"Get", "Head", "List"} {
		if strings.HasPrefix(c.Op, p) {
			return false
		}
	}
	return c.Op != "InvokeFunction"
}

// Cloud is one fake Aliyun account in one region.
type Cloud struct {
	// ContainerInvoker runs custom-container functions (nil: invoking one answers 501).
	ContainerInvoker ContainerInvoker
	// AccountID and Region identify the account; functions see them in their context.
	AccountID, Region string
	// Roles are the RAM role ARNs functions and services may use.
	Roles []string
	// Settle is how long a created FC 3.0 function stays Pending and an updated one InProgress.
	Settle time.Duration
	// Fault, when it returns non-nil, answers a call with that error instead of serving it. api is
	// "fc3", "fc2" or "oss"; op and target are as in [Call].
	Fault func(api, op, target string) *Error

	// FunctionEnv is added to the environment of every zip function the fake runs: what the
	// sandbox needs to reach this fake instead of Aliyun (e.g. HTTP_PROXY=OSS.URL: the fake OSS
	// also answers virtual-hosted requests for <bucket>.oss-<region>[-internal].aliyuncs.com as a
	// proxy). The function's own environmentVariables override it.
	FunctionEnv map[string]string
	// RuntimePackages, when set, is a directory laid out like an FC layer (python/...) whose
	// packages zip functions import after their code: what FC's managed Python runtimes include
	// (oss2).
	RuntimePackages string

	// FC3, FC2 and OSS are the services' listeners.
	FC3, FC2, OSS *httptest.Server

	cache string // extracted code, by checksum
	// Limits, settable by the package's tests.
	requestMax, unzippedMax int64

	hostOnce sync.Once
	host     *local.Host

	mu        sync.Mutex
	fc3       map[string]*function
	services  map[string]*service
	buckets   map[string]*bucket
	calls     []Call
	extracted map[string]string
	extractMu sync.Mutex // one extraction at a time
	async     sync.WaitGroup
	now       func() time.Time
}

// Start starts the fake services; they stop when the test ends.
func Start(t testing.TB) *Cloud {
	t.Helper()
	c := &Cloud{
		AccountID:   DefaultAccountID,
		Region:      DefaultRegion,
		Roles:       []string{DefaultRole},
		Settle:      150 * time.Millisecond,
		cache:       t.TempDir(),
		requestMax:  RequestMax,
		unzippedMax: UnzippedMax,
		fc3:         map[string]*function{},
		services:    map[string]*service{},
		buckets:     map[string]*bucket{},
		extracted:   map[string]string{},
		now:         time.Now,
	}
	c.FC3 = httptest.NewServer(c.fc3Handler())
	c.FC2 = httptest.NewServer(c.fc2Handler())
	c.OSS = httptest.NewServer(c.ossHandler())
	t.Cleanup(func() {
		c.FC3.Close()
		c.FC2.Close()
		c.OSS.Close()
		c.async.Wait()
	})
	return c
}

// Env is the environment of the account: its credentials, ID and region.
func (c *Cloud) Env() map[string]string {
	return map[string]string{
		"ALIBABA_CLOUD_ACCESS_KEY_ID":     AccessKeyID,
		"ALIBABA_CLOUD_ACCESS_KEY_SECRET": AccessKeySecret,
		"ALIBABA_CLOUD_ACCOUNT_ID":        c.AccountID,
		"ALIBABA_CLOUD_REGION_ID":         c.Region,
	}
}

// FC3Endpoint is the FC 3.0 endpoint as the FC 3.0 SDK's Config.Endpoint takes it: host:port,
// with Config.Protocol "http".
func (c *Cloud) FC3Endpoint() string { return strings.TrimPrefix(c.FC3.URL, "http://") }

// FC2Endpoint is the FC 2.0 endpoint as fc.NewClient takes it: http://host:port.
func (c *Cloud) FC2Endpoint() string { return c.FC2.URL }

// OSSEndpoint is the OSS endpoint as the OSS SDK's Config.WithEndpoint takes it: http://host:port.
func (c *Cloud) OSSEndpoint() string { return c.OSS.URL }

// Calls returns the calls answered so far.
func (c *Cloud) Calls() []Call {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.calls)
}

// MutatingCalls returns the successful calls that changed something.
func (c *Cloud) MutatingCalls() []Call {
	var out []Call
	for _, call := range c.Calls() {
		if call.Mutating() && call.Status < 300 {
			out = append(out, call)
		}
	}
	return out
}

// ResetCalls forgets the calls answered so far.
func (c *Cloud) ResetCalls() {
	c.mu.Lock()
	c.calls = nil
	c.mu.Unlock()
}

// CountCalls counts the answered calls of an operation, in all APIs.
func (c *Cloud) CountCalls(op string) int {
	n := 0
	for _, call := range c.Calls() {
		if call.Op == op {
			n++
		}
	}
	return n
}

func (c *Cloud) record(call Call) {
	c.mu.Lock()
	c.calls = append(c.calls, call)
	c.mu.Unlock()
}

// localHost is the host invocations run on, made on first use so that it sees AccountID and
// Region as the test set them.
func (c *Cloud) localHost() *local.Host {
	c.hostOnce.Do(func() {
		c.host = local.NewHost(local.WithRegion(c.Region), local.WithAccountID(c.AccountID),
			local.WithSystemPath(os.Getenv("PATH")))
	})
	return c.host
}

// handlerFunc serves one operation. It writes a successful response itself and returns its
// status, or returns an error and writes nothing.
type handlerFunc func(w http.ResponseWriter, r *http.Request, target string) (int, *Error)

// serve wraps an operation: credentials check, fault injection, error writing and recording.
func (c *Cloud) serve(api, op string, target func(*http.Request) string, h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tgt := target(r)
		requestID := newID()
		setRequestID(w, api, requestID)
		e := checkAuth(api, r)
		if e == nil && c.Fault != nil {
			e = c.Fault(api, op, tgt)
		}
		if network(e, w, func(w http.ResponseWriter) {
			status, _ := h(w, r, tgt)
			c.record(Call{API: api, Op: op, Target: tgt, Status: status})
		}) {
			if e.Code == CodeConnectionReset {
				c.record(Call{API: api, Op: op, Target: tgt})
			}
			return
		}
		status := 0
		if e == nil {
			status, e = h(w, r, tgt)
		}
		if e != nil {
			status = e.Status
			e.write(w, r, api, requestID)
		}
		c.record(Call{API: api, Op: op, Target: tgt, Status: status})
	}
}

// checkAuth answers requests that do not carry the fake's access key ID as the services do.
func checkAuth(api string, r *http.Request) *Error {
	if strings.Contains(r.Header.Get("Authorization"), AccessKeyID) {
		return nil
	}
	if api == APIOSS {
		return &Error{http.StatusForbidden, "InvalidAccessKeyId", "The OSS Access Key Id you provided does not exist in our records."}
	}
	return &Error{http.StatusForbidden, "InvalidAccessKeyID", "invalid access key ID: the request is not signed with the fake's AccessKeyID"}
}

// runAsync runs f in the background; Start's cleanup waits for it.
func (c *Cloud) runAsync(f func(ctx context.Context)) {
	c.async.Add(1)
	go func() {
		defer c.async.Done()
		f(context.Background())
	}()
}
