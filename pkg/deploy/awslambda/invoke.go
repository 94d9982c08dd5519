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
