// Package imagerunner runs the fake clouds' container functions on this machine with the local
// image runner (pkg/deploy/local/imagerun: chroot), one warm instance per function and image, as
// the clouds keep an execution environment warm: Lambda's image functions through the Runtime
// API (fakeaws.ImageInvoker), FC's custom containers over HTTP (fakealiyun.ContainerInvoker).
package imagerunner

import (
	"context"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/fakealiyun"
	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/fakeaws"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy/local/imagerun"
)

// instances keeps the warm instances of a test, closed when it ends.
type instances struct {
	mu   sync.Mutex
	warm map[string]*imagerun.Instance
}

func newInstances(t testing.TB) *instances {
	is := &instances{warm: map[string]*imagerun.Instance{}}
	t.Cleanup(func() {
		is.mu.Lock()
		defer is.mu.Unlock()
		for _, in := range is.warm {
			in.Close()
		}
	})
	return is
}

// get returns the warm instance under key, started by start if there is none.
func (is *instances) get(key string, start func() (*imagerun.Instance, error)) (*imagerun.Instance, error) {
	is.mu.Lock()
	defer is.mu.Unlock()
	if in, ok := is.warm[key]; ok {
		return in, nil
	}
	in, err := start()
	if err != nil {
		return nil, err
	}
	is.warm[key] = in
	return in, nil
}

// Lambda runs the fake Lambda's image functions (the Runtime API), with the function's
// environment variables as Lambda sets them.
func Lambda(t testing.TB) fakeaws.ImageInvoker {
	is := newInstances(t)
	return func(ctx context.Context, img v1.Image, fn fakeaws.ImageFunction, event []byte) (*fakeaws.ImageInvocation, error) {
		digest, err := img.Digest()
		if err != nil {
			return nil, err
		}
		in, err := is.get(fn.Name+"@"+digest.String(), func() (*imagerun.Instance, error) {
			return imagerun.Start(context.WithoutCancel(ctx), img, imagerun.Function{Name: fn.Name, MemoryMB: fn.MemoryMB, Timeout: fn.Timeout,
				Region: fn.Region, Env: fn.Env}, imagerun.WithTempDir(t.TempDir()))
		})
		if err != nil {
			return nil, err
		}
		// One invocation at a time per instance, as a Lambda execution environment takes them.
		res, tail, err := in.Invoke(ctx, event)
		if err != nil {
			return nil, err
		}
		return &fakeaws.ImageInvocation{Payload: res.Payload, FunctionError: res.FunctionError, LogTail: tail}, nil
	}
}

// FC runs the fake FC's custom-container functions: the image is pulled from its registry and
// served over HTTP on a free port, as FC does; env is the container's environment (may be nil).
func FC(t testing.TB, env map[string]string) fakealiyun.ContainerInvoker {
	is := newInstances(t)
	return func(ctx context.Context, fn fakealiyun.ContainerFunction, event []byte, requestID string) (*fakealiyun.ContainerInvocation, error) {
		in, err := is.get(fn.Name+"@"+fn.Image, func() (*imagerun.Instance, error) {
			ref, err := name.ParseReference(fn.Image)
			if err != nil {
				return nil, err
			}
			img, err := remote.Image(ref)
			if err != nil {
				return nil, err
			}
			port, err := imagerun.FreePort()
			if err != nil {
				return nil, err
			}
			return imagerun.Start(context.WithoutCancel(ctx), img, imagerun.Function{Name: fn.Name, MemoryMB: fn.MemoryMB, Timeout: fn.Timeout,
				Region: fn.Region, HTTPPort: port, Env: env}, imagerun.WithTempDir(t.TempDir()))
		})
		if err != nil {
			return nil, err
		}
		res, tail, err := in.InvokeHTTP(ctx, event, requestID)
		if err != nil {
			return nil, err
		}
		return &fakealiyun.ContainerInvocation{Status: res.Status, Body: res.Body, LogTail: tail}, nil
	}
}
