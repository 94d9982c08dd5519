package aliyunfc

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/bytesize"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/zipbundle"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/lithops"
)

// Options configure the backend with the cloud side of the inputs.
type Options struct {
	Region, AccountID string
	// AccessKeyID is the Lithops clients' AccessKey id: Lithops' default OSS bucket is named
	// after it (only used when the request has no storage bucket). A temporary (STS.) key names
	// no bucket a client reads and is refused. Never logged.
	AccessKeyID string
	// StorageRegion is the region of the clients' OSS storage backend (aliyun_oss.region, else
	// aliyun.region): the default bucket's name embeds it. "" means Region.
	StorageRegion string
	// Generation is the FC API Lithops clients of the version use.
	Generation lithops.FCGeneration
	// Service is the FC 2.0 service functions live in.
	Service string
	// Role is the functions' (FC 2.0: the service's) RAM role ARN; "" for none.
	Role   string
	Logger *slog.Logger
	// HTTPClient downloads a function's previous code for a rollback (default http.DefaultClient).
	HTTPClient *http.Client
	// Registry is the repository (an ACR repository, host/path[:tag]) custom-container images are
	// pushed to; Push pushes them (registry.Push with the Docker config keychain).
	Registry string
	Push     func(ctx context.Context, img v1.Image, ref string) (pinned string, err error)
	// PollMin, PollMax bound the readiness polling (defaults 500 ms, 5 s); ReadyTimeout bounds one
	// wait (default 10 min).
	PollMin, PollMax, ReadyTimeout time.Duration
}

// Backend deploys to Aliyun Function Compute.
type Backend struct {
	opts Options
	fc   FunctionAPI
	oss  ObjectAPI
	log  *slog.Logger
	http *http.Client
}

var _ deploy.Backend = (*Backend)(nil)

// New returns a Backend using the given APIs.
func New(fc FunctionAPI, o ObjectAPI, opts Options) *Backend {
	if opts.PollMin == 0 {
		opts.PollMin = 500 * time.Millisecond
	}
	if opts.PollMax == 0 {
		opts.PollMax = 5 * time.Second
	}
	if opts.ReadyTimeout == 0 {
		opts.ReadyTimeout = 10 * time.Minute
	}
	b := &Backend{opts: opts, fc: fc, oss: o, log: opts.Logger, http: opts.HTTPClient}
	if b.log == nil {
		b.log = slog.New(slog.DiscardHandler)
	}
	if b.http == nil {
		b.http = http.DefaultClient
	}
	return b
}

// Name is "aliyun_fc".
func (b *Backend) Name() string { return lithops.AliyunFC }

// plan is the backend's part of a deploy.Plan.
type plan struct {
	req           *deploy.Request
	bucket        string
	createService bool
	functions     []functionPlan
	// pushed is the image pushed by Apply (repo@digest).
	pushed string
}

type functionPlan struct {
	spec        FunctionSpec
	action      deploy.Action
	live        *Function
	codeChanged bool
	// update tells that code or configuration differ (an Update call); tags are the tags to set
	// on a live function (TagResources), nil when it has them.
	update bool
	tags   map[string]string
}

