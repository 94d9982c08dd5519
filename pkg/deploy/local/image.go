package local

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/match"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/bytesize"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy/local/imagerun"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/lithops"
)

// PackageImage is function.json's package type of image functions.
const packageImage = "Image"

// planImage plans image functions: like Lambda's, they have no runtime, handler or layers, and
// their code is the image digest.
func (b *Backend) planImage(req *deploy.Request) (*deploy.Plan, error) {
	art := req.Artifact
	p := &plan{req: req, image: true}
	out := &deploy.Plan{Backend: lithops.Local, Region: Region, UserKey: UserKey, Bucket: req.StorageBucket}
	if out.Bucket == "" {
		out.Bucket = lithops.DefaultAWSBucket(Region, UserKey)
	}
	out.Steps = append(out.Steps, deploy.Step{Action: deploy.Create, Resource: "image", Name: art.ImageDigest,
		Detail: fmt.Sprintf("%s, kept in %s", bytesize.Format(art.ImageSize), b.store.imagesDir())})
	needed := false
	for _, mem := range req.MemoryMB {
		name := lithops.AWSFunctionName(UserKey, req.Lithops, req.RuntimeName, mem, "")
		want := functionConfig{
			Name: name, PackageType: packageImage, ImageDigest: art.ImageDigest,
			MemoryMB: mem, TimeoutSec: req.TimeoutSec, Architecture: req.Architecture,
			Tags: lithops.AWSTags(req.RuntimeName, req.Lithops),
		}
		live, err := b.store.function(name)
		if err != nil {
			return nil, err
		}
		fp := functionPlan{config: want}
		step := deploy.Step{Resource: "function", Name: name}
		switch {
		case live == nil:
			fp.action, step.Action, step.Detail = deploy.Create, deploy.Create, fmt.Sprintf("%d MB, image %s", mem, art.ImageDigest)
		case live.PackageType != packageImage:
			return nil, fmt.Errorf("function %s exists as a zip function; an image runtime cannot replace it in place: remove %s or use another runtime-name", name, b.store.functionDir(name))
		default:
			fp.config.Revision = live.Revision
			if diffs := configDiffs(*live, want); len(diffs) > 0 {
				fp.action, step.Action, step.Detail = deploy.Update, deploy.Update, strings.Join(diffs, ", ")
			} else {
				fp.action, step.Action, step.Detail = deploy.Skip, deploy.Skip, "same image and configuration"
			}
		}
		needed = needed || fp.action != deploy.Skip
		p.functions = append(p.functions, fp)
		out.Steps = append(out.Steps, step)
		out.Functions = append(out.Functions, deploy.Function{
			Name: name, ID: want.ID(), MemoryMB: mem,
			RuntimeKey: lithops.RuntimeKey(lithops.Local, req.Lithops, Region, "", name),
		})
	}
	if !needed {
		out.Steps[0].Action, out.Steps[0].Detail = deploy.Skip, "every function already runs it"
	}
	out.State = p
	return out, nil
}

// imagesDir is the OCI image layout holding the images of image functions.
func (s store) imagesDir() string { return filepath.Join(s.root, "images") }

// saveImage adds img to the state's image layout (once per digest).
func (s store) saveImage(img v1.Image) error {
	dir := s.imagesDir()
	p, err := layout.FromPath(dir)
	if err != nil {
		if p, err = layout.Write(dir, empty.Index); err != nil {
			return fmt.Errorf("making the image store %s: %w", dir, err)
		}
	}
	d, err := img.Digest()
	if err != nil {
		return err
	}
	if err := p.ReplaceImage(img, match.Digests(d)); err != nil {
		return fmt.Errorf("storing image %s in %s: %w", d, dir, err)
	}
	return nil
}

// loadImage reads an image of the state's layout by digest.
func (s store) loadImage(digest string) (v1.Image, error) {
	h, err := v1.NewHash(digest)
	if err != nil {
		return nil, err
	}
	p, err := layout.FromPath(s.imagesDir())
	if err != nil {
		return nil, fmt.Errorf("reading the image store: %w", err)
	}
	return p.Image(h)
}

// invokeImage runs an image function: its image, unpacked on this machine, serves the invocation
// through the Lambda Runtime API (see imagerun), as Lambda runs container images.
func (b *Backend) invokeImage(ctx context.Context, fc *functionConfig, payload []byte) (*deploy.Invocation, error) {
	img, err := b.store.loadImage(fc.ImageDigest)
	if err != nil {
		return nil, fmt.Errorf("function %s: %w", fc.Name, err)
	}
	tmp := filepath.Join(b.store.root, "run")
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return nil, err
	}
	return RunImage(ctx, img, ImageFunction{Name: fc.Name, MemoryMB: fc.MemoryMB, Timeout: time.Duration(fc.TimeoutSec) * time.Second},
		payload, imagerun.WithTempDir(tmp), imagerun.WithLogger(b.logger))
}

// ImageFunction is the configuration an image runs with.
type ImageFunction struct {
	Name     string
	MemoryMB int
	Timeout  time.Duration
	// FC runs the image as an Aliyun FC custom container (HTTP on FC_SERVER_PORT) instead of a
	// Lambda image (the Runtime API).
	FC bool
}

// RunImage starts img on this machine (chroot, or Docker; see imagerun), sends it one invocation
// and stops it: a cold start, as Lambda's first invocation of a new image. An error wrapping
// imagerun.ErrNoIsolation means this machine cannot run images.
func RunImage(ctx context.Context, img v1.Image, fn ImageFunction, payload []byte, opts ...imagerun.Option) (*deploy.Invocation, error) {
	f := imagerun.Function{Name: fn.Name, MemoryMB: fn.MemoryMB, Timeout: fn.Timeout, Region: Region}
	if fn.FC {
		port, err := imagerun.FreePort()
		if err != nil {
			return nil, err
		}
		f.HTTPPort = port
	}
	in, err := imagerun.Start(ctx, img, f, opts...)
	if err != nil {
		return nil, fmt.Errorf("starting the image of %s: %w", fn.Name, err)
	}
	defer in.Close()
	if fn.FC {
		res, tail, err := in.InvokeHTTP(ctx, payload, "local-"+fn.Name)
		if err != nil {
			if len(tail) > 0 {
				// What the container printed tells why it did not answer (e.g. its server crashed).
				return nil, fmt.Errorf("%w; the container's output:\n%s", err, tail)
			}
			return nil, err
		}
		inv := &deploy.Invocation{Payload: res.Body, LogTail: string(tail)}
		if res.Status < 200 || res.Status > 299 {
			inv.FunctionError = "UnhandledInvocationError"
		}
		return inv, nil
	}
	res, tail, err := in.Invoke(ctx, payload)
	if err != nil {
		return nil, err
	}
	return &deploy.Invocation{Payload: res.Payload, FunctionError: res.FunctionError, LogTail: string(tail)}, nil
}
