package awslambda

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/lithops-runtime-action/lithops-runtime-action/internal/bytesize"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/lithops"
)

// plan is the backend's part of a deploy.Plan: what Apply needs.
type plan struct {
	req       *deploy.Request
	bucket    string
	layerName string
	// layerARN is the live layer version reused, or "" when a new version is published.
	layerARN string
	// image is the image part of an image runtime's plan.
	image     *imagePlan
	functions []functionPlan
}

// functionPlan is what happens to one function.
type functionPlan struct {
	name   string
	mem    int
	action deploy.Action
	// live is the function as read by Plan (nil when it is created).
	live          *lambda.GetFunctionOutput
	codeChanged   bool
	configChanged bool
	missingTags   map[string]string
}

// identity resolves the user key (user-id input, else STS) once.
func (b *Backend) identity(ctx context.Context) error {
	if b.userKey != "" {
		return nil
	}
	if b.opts.UserID != "" {
		b.userKey = lithops.AWSUserKey(b.opts.UserID)
		b.log.Info("user key from the user-id input", "user_key", b.userKey)
		return nil
	}
	if err := b.caller(ctx); err != nil {
		return err
	}
	b.userKey = b.callerKey
	return nil
}

// caller reads the STS caller identity once: the user key of Lithops' default S3 bucket
// (aws_s3.py generate_bucket_name always asks STS; it never reads user_id).
func (b *Backend) caller(ctx context.Context) error {
	if b.callerKey != "" {
		return nil
	}
	out, err := b.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return (&deploy.CredentialsError{Backend: lithops.AWSLambda, Err: credentialsCause(err), Fix: CredentialsFix})
	}
	b.callerKey = lithops.AWSUserKey(aws.ToString(out.UserId))
	b.account = aws.ToString(out.Account)
	b.log.Info("caller identity", "arn", aws.ToString(out.Arn), "user_key", b.callerKey)
	return nil
}

// storageRegion is the region of the storage bucket.
func (b *Backend) storageRegion() string {
	if b.opts.StorageRegion != "" {
		return b.opts.StorageRegion
	}
	return b.opts.Region
}

// UserKey is the Lithops user key the names embed (after Plan).
func (b *Backend) UserKey() string { return b.userKey }

// Plan reads the live layer (or image repository) and functions and compares them with the request.
func (b *Backend) Plan(ctx context.Context, req *deploy.Request) (*deploy.Plan, error) {
	art := req.Artifact
	isImage := art != nil && art.PackageType == build.Image && (art.Image != nil || art.Reused && art.ImageDigest != "")
	isZip := art != nil && art.PackageType == build.Zip && art.Function != nil && art.Layer != nil
	if !isImage && !isZip {
		return nil, errors.New("aws_lambda: nothing to deploy: a zip runtime needs a layer and a function zip, an image runtime an image")
	}
	if err := b.identity(ctx); err != nil {
		return nil, err
	}
	// With the real user key: names Lambda would refuse fail here, before anything is created.
	if err := (lithops.AWSNames{UserKey: b.userKey, Lithops: req.Lithops, RuntimeName: req.RuntimeName, MemoryMB: req.MemoryMB,
		Namespace: b.opts.Namespace, PackageType: art.PackageType}).Check(); err != nil {
		return nil, fmt.Errorf("aws_lambda: %w", err)
	}
	region := b.opts.Region
	pkg := lithops.AWSPackage(req.Lithops, b.userKey, b.opts.Namespace)
	p := &plan{req: req, bucket: req.StorageBucket}
	if p.bucket == "" {
		if err := b.caller(ctx); err != nil {
			return nil, err
		}
		p.bucket = lithops.DefaultAWSBucket(b.storageRegion(), b.callerKey)
	}
	out := &deploy.Plan{Backend: lithops.AWSLambda, Region: region, UserKey: b.userKey, Bucket: p.bucket, State: p}
	if isImage {
		step, err := b.planImage(ctx, p, pkg)
		if err != nil {
			return nil, err
		}
		out.Steps = append(out.Steps, step)
	} else {
		p.layerName = lithops.AWSLayerName(pkg, req.RuntimeName)
		step, err := b.planLayer(ctx, p)
		if err != nil {
			return nil, err
		}
		out.LayerID = p.layerARN
		out.Steps = append(out.Steps, step)
	}

	for _, mem := range req.MemoryMB {
		name := lithops.AWSFunctionName(b.userKey, req.Lithops, req.RuntimeName, mem, b.opts.Namespace)
		fp, step, err := b.planFunction(ctx, p, name, mem)
		if err != nil {
			return nil, err
		}
		p.functions = append(p.functions, fp)
		out.Steps = append(out.Steps, step)
		out.Functions = append(out.Functions, deploy.Function{
			Name: name, ID: b.functionARN(name, fp.live), MemoryMB: mem,
			RuntimeKey: lithops.RuntimeKey(lithops.AWSLambda, req.Lithops, region, "", name),
		})
	}
	if isImage {
		b.finishImagePlan(p, out)
	}
	return out, nil
}

