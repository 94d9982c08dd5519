package awslambda

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/lithops"
)

var _ deploy.LiveImageReader = (*Backend)(nil)

// LiveImage reads the runtime's functions: when every one is an image function running the same
// digest, it returns that digest with the build key and content digest the functions are tagged
// with (deploy.LiveImageReader). It changes nothing.
func (b *Backend) LiveImage(ctx context.Context, req *deploy.Request) (*build.LiveImage, error) {
	if err := b.identity(ctx); err != nil {
		return nil, err
	}
	var live *build.LiveImage
	for _, mem := range req.MemoryMB {
		name := lithops.AWSFunctionName(b.userKey, req.Lithops, req.RuntimeName, mem, b.opts.Namespace)
		out, err := b.lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)})
		var nf *types.ResourceNotFoundException
		switch {
		case errors.As(err, &nf):
			return nil, nil
		case err != nil:
			return nil, fmt.Errorf("reading function %s: %w", name, err)
		case out.Configuration == nil || out.Configuration.PackageType != types.PackageTypeImage:
			return nil, nil
		}
		li := build.LiveImageFromTags(liveCodeID(out), out.Tags)
		if live != nil && *live != *li {
			return nil, nil
		}
		live = li
	}
	return live, nil
}
