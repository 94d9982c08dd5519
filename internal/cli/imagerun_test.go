package cli

import (
	"context"
	"sync"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/fakeaws"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy/local/imagerun"
)

// imageInvoker runs the fake Lambda's image functions on this machine with the local image runner
// (chroot and the Runtime API), keeping one warm instance per function and image, as Lambda does.
func imageInvoker(t *testing.T) fakeaws.ImageInvoker {
	var mu sync.Mutex
	warm := map[string]*imagerun.Instance{}
	t.Cleanup(func() {
		for _, in := range warm {
			in.Close()
		}
	})
	return func(ctx context.Context, img v1.Image, fn fakeaws.ImageFunction, event []byte) (*fakeaws.ImageInvocation, error) {
		digest, err := img.Digest()
		if err != nil {
			return nil, err
		}
		key := fn.Name + "@" + digest.String()
		mu.Lock()
		in, ok := warm[key]
		if !ok {
			in, err = imagerun.Start(context.WithoutCancel(ctx), img, imagerun.Function{Name: fn.Name, MemoryMB: fn.MemoryMB, Timeout: fn.Timeout, Region: fn.Region},
				imagerun.WithTempDir(t.TempDir()))
			if err != nil {
				mu.Unlock()
				return nil, err
			}
			warm[key] = in
		}
		mu.Unlock()
		res, tail, err := in.Invoke(ctx, event)
		if err != nil {
			return nil, err
		}
		return &fakeaws.ImageInvocation{Payload: res.Payload, FunctionError: res.FunctionError, LogTail: tail}, nil
	}
}
