package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/bytesize"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/lithops"
)

// UserKey and Region are what the local backend uses where AWS has an identity and a region.
const (
	UserKey = "local"
	Region  = "local"
)

// Backend is the local backend; it implements deploy.Backend.
type Backend struct {
	store  store
	host   *Host
	logger *slog.Logger
}

var _ deploy.Backend = (*Backend)(nil)

// Option configures a Backend.
type Option func(*Backend)

// WithHost sets the function host that runs invocations (default: NewHost()).
func WithHost(h *Host) Option { return func(b *Backend) { b.host = h } }

// WithBackendLogger sets where the backend logs (default: discard).
func WithBackendLogger(l *slog.Logger) Option { return func(b *Backend) { b.logger = l } }

// New returns the local backend keeping its state in dir.
func New(dir string, opts ...Option) *Backend {
	b := &Backend{store: store{root: dir}, logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, o := range opts {
		o(b)
	}
	if b.host == nil {
		b.host = NewHost()
	}
	return b
}

// Name returns "local".
func (b *Backend) Name() string { return lithops.Local }

// Dir is the state directory.
func (b *Backend) Dir() string { return b.store.root }

// plan is the backend's part of a deploy.Plan.
type plan struct {
	req       *deploy.Request
	image     bool // an image runtime
	layer     layerVersion
	newLayer  bool
	functions []functionPlan
}

type functionPlan struct {
	config  functionConfig
	action  deploy.Action
	newCode bool
}

// Plan compares the request with the state directory.
func (b *Backend) Plan(ctx context.Context, req *deploy.Request) (*deploy.Plan, error) {
	art := req.Artifact
	if art != nil && art.PackageType == "image" && art.Image != nil {
		return b.planImage(req)
	}
	if art == nil || art.PackageType != "zip" || art.Function == nil || art.Layer == nil {
		return nil, errors.New("the local backend runs zip runtimes (a layer and a function zip) and images")
	}
	pkg := lithops.AWSPackage(req.Lithops, UserKey, "")
	layerName := lithops.AWSLayerName(pkg, req.RuntimeName)
	p := &plan{req: req}
	out := &deploy.Plan{Backend: lithops.Local, Region: Region, UserKey: UserKey, Bucket: req.StorageBucket}
	if out.Bucket == "" {
		out.Bucket = lithops.DefaultAWSBucket(Region, UserKey)
	}

	latest, err := b.store.latestLayer(layerName)
	if err != nil {
		return nil, err
	}
	size := fmt.Sprintf("%s zipped, %s unzipped", bytesize.Format(art.Layer.Size), bytesize.Format(art.Layer.UnzippedSize))
	switch {
	case latest != nil && latest.CodeSha256 == art.Layer.CodeSHA256:
		p.layer = *latest
		out.Steps = append(out.Steps, deploy.Step{Action: deploy.Skip, Resource: "layer", Name: latest.ID(), Detail: "same CodeSha256 " + latest.CodeSha256})
	default:
		next := 1
		if latest != nil {
			next = latest.Version + 1
		}
		p.layer = layerVersion{Name: layerName, Version: next, CodeSha256: art.Layer.CodeSHA256, CodeSize: art.Layer.Size,
			Runtimes: []string{req.Python.Runtime()}, Arch: req.Architecture}
		p.newLayer = true
		out.Steps = append(out.Steps, deploy.Step{Action: deploy.Create, Resource: "layer", Name: p.layer.ID(), Detail: size})
	}
	out.LayerID = p.layer.ID()

	for _, mem := range req.MemoryMB {
		name := lithops.AWSFunctionName(UserKey, req.Lithops, req.RuntimeName, mem, "")
		want := functionConfig{
			Name: name, Runtime: req.Python.Runtime(), Handler: lithops.Handler(lithops.Local, "zip"),
			MemoryMB: mem, TimeoutSec: req.TimeoutSec, Architecture: req.Architecture,
			Layers: []string{p.layer.ID()}, CodeSha256: art.Function.CodeSHA256, CodeSize: art.Function.Size,
			Tags: lithops.AWSTags(req.RuntimeName, req.Lithops),
		}
		live, err := b.store.function(name)
		if err != nil {
			return nil, err
		}
		fp := functionPlan{config: want, newCode: true}
		step := deploy.Step{Resource: "function", Name: name}
		if live == nil {
			fp.action, step.Action = deploy.Create, deploy.Create
			step.Detail = fmt.Sprintf("%d MB, %s code", mem, bytesize.Format(art.Function.Size))
		} else {
			fp.config.Revision = live.Revision
			diffs := configDiffs(*live, want)
			fp.newCode = live.CodeSha256 != want.CodeSha256
			switch {
			case len(diffs) == 0:
				fp.action, step.Action = deploy.Skip, deploy.Skip
				step.Detail = "same code and configuration"
			default:
				fp.action, step.Action = deploy.Update, deploy.Update
				step.Detail = strings.Join(diffs, ", ")
			}
		}
		p.functions = append(p.functions, fp)
		out.Steps = append(out.Steps, step)
		out.Functions = append(out.Functions, deploy.Function{
			Name: name, ID: want.ID(), MemoryMB: mem,
			RuntimeKey: lithops.RuntimeKey(lithops.Local, req.Lithops, Region, "", name),
		})
	}
	out.State = p
	return out, nil
}

// configDiffs lists what differs between the live function and the wanted one.
func configDiffs(live, want functionConfig) []string {
	var d []string
	if live.CodeSha256 != want.CodeSha256 {
		d = append(d, fmt.Sprintf("code %s -> %s", live.CodeSha256, want.CodeSha256))
	}
	if live.ImageDigest != want.ImageDigest {
		d = append(d, fmt.Sprintf("image %s -> %s", live.ImageDigest, want.ImageDigest))
	}
	add := func(what string, a, b any) {
		if fmt.Sprint(a) != fmt.Sprint(b) {
			d = append(d, fmt.Sprintf("%s %v -> %v", what, a, b))
		}
	}
	add("runtime", live.Runtime, want.Runtime)
	add("handler", live.Handler, want.Handler)
	add("memory", live.MemoryMB, want.MemoryMB)
	add("timeout", live.TimeoutSec, want.TimeoutSec)
	add("architecture", live.Architecture, want.Architecture)
	add("layers", live.Layers, want.Layers)
	if !maps.Equal(live.Tags, want.Tags) {
		d = append(d, "tags")
	}
	return d
}

// deployment is the backend's part of a deploy.Deployment: what Restore undoes.
type deployment struct {
	// touched lists the functions Apply wrote, and whether each existed before.
	touched []touchedFunction
}

type touchedFunction struct {
	name    string
	existed bool
}

// Apply publishes the layer version and writes the functions the plan changes.
func (b *Backend) Apply(ctx context.Context, dp *deploy.Plan) (*deploy.Deployment, error) {
	p, ok := dp.State.(*plan)
	if !ok {
		return nil, errors.New("applying a plan that the local backend did not make")
	}
	d := &deploy.Deployment{Plan: dp, Functions: dp.Functions, LayerID: p.layer.ID()}
	st := &deployment{}
	d.State = st
	if p.image {
		d.LayerID = ""
		d.ImageURI = "local:image@" + p.req.Artifact.ImageDigest
		if dp.Changes() {
			if err := b.store.saveImage(p.req.Artifact.Image); err != nil {
				return d, err
			}
		}
	}
	if p.newLayer {
		b.logger.Info("publishing layer", "layer", p.layer.ID())
		if err := b.store.publishLayer(ctx, p.layer, p.req.Artifact.Layer.Path); err != nil {
			return d, err
		}
		d.Changed = true
	}
	for _, fp := range p.functions {
		if fp.action == deploy.Skip {
			continue
		}
		fc := fp.config
		fc.Revision++
		zip := ""
		if fp.newCode && !p.image {
			zip = p.req.Artifact.Function.Path
		}
		b.logger.Info(string(fp.action)+" function", "function", fc.Name)
		if err := b.store.writeFunction(ctx, fc, zip); err != nil {
			return d, err
		}
		st.touched = append(st.touched, touchedFunction{name: fc.Name, existed: fp.action == deploy.Update})
		d.Changed = true
	}
	return d, nil
}

// Restore undoes Apply: updated functions get their previous code and configuration back,
// created ones are removed. A published layer version stays, as on Lambda (versions are immutable
// and unreferenced).
func (b *Backend) Restore(ctx context.Context, d *deploy.Deployment) error {
	st, ok := d.State.(*deployment)
	if !ok {
		return nil
	}
	var errs []error
	for _, t := range slices.Backward(st.touched) {
		if err := b.store.restoreFunction(t.name, t.existed); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Invoke runs a deployed function with payload as Lambda would.
func (b *Backend) Invoke(ctx context.Context, fn deploy.Function, payload []byte) (*deploy.Invocation, error) {
	fc, err := b.store.function(fn.Name)
	if err != nil {
		return nil, err
	}
	if fc == nil {
		return nil, fmt.Errorf("function %s is not deployed in %s", fn.Name, b.store.root)
	}
	if fc.PackageType == packageImage {
		return b.invokeImage(ctx, fc, payload)
	}
	layers := make([]string, 0, len(fc.Layers))
	for _, id := range fc.Layers {
		dir, err := b.store.layerByID(id)
		if err != nil {
			return nil, fmt.Errorf("function %s: %w", fn.Name, err)
		}
		layers = append(layers, dir)
	}
	res, err := b.host.Invoke(ctx, Function{
		Name:       fc.Name,
		CodeDir:    filepath.Join(b.store.functionDir(fc.Name), "code"),
		LayerDirs:  layers,
		Handler:    fc.Handler,
		Python:     strings.TrimPrefix(fc.Runtime, "python"),
		MemoryMB:   fc.MemoryMB,
		Timeout:    time.Duration(fc.TimeoutSec) * time.Second,
		Convention: Lambda,
	}, payload)
	if err != nil {
		return nil, err
	}
	return &deploy.Invocation{Payload: res.Payload, FunctionError: res.FunctionError, LogTail: string(res.LogTail)}, nil
}

// ReadObject reads storage/<bucket>/<key>.
func (b *Backend) ReadObject(ctx context.Context, bucket, key string) ([]byte, bool, error) {
	p, err := b.store.objectPath(bucket, key)
	if err != nil {
		return nil, false, err
	}
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return data, true, nil
}

// WriteObject writes storage/<bucket>/<key> atomically.
func (b *Backend) WriteObject(ctx context.Context, bucket, key string, data []byte) error {
	p, err := b.store.objectPath(bucket, key)
	if err != nil {
		return err
	}
	return writeFileAtomic(p, data)
}