// Plan reads the live functions (and FC 2.0's service) and compares them with the request.
func (b *Backend) Plan(ctx context.Context, req *deploy.Request) (*deploy.Plan, error) {
	art := req.Artifact
	isImage := art != nil && art.PackageType == build.Image && (art.Image != nil || art.Reused && art.ImageDigest != "")
	switch {
	case isImage && b.opts.Generation != lithops.FC3:
		return nil, fmt.Errorf("aliyun_fc: custom-container runtimes are deployed for Lithops >= 3.7 clients (Function Compute 3.0); Lithops %s uses FC 2.0: build a zip runtime", req.Lithops)
	case isImage && (b.opts.Registry == "" || b.opts.Push == nil):
		return nil, errors.New("aliyun_fc: custom-container runtimes need the registry input (an ACR repository in the function's region)")
	case !isImage && (art == nil || art.PackageType != build.Zip || art.Function == nil):
		return nil, errors.New("aliyun_fc: nothing to deploy: a zip runtime needs its code zip, a container runtime its image")
	}
	region := b.opts.Region
	p := &plan{req: req, bucket: req.StorageBucket}
	if p.bucket == "" {
		if lithops.IsTemporaryAliyunKey(b.opts.AccessKeyID) || b.opts.AccessKeyID == "" {
			return nil, errors.New("aliyun_fc: Lithops names the default OSS bucket after the client's AccessKey id, and the credentials here are temporary (STS): set the storage bucket, or the clients' AccessKey id")
		}
		storageRegion := b.opts.StorageRegion
		if storageRegion == "" {
			storageRegion = region
		}
		p.bucket = lithops.DefaultOSSBucket(req.Lithops, storageRegion, b.opts.AccessKeyID, b.opts.AccountID)
	}
	out := &deploy.Plan{Backend: lithops.AliyunFC, Region: region, Bucket: p.bucket, State: p}
	missing, err := try(ctx, b, func() (bool, error) { return b.fc.Prepare(ctx, b.opts.Role, true) })
	if err != nil {
		return nil, err
	}
	if missing {
		p.createService = true
		out.Steps = append(out.Steps, deploy.Step{Action: deploy.Create, Resource: "service", Name: b.opts.Service, Detail: "FC 2.0 service of Lithops <= 3.6 clients, with internet access"})
	}
	imageStep := len(out.Steps)
	if isImage {
		detail := fmt.Sprintf("%s, %s (layers the registry has are not uploaded again)", art.ImageDigest, bytesize.Format(art.ImageSize))
		if art.BuildKey != "" {
			detail += ", build key " + art.BuildKey
		}
		out.Steps = append(out.Steps, deploy.Step{Action: deploy.Create, Resource: "image", Name: b.opts.Registry, Detail: detail})
	}
	for _, mem := range req.MemoryMB {
		name, err := lithops.FCFunctionName(req.RuntimeName, mem, req.Lithops)
		if err != nil {
			return nil, err
		}
		fp, step, err := b.planFunction(ctx, p, name, mem, missing)
		if err != nil {
			return nil, err
		}
		p.functions = append(p.functions, fp)
		out.Steps = append(out.Steps, step)
		out.Functions = append(out.Functions, deploy.Function{
			Name: name, ID: b.fc.FunctionID(name), MemoryMB: mem,
			RuntimeKey: lithops.RuntimeKey(lithops.AliyunFC, req.Lithops, region, b.opts.Service, name),
		})
	}
	if isImage && !needsPush(p) {
		out.Steps[imageStep].Action, out.Steps[imageStep].Detail = deploy.Skip, "every function already runs "+art.ImageDigest
		if art.BuildKey != "" {
			out.Steps[imageStep].Detail += " (build key " + art.BuildKey + ")"
		}
	}
	return out, nil
}

// needsPush tells whether a function of the plan needs the image pushed (created, or its image
// replaced).
func needsPush(p *plan) bool {
	for _, fp := range p.functions {
		if fp.action == deploy.Create || fp.codeChanged {
			return true
		}
	}
	return false
}

// containerPort is the port FC sends custom-container invocations to (FC_SERVER_PORT).
const fcContainerPort = 9000

// imageDigest is the digest of an image reference (repo@sha256:...), "" when it has none.
func imageDigest(ref string) string {
	if _, d, ok := strings.Cut(ref, "@"); ok {
		return d
	}
	return ""
}

