package awslambda

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/lithops-runtime-action/lithops-runtime-action/internal/bytesize"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/zipbundle"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/lithops"
)

// deployment is what Restore needs: the functions Apply touched.
type deployment struct {
	touched []touched
}

type touched struct {
	name string
	// previous is the function before Apply (nil: Apply created it).
	previous *lambda.GetFunctionOutput
	// codeChanged tells whether the previous code must be put back.
	codeChanged bool
	// mem is the function's memory size (what this run deployed is checked before a restore).
	mem int
}

// Apply publishes the layer version when needed and creates or updates the functions, waiting
// until each is ready to invoke.
func (b *Backend) Apply(ctx context.Context, dp *deploy.Plan) (*deploy.Deployment, error) {
	p, ok := dp.State.(*plan)
	if !ok {
		return nil, errors.New("applying a plan that the aws_lambda backend did not make")
	}
	st := &deployment{}
	d := &deploy.Deployment{Plan: dp, Functions: slices.Clone(dp.Functions), State: st}
	art := p.req.Artifact
	var progress applied
	for _, fp := range p.functions {
		if fp.action != deploy.Skip {
			progress.pending = append(progress.pending, fp.name)
		}
	}
	if p.isImage() {
		if err := b.pushImage(ctx, p); err != nil {
			return d, progress.stopped(err, "the image push")
		}
		if p.image.pushed {
			d.Changed = true
			progress.done = append(progress.done, "image "+p.image.imageURI+" was pushed")
		}
	} else if p.layerARN == "" {
		arn, err := b.publishLayer(ctx, p)
		if err != nil {
			return d, progress.stopped(err, "the publication of a version of layer "+p.layerName)
		}
		p.layerARN = arn
		d.Changed = true
		progress.done = append(progress.done, "layer version "+arn+" was published")
	}
	d.LayerID = p.layerARN

	var code *codeSource
	defer func() {
		if code != nil {
			code.cleanup(context.WithoutCancel(ctx))
		}
	}()
	for i, fp := range p.functions {
		if fp.action == deploy.Skip {
			continue
		}
		if (fp.action == deploy.Create || fp.codeChanged) && code == nil {
			if p.isImage() {
				code = &codeSource{b: b, imageURI: p.image.imageURI}
			} else {
				var err error
				if code, err = b.stage(ctx, p.bucket, art.Function); err != nil {
					return d, progress.stopped(fmt.Errorf("function code: %w", err), "the staging of the function code")
				}
			}
		}
		w := b.want(p, fp.mem)
		var arn string
		var err error
		verb := "updated"
		progress.accepted = false
		if fp.action == deploy.Create {
			verb = "created"
			arn, err = b.create(ctx, p, fp, w, code, &progress)
			if arn != "" {
				st.touched = append(st.touched, touched{name: fp.name, mem: fp.mem})
			}
		} else {
			st.touched = append(st.touched, touched{name: fp.name, previous: fp.live, codeChanged: fp.codeChanged, mem: fp.mem})
			arn, err = b.update(ctx, p, fp, w, code, &progress)
		}
		if arn != "" {
			d.Functions[i].ID = arn
			d.Changed = true
		}
		if err != nil {
			return d, progress.stopped(err, "function "+fp.name+" being "+verb)
		}
		progress.done = append(progress.done, "function "+fp.name+" was "+verb)
		progress.pending = slices.DeleteFunc(progress.pending, func(n string) bool { return n == fp.name })
	}
	d.ImageURI = ImageURI(dp)
	return d, nil
}

// applied records what Apply changed, to tell where a failed or interrupted Apply left the cloud.
type applied struct {
	// done lists the changes made ("function X was created").
	done []string
	// pending lists the functions to create or update that were not changed yet.
	pending []string
	// accepted tells that Lambda accepted a change of the function being changed.
	accepted bool
}

