// Package fakeaws is an in-process AWS for tests: Lambda (REST-JSON, the operations the
// aws_lambda backend uses), STS GetCallerIdentity and S3 (gofakes3), each on its own 127.0.0.1
// listener, reached by the real SDK through AWS_ENDPOINT_URL_<SERVICE>.
//
// It behaves like AWS where a deploy tool can get it wrong: a created function is Pending and an
// updated one InProgress for a while, and calls in between get ResourceConflictException (409);
// RevisionId conditions give PreconditionFailedException (412); CodeSha256 is the base64 sha256 of
// the zip; over-large requests and unzipped sizes get Lambda's errors and messages; the execution
// role must be one the account has; and Invoke really runs the handler, with the local backend's
// host, in a python3.X matching the function's runtime.
//
// Faults can be injected into every service (InjectFaults; RandomFaults for a seeded rate):
// throttling, 500s, connections dropped before a call is served or after (a lost reply), and slow
// answers, each in the service's own protocol.
package fakeaws

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/fakeecr"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy/local"
)

// Identity of the fake account's caller.
const (
	Account = "123456789012"
	// UserID is the STS UserId of the caller: Lithops' user key is its last 4 characters, "mple".
	UserID = "AIDAIOSFODNN7EXAMPLE"
	// AccessKeyID and SecretAccessKey are the credentials Env sets (the fake does not check them).
	AccessKeyID     = fakeecr.AccessKeyID
	SecretAccessKey = fakeecr.SecretAccessKey
)

// Call is one request the fake answered.
type Call struct {
	Service string // "lambda", "sts", "s3"
	Op      string // "CreateFunction", ..., for S3 the HTTP method and path
	Target  string // the function, layer or bucket/key
	Status  int
	// Dropped tells that the connection was dropped without an answer (an injected fault); the call
	// was served when Status is set.
	Dropped bool
}

// Mutating tells whether the call changes the cloud.
func (c Call) Mutating() bool {
	switch c.Service {
	case "lambda":
		return c.Op != "GetFunction" && c.Op != "ListLayerVersions" && c.Op != "GetLayerVersion" && c.Op != "Invoke" && c.Op != "GetCode"
	case "s3":
		return c.Op == http.MethodPut || c.Op == http.MethodPost || c.Op == http.MethodDelete
	}
	return false
}

// Fault, when it returns non-nil, answers a call with that error instead of serving it (or drops
// the connection, or delays the answer: see Error).
type Fault func(op, target string) *Error

// Cloud is one fake AWS account in one region.
type Cloud struct {
	Region string
	// Roles are the IAM role ARNs functions may be created with.
	Roles []string
	// Settle is how long a created function stays Pending and an updated one InProgress.
	Settle time.Duration
	// Fault injects errors into Lambda calls (nil: none).
	Fault Fault
	// S3Fault and STSFault inject errors into S3 and STS calls (nil: none); InjectFaults sets all.
	S3Fault, STSFault Fault
	// RegistryAuth is what Lambda pulls images with (nil: anonymous).
	RegistryAuth authn.Authenticator
	// ImageInvoker runs image functions (nil: invoking one is a ServiceException).
	ImageInvoker ImageInvoker
	// FunctionEnv is added to the environment of every function the fake runs: what the sandbox
	// needs to reach this fake instead of AWS (e.g. AWS_ENDPOINT_URL_S3; Lambda's sandboxes reach
	// the real endpoints), besides the execution role's credentials Lambda always sets.
	FunctionEnv map[string]string
	// RuntimePackages, when set, is a directory laid out like a layer (python/...) whose packages
	// zip functions import after their code and layers: the packages Lambda's managed Python
	// runtimes include (boto3, botocore).
	RuntimePackages string

	Lambda, STS, S3 *httptest.Server
	// ECR is the account's container registry (control plane and registry); Lambda pulls image
	// functions' images from it.
	ECR *fakeecr.ECR

	host  *local.Host
	s3    *s3mem.Backend
	cache string // extracted code, by CodeSha256

	mu        sync.Mutex
	functions map[string]*function
	layers    map[string][]*layerVersion
	blobs     map[string][]byte // code and layer zips by hex sha256, served at Code.Location
	calls     []Call
	extracted map[string]string
	extractMu sync.Mutex // one extraction at a time
	now       func() time.Time

	// Queued (Event) invocations run with bg, which ends with the test.
	bg        context.Context
	async     sync.WaitGroup
	asyncRuns []AsyncInvocation
}

// DefaultRole is the role Start creates.
const DefaultRole = "arn:aws:iam::" + Account + ":role/lithops-runtime"

