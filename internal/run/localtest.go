package run

import (
	"context"
	"errors"
	"fmt"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/lithops"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/verify"
)

// ErrCannotRunImages is what an ImageRunner's error wraps when this machine cannot run images.
var ErrCannotRunImages = errors.New("this machine cannot run container images")

// ImageRunner runs an image on this machine with one invocation (local.RunImage).
// fc runs it as an Aliyun FC custom container (HTTP) rather than a Lambda image (Runtime API).
type ImageRunner func(ctx context.Context, img v1.Image, name string, memoryMB int, timeout time.Duration, fc bool, payload []byte) (*deploy.Invocation, error)

// localTest runs a container runtime's image on this machine with Lithops' metadata request
// before anything is pushed: a broken image fails here, in seconds, instead of after an upload and
// a deploy (and a rollback).
func (p *pipeline) localTest(ctx context.Context) error {
	cfg := p.cfg
	switch {
	case p.artifact.Reused:
		return skip{reason: "the image was not built: every function already runs it (build key " + p.artifact.BuildKey + ")"}
	case p.artifact.Image == nil:
		return skip{reason: "zip runtime (local-test is for container runtimes)"}
	case cfg.Backend == lithops.Local:
		return skip{reason: "the local backend runs the image itself (verify)"}
	case cfg.LocalTest == "false":
		return skip{reason: "local-test is false"}
	case p.deps.RunImage == nil:
		return skip{reason: "this build of the tool cannot run images"}
	}
	name := "local-test-" + cfg.RuntimeName
	inv := imageInvoker{run: p.deps.RunImage, img: p.artifact.Image, timeout: time.Duration(cfg.Timeout) * time.Second, fc: cfg.Backend == lithops.AliyunFC}
	want := verify.Expect{Backend: cfg.Backend, Python: cfg.Python.String(), Lithops: cfg.Lithops.String(), Modules: p.artifact.Modules}
	md, err := verify.Run(ctx, inv, deploy.Function{Name: name, MemoryMB: cfg.Memory[0]}, want)
	if err != nil {
		if errors.Is(err, ErrCannotRunImages) && cfg.LocalTest == "auto" {
			p.deps.UI.Warnf("the image was not run on this machine before pushing (%v); set local-test: false to silence this, or run as root / with a Docker daemon", err)
			return skip{reason: "this machine cannot run container images"}
		}
		return fmt.Errorf("the image failed on this machine, before anything was pushed or deployed: %w", err)
	}
	p.deps.UI.Infof("the image answered Lithops' metadata request on this machine: Python %s, Lithops %s, %d modules", md.PythonVersion, md.LithopsVersion, len(md.Preinstalls))
	return nil
}

// imageInvoker adapts an ImageRunner to verify.Invoker.
type imageInvoker struct {
	run     ImageRunner
	img     v1.Image
	timeout time.Duration
	fc      bool
}

func (i imageInvoker) Invoke(ctx context.Context, fn deploy.Function, payload []byte) (*deploy.Invocation, error) {
	return i.run(ctx, i.img, fn.Name, fn.MemoryMB, i.timeout, i.fc, payload)
}