func (b *Backend) planFunction(ctx context.Context, p *plan, name string, mem int, serviceMissing bool) (functionPlan, deploy.Step, error) {
	art := p.req.Artifact
	spec := FunctionSpec{
		Name: name, Runtime: p.req.Python.Runtime(), Handler: lithops.Handler(lithops.AliyunFC, build.Zip), Role: b.opts.Role,
		Description: fmt.Sprintf("Lithops %s runtime %s, Python %s (lithops-runtime-action)", p.req.Lithops, p.req.RuntimeName, p.req.Python),
		MemoryMB:    mem, TimeoutSec: p.req.TimeoutSec, InternetAccess: true,
	}
	if art.PackageType == build.Image {
		spec.Runtime, spec.Handler, spec.Port = "custom-container", lithops.Handler(lithops.AliyunFC, build.Image), fcContainerPort
	}
	spec.Tags = build.BuildKeyTags(art)
	fp := functionPlan{spec: spec}
	step := deploy.Step{Resource: "function", Name: name}
	var live *Function
	if !serviceMissing {
		var err error
		if live, err = try(ctx, b, func() (*Function, error) { return b.fc.Get(ctx, name) }); err != nil {
			return fp, step, err
		}
	}
	if live == nil {
		fp.action, step.Action = deploy.Create, deploy.Create
		if art.PackageType == build.Image {
			step.Detail = fmt.Sprintf("%d MB, custom container %s", mem, art.ImageDigest)
		} else {
			step.Detail = fmt.Sprintf("%d MB, %s code, %s", mem, bytesize.Format(art.Function.Size), b.uploadWay(art.Function.Size))
		}
		return fp, step, nil
	}
	fp.live = live
	diffs := configDiffs(live, spec, b.opts.Generation)
	if art.PackageType == build.Image {
		if got := imageDigest(live.Image); got != art.ImageDigest {
			fp.codeChanged = true
			diffs = append([]string{fmt.Sprintf("image %s -> %s", orNone(live.Image), art.ImageDigest)}, diffs...)
		}
	} else if live.CodeChecksum != art.Function.CRC64String() {
		fp.codeChanged = true
		diffs = append([]string{fmt.Sprintf("code checksum %s -> %s", live.CodeChecksum, art.Function.CRC64String())}, diffs...)
	}
	fp.update = len(diffs) > 0
	for k, v := range spec.Tags {
		if live.Tags[k] != v {
			fp.tags = spec.Tags
			diffs = append(diffs, fmt.Sprintf("tag build key %s -> %s", orNone(live.Tags[build.BuildKeyLabel]), orNone(art.BuildKey)))
			break
		}
	}
	if len(diffs) == 0 {
		fp.action, step.Action, step.Detail = deploy.Skip, deploy.Skip, "same code checksum and configuration"
		if art.BuildKey != "" {
			step.Detail += ", build key " + art.BuildKey
		}
	} else {
		fp.action, step.Action, step.Detail = deploy.Update, deploy.Update, strings.Join(diffs, ", ")
	}
	return fp, step, nil
}