// Start starts the fake services; they stop when the test ends.
func Start(t testing.TB) *Cloud {
	t.Helper()
	c := &Cloud{
		Region:    "us-east-1",
		Roles:     []string{DefaultRole},
		Settle:    150 * time.Millisecond,
		host:      local.NewHost(local.WithRegion("us-east-1"), local.WithAccountID(Account), local.WithSystemPath(os.Getenv("PATH"))),
		s3:        s3mem.New(),
		cache:     t.TempDir(),
		functions: map[string]*function{},
		layers:    map[string][]*layerVersion{},
		blobs:     map[string][]byte{},
		extracted: map[string]string{},
		now:       time.Now,
	}
	var stop context.CancelFunc
	c.bg, stop = context.WithCancel(context.Background())
	c.ECR = fakeecr.Start(t)
	c.RegistryAuth = &authn.Basic{Username: "AWS", Password: c.ECR.Password()}
	c.Lambda = httptest.NewServer(c.lambdaHandler())
	c.STS = httptest.NewServer(http.HandlerFunc(c.serveSTS))
	fake := gofakes3.New(c.s3)
	c.S3 = httptest.NewServer(c.recordS3(fake.Server()))
	t.Cleanup(func() {
		stop()
		c.async.Wait()
		c.Lambda.Close()
		c.STS.Close()
		c.S3.Close()
	})
	return c
}

// Env is the environment that points the AWS SDK at the fake, with credentials and region, and
// without any shared config file of the machine.
func (c *Cloud) Env(dir string) map[string]string {
	return map[string]string{
		"AWS_ENDPOINT_URL_LAMBDA":     c.Lambda.URL,
		"AWS_ENDPOINT_URL_STS":        c.STS.URL,
		"AWS_ENDPOINT_URL_S3":         c.S3.URL,
		"AWS_ENDPOINT_URL_ECR":        c.ECR.API.URL,
		"AWS_ACCESS_KEY_ID":           AccessKeyID,
		"AWS_SECRET_ACCESS_KEY":       SecretAccessKey,
		"AWS_REGION":                  c.Region,
		"AWS_CONFIG_FILE":             filepath.Join(dir, "no-aws-config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "no-aws-credentials"),
		"AWS_EC2_METADATA_DISABLED":   "true",
	}
}

// Setenv sets Env in the process environment for the test (the SDK reads it from there).
func (c *Cloud) Setenv(t testing.TB) map[string]string {
	env := c.Env(t.TempDir())
	for k, v := range env {
		t.Setenv(k, v)
	}
	return env
}

// Calls returns the calls answered so far.
func (c *Cloud) Calls() []Call {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.calls)
}

// MutatingCalls returns the calls that changed something.
func (c *Cloud) MutatingCalls() []Call {
	var out []Call
	for _, call := range c.Calls() {
		if call.Mutating() && call.Status >= 200 && call.Status < 300 {
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

// CountCalls counts the answered calls of an operation.
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

// Object returns an S3 object's bytes.
func (c *Cloud) Object(bucket, key string) ([]byte, bool) {
	obj, err := c.s3.GetObject(bucket, key, nil)
	if err != nil {
		return nil, false
	}
	defer obj.Contents.Close()
	data := make([]byte, obj.Size)
	if _, err := ioReadFull(obj.Contents, data); err != nil {
		return nil, false
	}
	return data, true
}

// Objects lists the keys of a bucket (nil when it does not exist).
func (c *Cloud) Objects(bucket string) []string {
	list, err := c.s3.ListBucket(bucket, &gofakes3.Prefix{}, gofakes3.ListBucketPage{})
	if err != nil {
		return nil
	}
	var keys []string
	for _, o := range list.Contents {
		keys = append(keys, o.Key)
	}
	return keys
}

// DeleteObject removes an object (for test setup).
func (c *Cloud) DeleteObject(bucket, key string) {
	_, _ = c.s3.DeleteObject(bucket, key)
}

// PutObject stores an object, creating the bucket if needed (for test setup).
func (c *Cloud) PutObject(bucket, key string, data []byte) error {
	if ok, _ := c.s3.BucketExists(bucket); !ok {
		if err := c.s3.CreateBucket(bucket); err != nil {
			return err
		}
	}
	_, err := c.s3.PutObject(bucket, key, map[string]string{}, bytesReader(data), int64(len(data)), nil)
	return err
}

func (c *Cloud) arn(kind, name string) string {
	return fmt.Sprintf("arn:aws:lambda:%s:%s:%s:%s", c.Region, Account, kind, name)
}