// stopped adds to err where Apply left the cloud: what it changed, what it was changing, and the
// functions it did not reach.
func (a *applied) stopped(err error, current string) error {
	var parts []string
	if len(a.done) > 0 {
		parts = append(parts, strings.Join(a.done, ", "))
	} else {
		parts = append(parts, "nothing was changed before")
	}
	switch {
	case a.accepted:
		parts = append(parts, "it stopped during "+current+" (Lambda had accepted the change)")
	case preconditionFailed(err) || alreadyExists(err):
		parts = append(parts, "it stopped during "+current+" (Lambda refused the change: the function is as the other deployment left it)")
	default:
		parts = append(parts, "it stopped during "+current+" (which may or may not have taken effect)")
	}
	var rest []string
	for _, n := range a.pending {
		if !strings.Contains(current, " "+n+" ") {
			rest = append(rest, n)
		}
	}
	if len(rest) > 0 {
		parts = append(parts, "not reached: function "+strings.Join(rest, ", function "))
	}
	return fmt.Errorf("%w\nwhere the deployment stopped: %s", err, strings.Join(parts, "; "))
}

// publishLayer publishes a new layer version with the layer zip.
func (b *Backend) publishLayer(ctx context.Context, p *plan) (string, error) {
	art := p.req.Artifact
	src, err := b.stage(ctx, p.bucket, art.Layer)
	if err != nil {
		return "", fmt.Errorf("layer %s: %w", p.layerName, err)
	}
	defer src.cleanup(context.WithoutCancel(ctx))
	content := &types.LayerVersionContentInput{ZipFile: src.zip}
	if src.key != "" {
		content = &types.LayerVersionContentInput{S3Bucket: aws.String(src.bucket), S3Key: aws.String(src.key)}
	}
	b.log.Info("publishing layer", "layer", p.layerName, "size", bytesize.Format(art.Layer.Size))
	out, err := b.publishLayerOnce(ctx, &lambda.PublishLayerVersionInput{
		LayerName:               aws.String(p.layerName),
		Content:                 content,
		CompatibleRuntimes:      []types.Runtime{types.Runtime(p.req.Python.Runtime())},
		CompatibleArchitectures: []types.Architecture{types.Architecture(p.req.Architecture)},
		Description:             aws.String(fmt.Sprintf("Lithops %s runtime %s dependencies (lithops-runtime-action)", p.req.Lithops, p.req.RuntimeName)),
	}, art.Layer.CodeSHA256)
	if err != nil {
		return "", fmt.Errorf("publishing layer %s: %w", p.layerName, err)
	}
	if out.Content != nil {
		if got := aws.ToString(out.Content.CodeSha256); got != "" && got != art.Layer.CodeSHA256 {
			return "", fmt.Errorf("publishing layer %s: Lambda computed CodeSha256 %s for a zip whose CodeSha256 is %s: the upload was altered", p.layerName, got, art.Layer.CodeSHA256)
		}
	}
	arn := aws.ToString(out.LayerVersionArn)
	b.log.Info("published layer", "arn", arn)
	return arn, nil
}

func (b *Backend) description(p *plan) *string {
	return aws.String(fmt.Sprintf("Lithops %s runtime %s, Python %s (lithops-runtime-action)", p.req.Lithops, p.req.RuntimeName, p.req.Python))
}

// create creates one function and waits until it is Active.
func (b *Backend) create(ctx context.Context, p *plan, fp functionPlan, w wanted, code *codeSource, progress *applied) (string, error) {
	b.log.Info("creating function", "function", fp.name, "memory", fp.mem)
	in := &lambda.CreateFunctionInput{
		FunctionName:     aws.String(fp.name),
		Code:             code.functionCode(),
		Role:             aws.String(w.role),
		MemorySize:       aws.Int32(int32(w.mem)),
		Timeout:          aws.Int32(int32(w.timeout)),
		Architectures:    []types.Architecture{types.Architecture(w.arch)},
		EphemeralStorage: &types.EphemeralStorage{Size: aws.Int32(int32(w.eph))},
		PackageType:      types.PackageTypeZip,
		Tags:             functionTags(p),
		Description:      b.description(p),
	}
	if w.image {
		in.PackageType = types.PackageTypeImage
	} else {
		in.Runtime, in.Handler, in.Layers = types.Runtime(w.runtime), aws.String(w.handler), []string{p.layerARN}
	}
	out, err := b.lambda.CreateFunction(ctx, in, noRetryOn(alreadyExists))
	if alreadyExists(err) {
		// Ours when it is exactly what this run creates: a retry after a lost reply.
		ours, rerr := b.isOurs(ctx, p, fp.name, w, sameCode|sameConfig)
		switch {
		case rerr != nil:
			return "", fmt.Errorf("creating function %s: it exists, and %w", fp.name, rerr)
		case !ours:
			return "", fmt.Errorf("creating function %s: the function was created since this run read it (another deployment is running?); nothing of it was overwritten: run again to deploy over the new state: %w", fp.name, err)
		}
		b.log.Info("the function exists as this run creates it (a retried call had created it)", "function", fp.name)
		progress.accepted = true
		return b.functionARN(fp.name, nil), b.waitActive(ctx, fp.name)
	}
	if err != nil {
		return "", fmt.Errorf("creating function %s: %w", fp.name, err)
	}
	progress.accepted = true
	arn := aws.ToString(out.FunctionArn)
	if err := b.waitActive(ctx, fp.name); err != nil {
		return arn, err
	}
	return arn, nil
}

