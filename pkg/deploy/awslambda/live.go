package awslambda

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy"
)

// Two deployments of one runtime may run at the same time. What keeps them from mixing:
//
//   - every update is conditional on the RevisionId this run read (Plan, or after its own previous
//     update), and so is every restore after a failed smoke test: a restore never overwrites a
//     newer update of another run;
//   - before the runtime metadata is written, the function is read again and must still be
//     exactly as this run deployed it: code, layers and configuration (RunsDeployedCode);
//   - the metadata is written conditionally on the ETag read before that check (WriteObjectIf),
//     and the function is checked once more after the write.

// isDeployed tells whether a live function is exactly what plan p deploys for memory size mem:
// its code (CodeSha256 or image digest), its layer version and its configuration.
func (b *Backend) isDeployed(live *lambda.GetFunctionOutput, p *plan, mem int) bool {
	if live == nil || live.Configuration == nil || liveCodeID(live) != p.codeID() {
		return false
	}
	w := b.want(p, mem)
	w.layer = p.layerARN
	return len(configDiffs(live.Configuration, w)) == 0
}

// RunsDeployedCode reports whether the function is still exactly as the deployment left it: the
// plan's code (zip CodeSha256 or image digest), its layer version and its configuration
// (deploy.CodeChecker).
func (b *Backend) RunsDeployedCode(ctx context.Context, d *deploy.Deployment, fn deploy.Function) (bool, error) {
	p, ok := d.Plan.State.(*plan)
	if !ok {
		return true, nil
	}
	live, err := b.lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(fn.Name)})
	if err != nil {
		return false, fmt.Errorf("reading function %s: %w", fn.Name, err)
	}
	return b.isDeployed(live, p, fn.MemoryMB), nil
}

// errChangedMeanwhile says that another deployment changed a function after this run did.
var errChangedMeanwhile = deploy.ErrSuperseded

// ReadObjectVersion reads an object and its ETag (deploy.ConditionalStore).
func (b *Backend) ReadObjectVersion(ctx context.Context, bucket, key string) ([]byte, string, bool, error) {
	out, err := b.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		if isNotFound(err) {
			return nil, "", false, nil
		}
		return nil, "", false, fmt.Errorf("reading s3://%s/%s: %w", bucket, key, err)
	}
	defer out.Body.Close()
	data, err := io.ReadAll(out.Body)
	if err != nil {
		return nil, "", false, fmt.Errorf("reading s3://%s/%s: %w", bucket, key, err)
	}
	return data, aws.ToString(out.ETag), true, nil
}

// WriteObjectIf writes an object only when its ETag is still version, or, with version "", only
// when it does not exist (deploy.ConditionalStore). S3 answers 412 PreconditionFailed, or 409
// ConditionalRequestConflict while another conditional write of the key is under way.
func (b *Backend) WriteObjectIf(ctx context.Context, bucket, key string, data []byte, version string) (bool, error) {
	if err := b.ensureBucket(ctx, bucket); err != nil {
		return false, err
	}
	in := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(data), ContentLength: aws.Int64(int64(len(data)))}
	if version == "" {
		in.IfNoneMatch = aws.String("*")
	} else {
		in.IfMatch = aws.String(version)
	}
	_, err := b.s3.PutObject(ctx, in)
	if err == nil {
		return true, nil
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) && (re.HTTPStatusCode() == http.StatusPreconditionFailed || re.HTTPStatusCode() == http.StatusConflict) {
		return false, nil
	}
	var ae smithy.APIError
	if errors.As(err, &ae) && (ae.ErrorCode() == "PreconditionFailed" || ae.ErrorCode() == "ConditionalRequestConflict") {
		return false, nil
	}
	return false, fmt.Errorf("writing s3://%s/%s: %w", bucket, key, err)
}

// deleteCreated deletes a function this run created, only while it is as this run created it
// (DeleteFunction has no revision condition: the function is read just before).
func (b *Backend) deleteCreated(ctx context.Context, p *plan, t touched) error {
	if p != nil {
		live, err := b.lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(t.name)})
		if err != nil {
			return fmt.Errorf("deleting function %s: reading it: %w", t.name, err)
		}
		if !b.isDeployed(live, p, t.mem) {
			return fmt.Errorf("function %s was not deleted: %w", t.name, errChangedMeanwhile)
		}
	}
	b.log.Info("deleting the function this run created", "function", t.name)
	if _, err := b.lambda.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String(t.name)}); err != nil {
		return fmt.Errorf("deleting function %s: %w", t.name, err)
	}
	return nil
}