// planLayer reuses the newest layer version when its CodeSha256 is the layer zip's.
func (b *Backend) planLayer(ctx context.Context, p *plan) (deploy.Step, error) {
	art := p.req.Artifact
	latest, err := b.latestLayer(ctx, p.layerName)
	if err != nil {
		return deploy.Step{}, err
	}
	if latest != nil && aws.ToString(latest.Content.CodeSha256) == art.Layer.CodeSHA256 {
		p.layerARN = aws.ToString(latest.LayerVersionArn)
		return deploy.Step{Action: deploy.Skip, Resource: "layer", Name: p.layerARN, Detail: "same CodeSha256 " + art.Layer.CodeSHA256}, nil
	}
	detail := fmt.Sprintf("%s zipped, %s unzipped, %s", bytesize.Format(art.Layer.Size), bytesize.Format(art.Layer.UnzippedSize), b.uploadWay(art.Layer.Size))
	return deploy.Step{Action: deploy.Create, Resource: "layer", Name: p.layerName + " (new version)", Detail: detail}, nil
}

// latestLayer returns the newest version of a layer, or nil when it has none.
func (b *Backend) latestLayer(ctx context.Context, name string) (*lambda.GetLayerVersionOutput, error) {
	list, err := b.lambda.ListLayerVersions(ctx, &lambda.ListLayerVersionsInput{LayerName: aws.String(name), MaxItems: aws.Int32(1)})
	if err != nil {
		var nf *types.ResourceNotFoundException
		if errors.As(err, &nf) {
			return nil, nil
		}
		return nil, fmt.Errorf("listing versions of layer %s: %w", name, err)
	}
	if len(list.LayerVersions) == 0 {
		return nil, nil
	}
	newest := slices.MaxFunc(list.LayerVersions, func(a, b types.LayerVersionsListItem) int { return int(a.Version - b.Version) })
	v, err := b.lambda.GetLayerVersion(ctx, &lambda.GetLayerVersionInput{LayerName: aws.String(name), VersionNumber: aws.Int64(newest.Version)})
	if err != nil {
		return nil, fmt.Errorf("reading layer %s version %d: %w", name, newest.Version, err)
	}
	if v.Content == nil {
		v.Content = &types.LayerVersionContentOutput{}
	}
	return v, nil
}

// wanted is the configuration a function of this plan must have.
type wanted struct {
	runtime, handler, role string
	mem, timeout, eph      int
	arch                   string
	layer                  string // "" until the new layer version is published
	image                  bool   // an image function: no runtime, handler or layers
}

func (b *Backend) want(p *plan, mem int) wanted {
	if p.isImage() {
		// An image function has no runtime, handler or layers: the image's entrypoint and CMD say it all.
		return wanted{role: b.opts.Role, mem: mem, timeout: p.req.TimeoutSec, eph: b.opts.EphemeralMB, arch: p.req.Architecture, image: true}
	}
	return wanted{
		runtime: p.req.Python.Runtime(), handler: lithops.Handler(lithops.AWSLambda, build.Zip), role: b.opts.Role,
		mem: mem, timeout: p.req.TimeoutSec, eph: b.opts.EphemeralMB, arch: p.req.Architecture, layer: p.layerARN,
	}
}

// isImage tells whether the plan deploys an image runtime.
func (p *plan) isImage() bool { return p.req.Artifact.PackageType == build.Image }

// codeID is the identity of the code to deploy: the function zip's CodeSha256, or the image digest.
func (p *plan) codeID() string {
	if p.isImage() {
		return p.req.Artifact.ImageDigest
	}
	return p.req.Artifact.Function.CodeSHA256
}

// liveCodeID is the identity of a live function's code, comparable with codeID: Lambda reports a
// zip's CodeSha256 in base64 and an image's resolved digest in its ResolvedImageUri.
func liveCodeID(live *lambda.GetFunctionOutput) string {
	c := live.Configuration
	if c.PackageType == types.PackageTypeImage {
		if live.Code != nil {
			if _, digest, ok := strings.Cut(aws.ToString(live.Code.ResolvedImageUri), "@"); ok {
				return digest
			}
		}
		return "sha256:" + aws.ToString(c.CodeSha256)
	}
	return aws.ToString(c.CodeSha256)
}