// update updates code, configuration and tags where they differ, conditionally on the revision
// Plan read, so a concurrent change is detected instead of overwritten.
func (b *Backend) update(ctx context.Context, p *plan, fp functionPlan, w wanted, code *codeSource, progress *applied) (string, error) {
	c := fp.live.Configuration
	arn := aws.ToString(c.FunctionArn)
	revision := c.RevisionId
	if err := b.waitUpdated(ctx, fp.name); err != nil {
		return "", err
	}
	if fp.codeChanged {
		b.log.Info("updating function code", "function", fp.name)
		in := code.updateInput(fp.name)
		in.RevisionId = revision
		in.Architectures = []types.Architecture{types.Architecture(w.arch)}
		if _, err := b.lambda.UpdateFunctionCode(ctx, in); err != nil {
			if err := b.unlessOurs(ctx, p, fp.name, w, sameCode, err); err != nil {
				return arn, b.conflict(fmt.Sprintf("updating the code of function %s", fp.name), err)
			}
		}
		progress.accepted = true
		if err := b.waitUpdated(ctx, fp.name); err != nil {
			return arn, err
		}
		// The configuration update is conditional on the revision of this run's code update: a
		// deployment that changed the function in between is detected, not overwritten.
		live, err := b.lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(fp.name)})
		if err != nil {
			return arn, fmt.Errorf("reading function %s after its code update: %w", fp.name, err)
		}
		if liveCodeID(live) != p.codeID() {
			return arn, fmt.Errorf("updating function %s: the function changed since this run updated its code (another deployment is running?); nothing of it was overwritten: run again to deploy over the new state", fp.name)
		}
		revision = live.Configuration.RevisionId
	}
	w.layer = p.layerARN
	if len(configDiffs(c, w)) > 0 {
		b.log.Info("updating function configuration", "function", fp.name)
		in := &lambda.UpdateFunctionConfigurationInput{
			FunctionName:     aws.String(fp.name),
			RevisionId:       revision,
			Role:             roleOr(w.role, c.Role),
			MemorySize:       aws.Int32(int32(w.mem)),
			Timeout:          aws.Int32(int32(w.timeout)),
			EphemeralStorage: &types.EphemeralStorage{Size: aws.Int32(int32(w.eph))},
			Description:      b.description(p),
		}
		if !w.image {
			in.Runtime, in.Handler, in.Layers = types.Runtime(w.runtime), aws.String(w.handler), []string{p.layerARN}
		}
		if _, err := b.lambda.UpdateFunctionConfiguration(ctx, in); err != nil {
			if err := b.unlessOurs(ctx, p, fp.name, w, sameConfig, err); err != nil {
				return arn, b.conflict(fmt.Sprintf("updating the configuration of function %s", fp.name), err)
			}
		}
		progress.accepted = true
		if err := b.waitUpdated(ctx, fp.name); err != nil {
			return arn, err
		}
	}
	if len(fp.missingTags) > 0 {
		if _, err := b.lambda.TagResource(ctx, &lambda.TagResourceInput{Resource: aws.String(arn), Tags: fp.missingTags}); err != nil {
			return arn, fmt.Errorf("tagging function %s: %w", fp.name, err)
		}
	}
	return arn, nil
}

func roleOr(role string, live *string) *string {
	if role != "" {
		return aws.String(role)
	}
	return live
}

