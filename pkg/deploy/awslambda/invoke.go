package awslambda

import (
	"context"
	"encoding/base64"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy"
)

// Invoke calls a function synchronously and returns its answer with the decoded log tail.
func (b *Backend) Invoke(ctx context.Context, fn deploy.Function, payload []byte) (*deploy.Invocation, error) {
	out, err := b.lambda.Invoke(ctx, &lambda.InvokeInput{
		FunctionName:   aws.String(fn.Name),
		InvocationType: types.InvocationTypeRequestResponse,
		LogType:        types.LogTypeTail,
		Payload:        payload,
	})
	if err != nil {
		return nil, fmt.Errorf("invoking function %s: %w", fn.Name, err)
	}
	inv := &deploy.Invocation{Payload: out.Payload, FunctionError: aws.ToString(out.FunctionError)}
	if out.LogResult != nil {
		if tail, err := base64.StdEncoding.DecodeString(*out.LogResult); err == nil {
			inv.LogTail = string(tail)
		}
	}
	return inv, nil
}

// RunsDeployedCode reports whether the function still runs the plan's code (zip CodeSha256 or
// image digest): deploy.CodeChecker.
func (b *Backend) RunsDeployedCode(ctx context.Context, d *deploy.Deployment, fn deploy.Function) (bool, error) {
	p, ok := d.Plan.State.(*plan)
	if !ok {
		return true, nil
	}
	live, err := b.lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(fn.Name)})
	if err != nil {
		return false, fmt.Errorf("reading function %s: %w", fn.Name, err)
	}
	return liveCodeID(live) == p.codeID(), nil
}
