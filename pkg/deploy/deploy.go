// Package deploy defines what every backend implements: plan a deployment of a built runtime,
// apply it, invoke the deployed functions, restore what was there before, and read and write the
// runtime metadata objects that Lithops clients look up.
package deploy

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/lithops"
)

// Request is what to deploy: one built runtime, as one function per memory size.
type Request struct {
	RuntimeName  string
	Lithops      lithops.Version
	Python       lithops.Python
	Artifact     *build.Artifact
	MemoryMB     []int
	TimeoutSec   int
	Architecture string
	// StorageBucket overrides the backend's default metadata bucket when set.
	StorageBucket string
	// PackageType is "zip" or "image" (for Preflight, before there is an Artifact).
	PackageType string
	// Invoke says the run will invoke the functions (the smoke test), for Preflight.
	Invoke bool
}

// Action says what a plan does to one resource.
type Action string

// The actions a plan may take on a resource.
const (
	Create Action = "create"
	Update Action = "update"
	Skip   Action = "unchanged"
)

// Step is one resource of a plan and what happens to it.
type Step struct {
	Action   Action
	Resource string // "layer", "function", "image", ...
	Name     string
	Detail   string // why, and the sizes or digests involved
}

// String renders the step as one plan line.
func (s Step) String() string {
	line := fmt.Sprintf("%-9s %s %s", s.Action, s.Resource, s.Name)
	if s.Detail != "" {
		line += ": " + s.Detail
	}
	return line
}

// Function is one deployed (or planned) function of the runtime.
type Function struct {
	Name       string
	ID         string // ARN or the backend's id
	MemoryMB   int
	RuntimeKey string // Lithops' runtime key of this function
}

// MetadataKey is the storage key of the function's runtime metadata object.
func (f Function) MetadataKey() string { return lithops.MetadataKey(f.RuntimeKey) }

// Plan is what a deployment would do. Backends keep what they need for Apply in State.
type Plan struct {
	Backend   string
	Region    string
	UserKey   string // AWS user key (and local's), "" where names have none
	Bucket    string // where metadata is written
	Functions []Function
	LayerID   string // layer version id once known ("" for a layer still to publish)
	Steps     []Step
	State     any
}

// Changes reports whether any step creates or updates something.
func (p *Plan) Changes() bool {
	for _, s := range p.Steps {
		if s.Action != Skip {
			return true
		}
	}
	return false
}

// Summary renders the plan's steps, one per line.
func (p *Plan) Summary() string {
	lines := make([]string, len(p.Steps))
	for i, s := range p.Steps {
		lines[i] = s.String()
	}
	return strings.Join(lines, "\n")
}

// Deployment is the outcome of applying a plan.
type Deployment struct {
	Plan      *Plan
	Functions []Function
	LayerID   string
	// ImageURI is the image the functions run (repo@digest), for image runtimes.
	ImageURI string
	Changed  bool
	// State lets the backend restore what was live before (see Backend.Restore).
	State any
}

// Invocation is the answer of one synchronous invocation.
type Invocation struct {
	Payload       []byte
	FunctionError string // "" on success; the platform's error kind when the handler failed
	LogTail       string // the last lines of the function's log, decoded
}

// Backend is one deployment target.
type Backend interface {
	// Name is the backend's name as in the backend input.
	Name() string
	// Plan compares the request with what is live and says what Apply would change. It changes nothing.
	Plan(ctx context.Context, req *Request) (*Plan, error)
	// Apply carries out a plan, waiting until every function is ready to invoke.
	Apply(ctx context.Context, plan *Plan) (*Deployment, error)
	// Invoke calls a deployed function synchronously with payload.
	Invoke(ctx context.Context, fn Function, payload []byte) (*Invocation, error)
	// Restore puts back the code and configuration that were live before Apply, for functions that
	// existed, and removes what Apply created.
	Restore(ctx context.Context, d *Deployment) error
	// ReadObject returns the object at key in bucket, with found false when it does not exist.
	ReadObject(ctx context.Context, bucket, key string) (data []byte, found bool, err error)
	// WriteObject stores data at key in bucket, creating the bucket if needed.
	WriteObject(ctx context.Context, bucket, key string, data []byte) error
}

// CodeChecker is implemented by backends that can tell whether a function is still exactly as a
// deployment left it: its code, its layers and its configuration. The metadata of a runtime is
// only written for what it describes, so a concurrent deployment that changed the function (its
// code, or only its layer) after this run's smoke test is detected.
type CodeChecker interface {
	// RunsDeployedCode reports whether fn runs the code, layers and configuration d deployed (or
	// found live and kept).
	RunsDeployedCode(ctx context.Context, d *Deployment, fn Function) (bool, error)
}

// ConditionalStore is implemented by backends whose object storage can write an object only when
// it is unchanged since it was read (S3's If-Match / If-None-Match). The runtime metadata is then
// written only over the version read before the function was checked, so a concurrent deployment
// that wrote its own metadata meanwhile is detected instead of overwritten.
type ConditionalStore interface {
	// ReadObjectVersion returns the object with its version (ETag); found false when it does not exist.
	ReadObjectVersion(ctx context.Context, bucket, key string) (data []byte, version string, found bool, err error)
	// WriteObjectIf stores data at key only when the object is still at version ("": only when it
	// does not exist). written is false when the condition failed.
	WriteObjectIf(ctx context.Context, bucket, key string, data []byte, version string) (written bool, err error)
}

// ErrSuperseded is wrapped by Restore errors for a function that another deployment changed after
// this one did: it is left as that deployment made it, since restoring would overwrite a newer update.
var ErrSuperseded = errors.New("another deployment changed it after this run did; it was left as that deployment made it (restoring would overwrite a newer update)")

// LiveImageReader is implemented by backends that can tell which image a runtime's functions run
// and the build key they are tagged with, so that an unchanged Dockerfile runtime is not built.
type LiveImageReader interface {
	// LiveImage returns the image every function of req runs (req.Artifact is not read), or nil
	// when a function is missing, is not an image function, or they run different images.
	LiveImage(ctx context.Context, req *Request) (*build.LiveImage, error)
}