// conflict explains a revision mismatch: someone else changed the function meanwhile.
func (b *Backend) conflict(what string, err error) error {
	var pf *types.PreconditionFailedException
	if errors.As(err, &pf) {
		return fmt.Errorf("%s: the function changed since this run read it (another deployment is running?); nothing of it was overwritten: run again to deploy over the new state: %w", what, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

func (b *Backend) waitActive(ctx context.Context, name string) error {
	w := lambda.NewFunctionActiveV2Waiter(b.lambda, func(o *lambda.FunctionActiveV2WaiterOptions) {
		o.MinDelay, o.MaxDelay = b.opts.WaitMinDelay, b.opts.WaitMaxDelay
	})
	if err := w.Wait(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)}, b.opts.WaitTimeout); err != nil {
		return fmt.Errorf("waiting for function %s to become Active: %w", name, err)
	}
	return nil
}

func (b *Backend) waitUpdated(ctx context.Context, name string) error {
	w := lambda.NewFunctionUpdatedV2Waiter(b.lambda, func(o *lambda.FunctionUpdatedV2WaiterOptions) {
		o.MinDelay, o.MaxDelay = b.opts.WaitMinDelay, b.opts.WaitMaxDelay
	})
	if err := w.Wait(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)}, b.opts.WaitTimeout); err != nil {
		return fmt.Errorf("waiting for the update of function %s to finish (LastUpdateStatus Successful): %w", name, err)
	}
	return nil
}

// Restore puts back what Apply changed: updated functions get their previous code and
// configuration, created ones are deleted. Published layer versions stay (they are immutable; the
// next run with the same layer reuses them).
func (b *Backend) Restore(ctx context.Context, d *deploy.Deployment) error {
	st, ok := d.State.(*deployment)
	if !ok {
		return nil
	}
	p, _ := d.Plan.State.(*plan)
	var errs []error
	for _, t := range slices.Backward(st.touched) {
		if t.previous == nil {
			if err := b.deleteCreated(ctx, p, t); err != nil {
				errs = append(errs, err)
			}
			continue
		}
		if err := b.restoreFunction(ctx, p, t); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (b *Backend) restoreFunction(ctx context.Context, p *plan, t touched) error {
	c := t.previous.Configuration
	b.log.Info("restoring the previous code and configuration", "function", t.name)
	if err := b.waitUpdated(ctx, t.name); err != nil {
		return err
	}
	// Restore only what this run left: every call is conditional on the revision of the function
	// as this run deployed it, so a newer update by another deployment is never overwritten.
	live, err := b.lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(t.name)})
	if err != nil {
		return fmt.Errorf("restoring function %s: reading it: %w", t.name, err)
	}
	if p != nil && !b.isDeployed(live, p, t.mem) {
		return fmt.Errorf("function %s was not restored: %w", t.name, errChangedMeanwhile)
	}
	revision := live.Configuration.RevisionId
	changed := func(what string, err error) error {
		if preconditionFailed(err) {
			return fmt.Errorf("function %s was not restored (%s): %w", t.name, what, errChangedMeanwhile)
		}
		return fmt.Errorf("restoring the %s of function %s: %w", what, t.name, err)
	}
	if t.codeChanged {
		in := &lambda.UpdateFunctionCodeInput{FunctionName: aws.String(t.name), Architectures: c.Architectures, RevisionId: revision}
		if c.PackageType == types.PackageTypeImage {
			previous := aws.ToString(t.previous.Code.ResolvedImageUri)
			if previous == "" {
				previous = aws.ToString(t.previous.Code.ImageUri)
			}
			in.ImageUri = aws.String(previous)
		} else {
			if t.previous.Code == nil || t.previous.Code.Location == nil {
				return fmt.Errorf("restoring function %s: Lambda gave no download location for its previous code", t.name)
			}
			zip, err := b.download(ctx, aws.ToString(t.previous.Code.Location))
			if err != nil {
				return fmt.Errorf("restoring function %s: downloading its previous code: %w", t.name, err)
			}
			in.ZipFile = zip
		}
		if _, err := b.lambda.UpdateFunctionCode(ctx, in); err != nil {
			return changed("code", err)
		}
		if err := b.waitUpdated(ctx, t.name); err != nil {
			return err
		}
		live, err := b.lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(t.name)})
		if err != nil {
			return fmt.Errorf("restoring function %s: reading it after its code was restored: %w", t.name, err)
		}
		if liveCodeID(live) != liveCodeID(t.previous) {
			return fmt.Errorf("function %s was not restored (configuration): %w", t.name, errChangedMeanwhile)
		}
		revision = live.Configuration.RevisionId
	}
	var layers []string
	for _, l := range c.Layers {
		layers = append(layers, aws.ToString(l.Arn))
	}
	in := &lambda.UpdateFunctionConfigurationInput{
		FunctionName: aws.String(t.name), Role: c.Role, Runtime: c.Runtime, Handler: c.Handler,
		MemorySize: c.MemorySize, Timeout: c.Timeout, Layers: layers, Description: c.Description,
		EphemeralStorage: c.EphemeralStorage, RevisionId: revision,
	}
	if in.Layers == nil && c.PackageType != types.PackageTypeImage {
		in.Layers = []string{}
	}
	if _, err := b.lambda.UpdateFunctionConfiguration(ctx, in); err != nil {
		return changed("configuration", err)
	}
	return b.waitUpdated(ctx, t.name)
}