// configDiffs lists what differs between a live function and the wanted one.
func configDiffs(live *Function, want FunctionSpec, gen lithops.FCGeneration) []string {
	var d []string
	add := func(what string, a, b any) {
		if fmt.Sprint(a) != fmt.Sprint(b) {
			d = append(d, fmt.Sprintf("%s %v -> %v", what, a, b))
		}
	}
	add("runtime", live.Runtime, want.Runtime)
	add("handler", live.Handler, want.Handler)
	add("memory", live.MemoryMB, want.MemoryMB)
	add("timeout", live.TimeoutSec, want.TimeoutSec)
	if gen == lithops.FC3 {
		if want.Role != "" {
			add("role", live.Role, want.Role)
		}
		add("internet access", live.InternetAccess, want.InternetAccess)
	}
	return d
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// uploadWay says how a code zip of this size reaches FC.
func (b *Backend) uploadWay(size int64) string {
	if size <= lithops.LimitsFor(lithops.AliyunFC).DirectZipMax {
		return "sent inline"
	}
	return "staged through OSS"
}

// deployment is what Restore needs.
type deployment struct{ touched []touched }

type touched struct {
	name     string
	previous *Function // nil: created by Apply
	prevCode []byte    // the previous code zip, when Apply replaced it
	// etag is the function's ETag as this run's create or update left it (FC 2.0; "" on FC 3.0,
	// or when the answer was lost): Restore is conditional on it.
	etag string
}

// Apply creates the service (FC 2.0) and creates or updates the functions, waiting for each to be
// ready.
func (b *Backend) Apply(ctx context.Context, dp *deploy.Plan) (*deploy.Deployment, error) {
	var progress []string
	d, err := b.apply(ctx, dp, &progress)
	if err != nil && d != nil && d.Changed {
		// Say where the deployment stopped, so an interrupted or failed run tells the user what the
		// cloud holds now.
		done := "nothing was finished"
		if len(progress) > 0 {
			done = strings.Join(progress, "; ")
		}
		err = fmt.Errorf("%w\nwhere the deployment stopped: %s", err, done)
	}
	return d, err
}

// interruptedDuring records, when ctx ended during a call changing function name (FC calls end
// with their context), that the change may or may not have reached FC: the deployment counts as
// changed, and where it stopped says so.
func interruptedDuring(ctx context.Context, d *deploy.Deployment, progress *[]string, name, doing string) {
	if ctx.Err() != nil {
		d.Changed = true
		*progress = append(*progress, "function "+name+": interrupted while "+doing+" it (which may or may not have taken effect)")
	}
}

func (b *Backend) apply(ctx context.Context, dp *deploy.Plan, progress *[]string) (*deploy.Deployment, error) {
	p, ok := dp.State.(*plan)
	if !ok {
		return nil, errors.New("applying a plan that the aliyun_fc backend did not make")
	}
	st := &deployment{}
	d := &deploy.Deployment{Plan: dp, Functions: slices.Clone(dp.Functions), State: st}
	if p.createService {
		created, err := try(ctx, b, func() (bool, error) { return b.fc.Prepare(ctx, b.opts.Role, false) })
		if err != nil {
			return d, err
		}
		if created {
			b.log.Info("created FC 2.0 service", "service", b.opts.Service)
			d.Changed = true
		}
	}
	var code *codeSource
	defer func() {
		if code != nil {
			code.cleanup(context.WithoutCancel(ctx))
		}
	}()
	for _, fp := range p.functions {
		if fp.action == deploy.Skip {
			continue
		}
		spec := fp.spec
		if p.req.Artifact.PackageType == build.Image {
			if fp.action == deploy.Create || fp.codeChanged {
				if p.req.Artifact.Image == nil {
					return d, fmt.Errorf("the image %s was not built (the functions ran it when this run read them): function %s changed meanwhile; run again", p.req.Artifact.ImageDigest, spec.Name)
				}
				if p.pushed == "" {
					ref, err := b.opts.Push(ctx, p.req.Artifact.Image, b.opts.Registry)
					if err != nil {
						return d, fmt.Errorf("pushing the image to %s: %w", b.opts.Registry, err)
					}
					p.pushed = ref
					d.ImageURI = ref
				}
				spec.Image = p.pushed
			} else {
				spec.Image = fp.live.Image
			}
		} else if fp.action == deploy.Create || fp.codeChanged {
			if code == nil {
				var err error
				if code, err = b.stage(ctx, p.bucket, p.req.Artifact.Function); err != nil {
					return d, err
				}
			}
			spec.Code = code.code
		}
		if fp.action == deploy.Create {
			b.log.Info("creating function", "function", spec.Name, "memory", spec.MemoryMB)
			t := touched{name: spec.Name}
			created, err := b.retry(ctx, "creating function "+spec.Name, func() (*Function, error) { return b.fc.Create(ctx, spec) })
			if err != nil {
				if !b.createdByUs(ctx, err, p, spec) {
					interruptedDuring(ctx, d, progress, spec.Name, "creating")
					return d, err
				}
				b.log.Info("the function exists already with this run's code and configuration (an earlier attempt's answer was lost)", "function", spec.Name)
			} else {
				t.etag = created.ETag
			}
			st.touched = append(st.touched, t)
			*progress = append(*progress, "function "+spec.Name+" was created")
		} else if !fp.update {
			// Only the tags differ: the function's code and configuration are left alone.
			b.log.Info("tagging function", "function", spec.Name, "tags", fp.tags)
			if _, err := try(ctx, b, func() (bool, error) { return true, b.fc.Tag(ctx, spec.Name, fp.tags) }); err != nil {
				interruptedDuring(ctx, d, progress, spec.Name, "tagging")
				return d, err
			}
			*progress = append(*progress, "function "+spec.Name+" was tagged")
			d.Changed = true
			continue
		} else {
			t := touched{name: spec.Name, previous: fp.live}
			if fp.codeChanged && spec.Image == "" {
				prev, err := b.previousCode(ctx, spec.Name)
				if err != nil {
					return d, err
				}
				t.prevCode = prev
			}
			if err := b.waitReady(ctx, spec.Name); err != nil {
				return d, err
			}
			// On FC 2.0 the update is conditional on the ETag Plan read: a deployment that changed
			// the function since is detected, not overwritten. FC 3.0 has no condition: the
			// function is read once more just before, and must still be as Plan read it.
			spec.IfMatch = fp.live.ETag
			if spec.IfMatch == "" {
				if err := b.unchangedSincePlan(ctx, fp); err != nil {
					return d, err
				}
			}
			b.log.Info("updating function", "function", spec.Name)
			attempt := 0
			updated, err := b.retry(ctx, "updating function "+spec.Name, func() (*Function, error) {
				if attempt++; attempt > 1 && spec.IfMatch == "" {
					// FC 3.0, a retry (after 409 ConcurrentUpdateError: another update was under
					// way; or a lost answer): done if the function is this run's already, refused
					// if another deployment changed it.
					if live := b.deployedByUs(ctx, p, spec.Name); live != nil {
						return live, nil
					}
					if err := b.unchangedSincePlan(ctx, fp); err != nil {
						return nil, err
					}
				}
				return b.fc.Update(ctx, spec)
			})
			if err != nil {
				if !isChanged(err) {
					interruptedDuring(ctx, d, progress, spec.Name, "updating")
					return d, err
				}
				// A retried update whose first attempt was served (its answer lost) also finds
				// the ETag changed: then the function is exactly as this run deploys it.
				if updated = b.deployedByUs(ctx, p, spec.Name); updated == nil {
					return d, fmt.Errorf("updating function %s: the function changed since this run read it (another deployment is running?); nothing of it was overwritten: run again to deploy over the new state: %w", spec.Name, err)
				}
			}
			t.etag = updated.ETag
			st.touched = append(st.touched, t)
			*progress = append(*progress, "function "+spec.Name+" was updated")
			if fp.tags != nil {
				if err := b.waitReady(ctx, spec.Name); err != nil {
					return d, err
				}
				if _, err := try(ctx, b, func() (bool, error) { return true, b.fc.Tag(ctx, spec.Name, fp.tags) }); err != nil {
					d.Changed = true // updated, not tagged
					interruptedDuring(ctx, d, progress, spec.Name, "tagging")
					return d, err
				}
			}
		}
		d.Changed = true
		if err := b.waitReady(ctx, spec.Name); err != nil {
			return d, err
		}

	}
	if d.ImageURI == "" && p.req.Artifact.PackageType == build.Image {
		for _, fp := range p.functions {
			if fp.live != nil {
				d.ImageURI = fp.live.Image
				break
			}
		}
	}
	return d, nil
}

// createdByUs tells whether a create that failed with FunctionAlreadyExists was in fact ours: an
// earlier attempt created the function but its answer was lost, so the function already has this
// run's code and configuration.
func (b *Backend) createdByUs(ctx context.Context, err error, p *plan, spec FunctionSpec) bool {
	var ae *APIError
	if !errors.As(err, &ae) || ae.Code != "FunctionAlreadyExists" {
		return false
	}
	live, gerr := try(ctx, b, func() (*Function, error) { return b.fc.Get(ctx, spec.Name) })
	if gerr != nil || live == nil || len(configDiffs(live, spec, b.opts.Generation)) > 0 {
		return false
	}
	if p.req.Artifact.PackageType == build.Image {
		return imageDigest(live.Image) == p.req.Artifact.ImageDigest
	}
	return live.CodeChecksum == p.req.Artifact.Function.CRC64String()
}

// previousCode downloads a function's current code zip, to put it back if the new one fails.
func (b *Backend) previousCode(ctx context.Context, name string) ([]byte, error) {
	url, err := try(ctx, b, func() (string, error) { return b.fc.CodeURL(ctx, name) })
	if err != nil {
		return nil, fmt.Errorf("reading the current code of function %s (kept to restore it): %w", name, err)
	}
	data, err := deploy.FetchCode(ctx, b.http, url, lithops.LimitsFor(lithops.AliyunFC).StagedZipMax+1, b.opts.PollMin)
	if err != nil {
		return nil, fmt.Errorf("downloading the current code of function %s: %w", name, err)
	}
	return data, nil
}

// try runs a call again, with bounded backoff, while it fails transiently (throttling, server
// errors, OSS's 5xx and SlowDown, a connection reset: isReset).
func try[T any](ctx context.Context, b *Backend, call func() (T, error)) (T, error) {
	delay := b.opts.PollMin
	for attempt := 1; ; attempt++ {
		v, err := call()
		if err == nil || !(isTransient(err) || isOSSTransient(err) || isReset(err)) || attempt >= 8 {
			return v, err
		}
		b.log.Warn("retrying after a transient error", "error", err, "in", delay)
		select {
		case <-ctx.Done():
			return v, ctx.Err()
		case <-time.After(delay):
		}
		delay = min(2*delay, b.opts.PollMax)
	}
}

// retry runs a mutating call again while FC says the function is busy or the call was throttled,
// or the connection was reset (an update to the same spec is idempotent; a create served before
// the reset fails its retry with FunctionAlreadyExists, which createdByUs recognises), with
// bounded backoff.
func (b *Backend) retry(ctx context.Context, what string, call func() (*Function, error)) (*Function, error) {
	delay := b.opts.PollMin
	deadline := time.Now().Add(b.opts.ReadyTimeout)
	for attempt := 1; ; attempt++ {
		f, err := call()
		if err == nil || isChanged(err) || !(isNotReady(err) || isTransient(err) || isReset(err)) || time.Now().After(deadline) || attempt >= 12 {
			if err != nil {
				return nil, fmt.Errorf("%s: %w", what, err)
			}
			return f, nil
		}
		b.log.Warn("retrying", "what", what, "error", err, "in", delay)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(delay):
		}
		delay = min(2*delay, b.opts.PollMax)
	}
}

