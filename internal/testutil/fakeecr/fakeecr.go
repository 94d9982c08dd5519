// Package fakeecr is an in-process Amazon ECR for tests: the control plane (JSON 1.1 protocol,
// the operations a push needs: DescribeRepositories, CreateRepository, GetAuthorizationToken; and
// DescribeImages, which Lithops reads),
// reached by the real SDK through AWS_ENDPOINT_URL_ECR, and the registry itself
// (go-containerregistry's in-memory registry) on its own 127.0.0.1 listener.
//
// It behaves like ECR where a pushing tool can get it wrong: the registry wants HTTP basic auth
// with user "AWS" and the password of GetAuthorizationToken, and refuses pushes to repositories
// that were not created (404 NAME_UNKNOWN). Repository URIs are "<registry host:port>/<name>",
// so pushes to them reach the in-process registry (plain HTTP: clients must allow that for
// 127.0.0.1).
//
// Fault injects failures into both (error answers, dropped connections, delays: see Fault).
package fakeecr

import (
	"crypto/rand"
	"encoding/hex"
	"io"
	"log"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"
)

// Identity of the fake account.
const (
	Account = "123456789012"
	Region  = "us-east-1"
	// AccessKeyID and SecretAccessKey are the credentials Env sets; the control plane wants
	// requests signed with AccessKeyID (it does not verify signatures).
	AccessKeyID     = "AKIAFAKEECRFORTESTS1"
	SecretAccessKey = "fake-secret-access-key-for-ecr-tests"
	// User is the registry user of ECR tokens.
	User = "AWS"
)

// TokenLifetime is how long an authorization token is said to be valid, as in ECR.
const TokenLifetime = 12 * time.Hour

// Repository is one repository of the fake, as created.
type Repository struct {
	Name          string
	URI           string
	TagMutability string // "MUTABLE" or "IMMUTABLE"
	ScanOnPush    bool
	CreatedAt     time.Time
}

// ECR is one fake ECR registry of one account and region.
type ECR struct {
	// API is the ECR control plane; Registry is the image registry.
	API, Registry *httptest.Server
	// Fault injects failures into control-plane and registry requests (nil: none). Set it before
	// the first request.
	Fault Injector

	password string
	dir      string

	mu           sync.Mutex
	repos        map[string]Repository
	calls        []string
	blobUploads  int
	manifestPuts int
	requests     int
}

// Start starts a fake ECR with no repositories; it is stopped when the test ends.
func Start(t testing.TB) *ECR {
	t.Helper()
	secret := make([]byte, 16)
	if _, err := rand.Read(secret); err != nil {
		t.Fatalf("fakeecr: generating a password: %v", err)
	}
	e := &ECR{
		password: hex.EncodeToString(secret),
		dir:      t.TempDir(),
		repos:    map[string]Repository{},
	}
	e.Registry = httptest.NewServer(e.registryHandler(registry.New(registry.Logger(log.New(io.Discard, "", 0)))))
	t.Cleanup(e.Registry.Close)
	e.API = httptest.NewServer(e.apiHandler())
	t.Cleanup(e.API.Close)
	return e
}

// Host is the registry's host:port, the first part of repository URIs.
func (e *ECR) Host() string {
	u, err := url.Parse(e.Registry.URL)
	if err != nil {
		panic("fakeecr: registry URL: " + err.Error())
	}
	return u.Host
}

// Password is the registry password GetAuthorizationToken hands out.
func (e *ECR) Password() string { return e.password }

// BlobUploads counts the blob upload requests (POST, PATCH and PUT under /v2/<name>/blobs/uploads)
// the registry accepted past authentication.
func (e *ECR) BlobUploads() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.blobUploads
}

// ManifestPuts counts the manifest PUTs the registry accepted past authentication.
func (e *ECR) ManifestPuts() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.manifestPuts
}

// Requests counts every request the control plane and the registry received, whatever the answer.
func (e *ECR) Requests() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.requests
}

// countRequest counts one request and returns the fault to inject into it.
func (e *ECR) countRequest(op, target string) *Fault {
	e.mu.Lock()
	e.requests++
	e.mu.Unlock()
	if e.Fault == nil {
		return nil
	}
	return e.Fault(op, target)
}

// Repositories lists the names of the repositories, sorted.
func (e *ECR) Repositories() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	names := make([]string, 0, len(e.repos))
	for n := range e.repos {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Repository returns the repository name as created.
func (e *ECR) Repository(name string) (Repository, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	r, ok := e.repos[name]
	return r, ok
}

// Calls lists the control-plane operations answered, in order ("DescribeRepositories", ...).
func (e *ECR) Calls() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.calls)
}

// Env is the environment that points the AWS SDK's ECR client at the fake, with credentials and
// region, and without any shared config file of the machine.
func (e *ECR) Env() map[string]string {
	return map[string]string{
		"AWS_ENDPOINT_URL_ECR":        e.API.URL,
		"AWS_ACCESS_KEY_ID":           AccessKeyID,
		"AWS_SECRET_ACCESS_KEY":       SecretAccessKey,
		"AWS_REGION":                  Region,
		"AWS_CONFIG_FILE":             filepath.Join(e.dir, "no-aws-config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(e.dir, "no-aws-credentials"),
		"AWS_EC2_METADATA_DISABLED":   "true",
	}
}

// Setenv sets Env in the process environment for the test (the SDK reads it from there).
func (e *ECR) Setenv(t testing.TB) {
	t.Helper()
	for k, v := range e.Env() {
		t.Setenv(k, v)
	}
}