// download fetches a presigned code location.
func (b *Backend) download(ctx context.Context, url string) ([]byte, error) {
	return deploy.FetchCode(ctx, b.http, url, lithops.LimitsFor(lithops.AWSLambda).UnzippedMax, 200*time.Millisecond)
}

// codeSource is a zip sent inline or staged in S3, or an image pinned by digest.
type codeSource struct {
	b           *Backend
	zip         []byte
	bucket, key string
	imageURI    string
}

// stage reads a small zip for an inline upload, or uploads a large one to the storage bucket.
func (b *Backend) stage(ctx context.Context, bucket string, z *zipbundle.Bundle) (*codeSource, error) {
	if z.Size <= lithops.LimitsFor(lithops.AWSLambda).DirectZipMax {
		data, err := os.ReadFile(z.Path)
		if err != nil {
			return nil, err
		}
		return &codeSource{b: b, zip: data}, nil
	}
	key := "lithops-runtime-action/staging/" + z.SHA256 + ".zip"
	if b.storageRegion() != b.opts.Region {
		return nil, fmt.Errorf("the %s zip must be staged through S3, and Lambda reads staged code only from a bucket in the function's region %s, but the storage bucket %s is in %s (the Lithops storage region): make the runtime smaller than %s, or use a storage region equal to the compute region", bytesize.Format(z.Size), b.opts.Region, bucket, b.storageRegion(), bytesize.Format(lithops.LimitsFor(lithops.AWSLambda).DirectZipMax))
	}
	if err := b.ensureBucket(ctx, bucket); err != nil {
		return nil, err
	}
	f, err := os.Open(z.Path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b.log.Info("staging zip in S3", "bucket", bucket, "key", key, "size", bytesize.Format(z.Size))
	if err := b.putObject(ctx, bucket, key, newProgressReader(f, z.Size, "s3://"+bucket+"/"+key, b.log), z.Size); err != nil {
		return nil, fmt.Errorf("staging the zip in s3://%s/%s: %w", bucket, key, err)
	}
	return &codeSource{b: b, bucket: bucket, key: key}, nil
}

func (c *codeSource) functionCode() *types.FunctionCode {
	if c.imageURI != "" {
		return &types.FunctionCode{ImageUri: aws.String(c.imageURI)}
	}
	if c.key != "" {
		return &types.FunctionCode{S3Bucket: aws.String(c.bucket), S3Key: aws.String(c.key)}
	}
	return &types.FunctionCode{ZipFile: c.zip}
}

func (c *codeSource) updateInput(name string) *lambda.UpdateFunctionCodeInput {
	in := &lambda.UpdateFunctionCodeInput{FunctionName: aws.String(name)}
	if c.imageURI != "" {
		in.ImageUri = aws.String(c.imageURI)
		return in
	}
	if c.key != "" {
		in.S3Bucket, in.S3Key = aws.String(c.bucket), aws.String(c.key)
	} else {
		in.ZipFile = c.zip
	}
	return in
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