// waitReady polls a function until it is Active with no update in progress (FC has no waiters).
func (b *Backend) waitReady(ctx context.Context, name string) error {
	delay := b.opts.PollMin
	deadline := time.Now().Add(b.opts.ReadyTimeout)
	for {
		f, err := b.fc.Get(ctx, name)
		if err != nil && !isTransient(err) && !isReset(err) {
			return fmt.Errorf("waiting for function %s: %w", name, err)
		}
		if err == nil {
			if f == nil {
				return fmt.Errorf("waiting for function %s: it does not exist (deleted meanwhile?)", name)
			}
			if f.State == "Failed" || f.LastUpdateStatus == "Failed" {
				return fmt.Errorf("function %s failed to become ready (state %s, last update %s): see its logs in the FC console", name, f.State, f.LastUpdateStatus)
			}
			if (f.State == "" || f.State == "Active") && (f.LastUpdateStatus == "" || f.LastUpdateStatus == "Successful") {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("function %s was not ready after %s", name, b.opts.ReadyTimeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
		delay = min(2*delay, b.opts.PollMax)
	}
}

// Restore puts back what Apply changed: created functions are deleted, updated ones get their
// previous code and configuration back. A service Apply created stays (it is empty and harmless).
func (b *Backend) Restore(ctx context.Context, d *deploy.Deployment) error {
	st, ok := d.State.(*deployment)
	if !ok {
		return nil
	}
	p := d.Plan.State.(*plan)
	var errs []error
	for _, t := range slices.Backward(st.touched) {
		live, err := b.stillDeployed(ctx, p, t.name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		// On FC 2.0 the delete or update is conditional on the ETag this run's own change left
		// (else the one just read): a deployment that changed the function since, even in the
		// moment after that read, is not overwritten. FC 3.0 has no condition: there the read
		// just above is all that guards the restore.
		etag := cmp.Or(t.etag, live.ETag)
		superseded := func(err error) error {
			if isChanged(err) {
				return fmt.Errorf("function %s was not restored (%v): %w", t.name, err, deploy.ErrSuperseded)
			}
			return err
		}
		if t.previous == nil {
			b.log.Info("deleting the function this run created", "function", t.name)
			if _, err := try(ctx, b, func() (bool, error) { return true, b.fc.Delete(ctx, t.name, etag) }); err != nil && !isNotFound(err) {
				errs = append(errs, superseded(fmt.Errorf("deleting function %s: %w", t.name, err)))
			}
			continue
		}
		b.log.Info("restoring the previous code and configuration", "function", t.name)
		prev := t.previous
		spec := FunctionSpec{Name: t.name, Runtime: prev.Runtime, Handler: prev.Handler, Role: prev.Role, Description: prev.Description,
			MemoryMB: prev.MemoryMB, TimeoutSec: prev.TimeoutSec, InternetAccess: prev.InternetAccess, Image: prev.Image, Port: prev.Port,
			IfMatch: etag}
		var code *codeSource
		if t.prevCode != nil {
			var err error
			if code, err = b.stageBytes(ctx, p.bucket, t.prevCode); err != nil {
				errs = append(errs, fmt.Errorf("restoring function %s: %w", t.name, err))
				continue
			}
			spec.Code = code.code
		}
		if spec.IfMatch == "" {
			// FC 3.0: no condition; the function is read again right before the update (the
			// staging above may have taken a while), leaving a window of one call.
			if _, err := b.stillDeployed(ctx, p, t.name); err != nil {
				errs = append(errs, err)
				if code != nil {
					code.cleanup(context.WithoutCancel(ctx))
				}
				continue
			}
		}
		attempt := 0
		restore := func() (*Function, error) {
			if attempt++; attempt > 1 && spec.IfMatch == "" {
				// FC 3.0, a retry (after 409 ConcurrentUpdateError: another update was under way;
				// or a lost answer): done if the function is restored already, left alone if
				// another deployment changed it.
				live, err := b.fc.Get(ctx, t.name)
				if err == nil && live != nil && sameFunction(live, restored(prev, t.prevCode)) {
					return live, nil
				}
				if _, err := b.stillDeployed(ctx, p, t.name); err != nil {
					return nil, err
				}
			}
			return b.fc.Update(ctx, spec)
		}
		if _, err := b.retry(ctx, "restoring function "+t.name, restore); err != nil {
			errs = append(errs, superseded(err))
		} else if err := b.waitReady(ctx, t.name); err != nil {
			errs = append(errs, err)
		}
		if code != nil {
			code.cleanup(context.WithoutCancel(ctx))
		}
	}
	return errors.Join(errs...)
}

// Invoke calls a function synchronously with Lithops' payload, waiting while FC answers that it
// is not ready yet (412).
func (b *Backend) Invoke(ctx context.Context, fn deploy.Function, payload []byte) (*deploy.Invocation, error) {
	delay := b.opts.PollMin
	deadline := time.Now().Add(b.opts.ReadyTimeout)
	for {
		inv, err := b.fc.Invoke(ctx, fn.Name, payload)
		if err == nil {
			return &deploy.Invocation{Payload: inv.Payload, FunctionError: inv.ErrorType, LogTail: inv.LogTail}, nil
		}
		if !(isNotReady(err) || isTransient(err) || isReset(err)) || time.Now().After(deadline) {
			return nil, fmt.Errorf("invoking function %s: %w", fn.Name, err)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(delay):
		}
		delay = min(2*delay, b.opts.PollMax)
	}
}

// codeSource is a code zip sent inline or staged in OSS.
type codeSource struct {
	b           *Backend
	code        *Code
	bucket, key string
}

// stage reads a zip up to 100 MB for an inline upload, or uploads a larger one to OSS.
func (b *Backend) stage(ctx context.Context, bucket string, z *zipbundle.Bundle) (*codeSource, error) {
	lim := lithops.LimitsFor(lithops.AliyunFC)
	if z.Size > lim.StagedZipMax {
		return nil, fmt.Errorf("the code zip is %s, over Function Compute's limit of %s: drop requirements you do not need", bytesize.Format(z.Size), bytesize.Format(lim.StagedZipMax))
	}
	if z.Size <= lim.DirectZipMax {
		data, err := os.ReadFile(z.Path)
		if err != nil {
			return nil, err
		}
		return &codeSource{b: b, code: &Code{ZipFile: data}}, nil
	}
	f, err := os.Open(z.Path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return b.stageReader(ctx, bucket, "lithops-runtime-action/staging/"+z.SHA256+".zip", f, z.Size)
}

// stageBytes stages a zip held in memory (a previous code zip being restored).
func (b *Backend) stageBytes(ctx context.Context, bucket string, zip []byte) (*codeSource, error) {
	if int64(len(zip)) <= lithops.LimitsFor(lithops.AliyunFC).DirectZipMax {
		return &codeSource{b: b, code: &Code{ZipFile: zip}}, nil
	}
	return b.stageReader(ctx, bucket, fmt.Sprintf("lithops-runtime-action/staging/restore-%d.zip", time.Now().UnixNano()), strings.NewReader(string(zip)), int64(len(zip)))
}

func (b *Backend) stageReader(ctx context.Context, bucket, key string, r io.Reader, size int64) (*codeSource, error) {
	if err := b.ensureBucket(ctx, bucket); err != nil {
		return nil, err
	}
	b.log.Info("staging the code zip in OSS", "bucket", bucket, "key", key, "size", bytesize.Format(size))
	if err := b.putObject(ctx, bucket, key, r, size); err != nil {
		return nil, fmt.Errorf("staging the code zip: %w", err)
	}
	return &codeSource{b: b, code: &Code{OSSBucket: bucket, OSSObject: key}, bucket: bucket, key: key}, nil
}

// cleanup removes the staging object.
func (c *codeSource) cleanup(ctx context.Context) {
	if c.key == "" {
		return
	}
	if err := c.b.deleteObject(ctx, c.bucket, c.key); err != nil {
		c.b.log.Warn("could not remove the staging object", "bucket", c.bucket, "key", c.key, "error", err)
	}
}

var _ deploy.LiveImageReader = (*Backend)(nil)

// LiveImage reads the runtime's functions: when every one is a custom container running the same
// image digest, it returns it with the build key and content digest its tags record
// (deploy.LiveImageReader). Only FC 3.0 runs custom-container runtimes (and tags functions).
func (b *Backend) LiveImage(ctx context.Context, req *deploy.Request) (*build.LiveImage, error) {
	if b.opts.Generation != lithops.FC3 {
		return nil, nil
	}
	var live *build.LiveImage
	for _, mem := range req.MemoryMB {
		name, err := lithops.FCFunctionName(req.RuntimeName, mem, req.Lithops)
		if err != nil {
			return nil, err
		}
		f, err := try(ctx, b, func() (*Function, error) { return b.fc.Get(ctx, name) })
		if err != nil {
			return nil, err
		}
		if f == nil || f.Runtime != "custom-container" || imageDigest(f.Image) == "" {
			return nil, nil
		}
		li := build.LiveImageFromTags(imageDigest(f.Image), f.Tags)
		if live != nil && *live != *li {
			return nil, nil
		}
		live = li
	}
	return live, nil
}
