// Package awslambda deploys Lithops zip runtimes to AWS Lambda: a layer with the dependencies and
// one function per memory size, named exactly as a Lithops client computes them, and writes the
// runtime metadata to the client's S3 storage bucket.
//
// The SDK clients are taken through small consumer-side interfaces (LambdaAPI, STSAPI, S3API), so
// tests run against in-process fakes or moto_server; endpoints and credentials come only from the
// SDK's standard chain (AWS_ENDPOINT_URL*, env, shared config, web identity).
package awslambda

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy/registry"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/lithops"
)

// LambdaAPI is the part of the Lambda client the backend uses.
type LambdaAPI interface {
	lambda.GetFunctionAPIClient
	CreateFunction(ctx context.Context, in *lambda.CreateFunctionInput, opts ...func(*lambda.Options)) (*lambda.CreateFunctionOutput, error)
	UpdateFunctionCode(ctx context.Context, in *lambda.UpdateFunctionCodeInput, opts ...func(*lambda.Options)) (*lambda.UpdateFunctionCodeOutput, error)
	UpdateFunctionConfiguration(ctx context.Context, in *lambda.UpdateFunctionConfigurationInput, opts ...func(*lambda.Options)) (*lambda.UpdateFunctionConfigurationOutput, error)
	DeleteFunction(ctx context.Context, in *lambda.DeleteFunctionInput, opts ...func(*lambda.Options)) (*lambda.DeleteFunctionOutput, error)
	TagResource(ctx context.Context, in *lambda.TagResourceInput, opts ...func(*lambda.Options)) (*lambda.TagResourceOutput, error)
	Invoke(ctx context.Context, in *lambda.InvokeInput, opts ...func(*lambda.Options)) (*lambda.InvokeOutput, error)
	PublishLayerVersion(ctx context.Context, in *lambda.PublishLayerVersionInput, opts ...func(*lambda.Options)) (*lambda.PublishLayerVersionOutput, error)
	ListLayerVersions(ctx context.Context, in *lambda.ListLayerVersionsInput, opts ...func(*lambda.Options)) (*lambda.ListLayerVersionsOutput, error)
	GetLayerVersion(ctx context.Context, in *lambda.GetLayerVersionInput, opts ...func(*lambda.Options)) (*lambda.GetLayerVersionOutput, error)
}

// STSAPI is the part of the STS client the backend uses.
type STSAPI interface {
	GetCallerIdentity(ctx context.Context, in *sts.GetCallerIdentityInput, opts ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

// S3API is the part of the S3 client the backend uses.
type S3API interface {
	HeadBucket(ctx context.Context, in *s3.HeadBucketInput, opts ...func(*s3.Options)) (*s3.HeadBucketOutput, error)
	CreateBucket(ctx context.Context, in *s3.CreateBucketInput, opts ...func(*s3.Options)) (*s3.CreateBucketOutput, error)
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	DeleteObject(ctx context.Context, in *s3.DeleteObjectInput, opts ...func(*s3.Options)) (*s3.DeleteObjectOutput, error)
}

// Options configure the backend with the cloud side of the inputs.
type Options struct {
	Region string
	// Role is the functions' execution role ARN (required to create or update functions).
	Role string
	// Namespace is Lithops' aws_lambda.namespace ("" for none).
	Namespace string
	// UserID overrides the STS UserId the user key of the function, layer and repository names is
	// derived from (Lithops' aws_lambda.user_id, or aws.user_id through Lithops' merge). Lithops'
	// default S3 bucket ignores it: that bucket is always named after the STS caller.
	UserID string
	// StorageRegion is the region of the clients' S3 storage backend (aws_s3.region, else
	// aws.region, else the compute region): the default bucket is named after it and created
	// there. "" means Region.
	StorageRegion string
	// AccountID is the account the deployment is meant for ("" for the credentials' own): Preflight
	// refuses other credentials.
	AccountID string
	// EphemeralMB is the functions' /tmp size (default 512).
	EphemeralMB int
	// Logger receives progress (default: discarded).
	Logger *slog.Logger
	// HTTPClient downloads a function's previous code for a rollback (default http.DefaultClient).
	HTTPClient *http.Client
	// WaitMinDelay and WaitMaxDelay bound the SDK waiters' polling (defaults 1 s and 10 s).
	WaitMinDelay, WaitMaxDelay time.Duration
	// WaitTimeout bounds each wait for a function to become ready (default 10 min).
	WaitTimeout time.Duration
	// ECR is the ECR client image runtimes are pushed with (nil: image runtimes need Registry).
	ECR registry.ECRAPI
	// Registry is the registry input: the repository images are pushed to instead of ECR's.
	Registry string
	// Mask is called with secrets (the ECR password) before anything could log them.
	Mask func(secret string)
}

// Backend deploys to AWS Lambda.
type Backend struct {
	opts   Options
	lambda LambdaAPI
	sts    STSAPI
	s3     S3API
	ecr    registry.ECRAPI
	log    *slog.Logger
	http   *http.Client

	// identity, resolved once: userKey names functions (user-id input, else the caller);
	// callerKey (always the STS caller's) names the default bucket.
	userKey, callerKey, account string
}

// New returns a Backend using the given clients.
func New(l LambdaAPI, s STSAPI, s3c S3API, opts Options) *Backend {
	if opts.EphemeralMB == 0 {
		opts.EphemeralMB = lithops.LimitsFor(lithops.AWSLambda).DefaultEphemeral
	}
	if opts.WaitMinDelay == 0 {
		opts.WaitMinDelay = time.Second
	}
	if opts.WaitMaxDelay == 0 {
		opts.WaitMaxDelay = 10 * time.Second
	}
	if opts.WaitTimeout == 0 {
		opts.WaitTimeout = 10 * time.Minute
	}
	b := &Backend{opts: opts, lambda: l, sts: s, s3: s3c, ecr: opts.ECR, log: opts.Logger, http: opts.HTTPClient}
	if b.log == nil {
		b.log = slog.New(slog.DiscardHandler)
	}
	if b.http == nil {
		b.http = http.DefaultClient
	}
	return b
}

// Name is "aws_lambda".
func (b *Backend) Name() string { return lithops.AWSLambda }