func (b *Backend) planFunction(ctx context.Context, p *plan, name string, mem int) (functionPlan, deploy.Step, error) {
	fp := functionPlan{name: name, mem: mem}
	step := deploy.Step{Resource: "function", Name: name}
	live, err := b.lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)})
	var nf *types.ResourceNotFoundException
	switch {
	case errors.As(err, &nf):
		fp.action, step.Action = deploy.Create, deploy.Create
		if p.isImage() {
			step.Detail = fmt.Sprintf("%d MB, image %s", mem, p.req.Artifact.ImageDigest)
		} else {
			step.Detail = fmt.Sprintf("%d MB, %s code, %s", mem, bytesize.Format(p.req.Artifact.Function.Size), b.uploadWay(p.req.Artifact.Function.Size))
		}
		return fp, step, nil
	case err != nil:
		return fp, step, fmt.Errorf("reading function %s: %w", name, err)
	}
	fp.live = live
	c := live.Configuration
	switch {
	case c.PackageType == types.PackageTypeImage && !p.isImage():
		return fp, step, fmt.Errorf("function %s exists as a container image function; a zip runtime cannot replace it in place (Lambda cannot change a function's package type): delete the function or deploy an image runtime under this name", name)
	case c.PackageType != types.PackageTypeImage && p.isImage():
		return fp, step, fmt.Errorf("function %s exists as a zip function; an image runtime cannot replace it in place (Lambda cannot change a function's package type): delete the function or use another runtime-name", name)
	}
	diffs := configDiffs(c, b.want(p, mem))
	liveCode, wantCode := liveCodeID(live), p.codeID()
	fp.codeChanged = liveCode != wantCode
	fp.configChanged = len(diffs) > 0
	if fp.codeChanged {
		diffs = append([]string{fmt.Sprintf("code %s -> %s", liveCode, wantCode)}, diffs...)
	}
	fp.missingTags = map[string]string{}
	for k, v := range functionTags(p) {
		if live.Tags[k] != v {
			fp.missingTags[k] = v
		}
	}
	if len(fp.missingTags) > 0 {
		if k, ok := fp.missingTags[build.BuildKeyLabel]; ok {
			diffs = append(diffs, fmt.Sprintf("tag build key %s -> %s", orNone(live.Tags[build.BuildKeyLabel]), k))
		} else {
			diffs = append(diffs, "tags")
		}
	}
	if len(diffs) == 0 {
		fp.action, step.Action, step.Detail = deploy.Skip, deploy.Skip, "same code and configuration"
		if key := p.req.Artifact.BuildKey; key != "" {
			step.Detail += ", build key " + key
		}
	} else {
		fp.action, step.Action, step.Detail = deploy.Update, deploy.Update, strings.Join(diffs, ", ")
	}
	return fp, step, nil
}

// configDiffs lists what differs between a live configuration and the wanted one. A layer still
// to be published always differs.
func configDiffs(c *types.FunctionConfiguration, w wanted) []string {
	var d []string
	add := func(what string, live, want any) {
		if fmt.Sprint(live) != fmt.Sprint(want) {
			d = append(d, fmt.Sprintf("%s %v -> %v", what, live, want))
		}
	}
	if !w.image {
		add("runtime", c.Runtime, w.runtime)
		add("handler", aws.ToString(c.Handler), w.handler)
	}
	add("memory", aws.ToInt32(c.MemorySize), w.mem)
	add("timeout", aws.ToInt32(c.Timeout), w.timeout)
	if w.role != "" {
		add("role", aws.ToString(c.Role), w.role)
	}
	arch := "x86_64"
	if len(c.Architectures) > 0 {
		arch = string(c.Architectures[0])
	}
	add("architecture", arch, w.arch)
	eph := 512
	if c.EphemeralStorage != nil {
		eph = int(aws.ToInt32(c.EphemeralStorage.Size))
	}
	add("ephemeral storage", eph, w.eph)
	var layers []string
	for _, l := range c.Layers {
		layers = append(layers, aws.ToString(l.Arn))
	}
	switch {
	case w.image:
	case w.layer == "":
		d = append(d, "layer -> new version")
	default:
		add("layers", layers, []string{w.layer})
	}
	return d
}

// functionARN is the live ARN, or the one a created function will have.
func (b *Backend) functionARN(name string, live *lambda.GetFunctionOutput) string {
	if live != nil && live.Configuration != nil && live.Configuration.FunctionArn != nil {
		return aws.ToString(live.Configuration.FunctionArn)
	}
	if b.account == "" {
		return name
	}
	return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", b.opts.Region, b.account, name)
}

// uploadWay says how a zip of this size reaches Lambda.
func (b *Backend) uploadWay(size int64) string {
	if size <= lithops.LimitsFor(lithops.AWSLambda).DirectZipMax {
		return "sent inline"
	}
	return "staged through S3"
}

// functionTags are the tags every function of the plan has: Lithops' and the build key's.
func functionTags(p *plan) map[string]string {
	tags := lithops.AWSTags(p.req.RuntimeName, p.req.Lithops)
	for k, v := range build.BuildKeyTags(p.req.Artifact) {
		tags[k] = v
	}
	return tags
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
