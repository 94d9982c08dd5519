package awslambda

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/logging"
)

// ClientOptions tune the SDK clients NewFromEnvironment builds.
type ClientOptions struct {
	// S3PathStyle addresses buckets as https://endpoint/bucket (S3-compatible endpoints, emulators).
	S3PathStyle bool
	// MaxAttempts bounds retries of throttling, 5xx and update-in-progress conflicts (default 8).
	MaxAttempts int
	// Getenv, when set, is the program's environment: the SDK's standard settings it has
	// (AWS_ACCESS_KEY_ID..., AWS_PROFILE, AWS_CONFIG_FILE, AWS_ENDPOINT_URL[_<SERVICE>], ...) apply
	// as if they were in the process environment, before those of the process environment.
	Getenv func(string) string
}

// NewFromEnvironment builds a Backend with SDK clients from the standard configuration chain
// (credentials from env, shared config or web identity; endpoints from AWS_ENDPOINT_URL*).
func NewFromEnvironment(ctx context.Context, opts Options, copts ClientOptions) (*Backend, error) {
	if copts.MaxAttempts == 0 {
		copts.MaxAttempts = 8
	}
	cfg, err := config.LoadDefaultConfig(ctx, append(envLoadOptions(copts.Getenv),
		config.WithRegion(opts.Region),
		config.WithLogger(sdkLogger{opts.Logger}),
		config.WithRetryer(func() aws.Retryer {
			r := retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = copts.MaxAttempts
				o.MaxBackoff = 20e9 // 20 s
			})
			// An update in progress is transient: Lambda answers 409 ResourceConflictException until
			// LastUpdateStatus leaves InProgress.
			return retry.AddWithErrorCodes(r, "ResourceConflictException", "TooManyRequestsException")
		}),
	)...)
	if err != nil {
		return nil, fmt.Errorf("loading the AWS configuration (credentials and region): %w", err)
	}
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.UsePathStyle = copts.S3PathStyle
		o.BaseEndpoint = endpointOr(o.BaseEndpoint, envEndpoint(copts.Getenv, "S3"))
		if opts.StorageRegion != "" {
			o.Region = opts.StorageRegion // the bucket lives in the Lithops storage region
		}
	})
	if opts.ECR == nil {
		opts.ECR = ecr.NewFromConfig(cfg, func(o *ecr.Options) { o.BaseEndpoint = endpointOr(o.BaseEndpoint, envEndpoint(copts.Getenv, "ECR")) })
	}
	lc := lambda.NewFromConfig(cfg, func(o *lambda.Options) {
		o.BaseEndpoint = endpointOr(o.BaseEndpoint, envEndpoint(copts.Getenv, "LAMBDA"))
	})
	stc := sts.NewFromConfig(cfg, func(o *sts.Options) { o.BaseEndpoint = endpointOr(o.BaseEndpoint, envEndpoint(copts.Getenv, "STS")) })
	return New(lc, stc, s3c, opts), nil
}

// sdkLogger sends the SDK's own log lines (e.g. "falling back to IMDSv1" while it looks for
// credentials) to the backend's logger at debug level: the credential check reports the outcome
// in one line of its own.
type sdkLogger struct{ log *slog.Logger }

func (l sdkLogger) Logf(c logging.Classification, format string, v ...any) {
	if l.log != nil {
		l.log.Debug(fmt.Sprintf(format, v...), "source", "aws-sdk", "level", string(c))
	}
}

// endpointOr returns the endpoint the environment sets (env), else the one the SDK resolved.
func endpointOr(resolved *string, env string) *string {
	if env != "" {
		return aws.String(env)
	}
	return resolved
}
