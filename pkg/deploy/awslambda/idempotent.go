package awslambda

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// A call whose reply is lost (a reset connection, a timeout, a 5xx after the change was made) is
// retried by the SDK as if nothing had happened. For the calls that are not idempotent, this file
// makes the retry look first:
//
//   - PublishLayerVersion is sent once per attempt, and before another attempt the newest layer
//     version is read: if it holds this zip, it is the one the lost reply was about.
//   - CreateFunction is not retried on "Function already exist": the function is read, and if it
//     is exactly what this run creates, the lost reply was ours.
//   - UpdateFunctionCode and UpdateFunctionConfiguration are conditional on the revision Plan
//     read: a retry of a call that was served fails the condition. The function is then read, and
//     if it already is as this run wants it, the update was ours.

// stopRetrying is a retryer that does not retry errors for which stop is true.
type stopRetrying struct {
	aws.Retryer
	stop func(error) bool
}

func (r stopRetrying) IsErrorRetryable(err error) bool {
	return !r.stop(err) && r.Retryer.IsErrorRetryable(err)
}

// GetAttemptToken keeps the SDK's per-attempt token accounting of the wrapped retryer.
func (r stopRetrying) GetAttemptToken(ctx context.Context) (func(error) error, error) {
	if v2, ok := r.Retryer.(aws.RetryerV2); ok {
		return v2.GetAttemptToken(ctx)
	}
	return r.Retryer.GetInitialToken(), nil
}

// noRetryOn is a per-call option under which errors for which stop is true are not retried.
func noRetryOn(stop func(error) bool) func(*lambda.Options) {
	return func(o *lambda.Options) {
		if o.Retryer != nil {
			o.Retryer = stopRetrying{Retryer: o.Retryer, stop: stop}
		}
	}
}

// alreadyExists tells a CreateFunction conflict because the function exists (not an update in
// progress, which is the other ResourceConflictException).
func alreadyExists(err error) bool {
	var rc *types.ResourceConflictException
	return errors.As(err, &rc) && strings.Contains(strings.ToLower(aws.ToString(rc.Message)), "already exist")
}

// preconditionFailed tells a RevisionId mismatch.
func preconditionFailed(err error) bool {
	var pf *types.PreconditionFailedException
	return errors.As(err, &pf)
}

// publishLayerOnce publishes a layer version; when an attempt fails in a way worth retrying, the
// newest version is read before the next one, and used when it holds the zip (codeSHA256), so that
// a publish whose reply was lost does not publish a second, identical version.
func (b *Backend) publishLayerOnce(ctx context.Context, in *lambda.PublishLayerVersionInput, codeSHA256 string) (*lambda.PublishLayerVersionOutput, error) {
	var retryer aws.Retryer
	once := func(o *lambda.Options) {
		retryer = o.Retryer
		if o.Retryer != nil {
			o.Retryer = retry.AddWithMaxAttempts(o.Retryer, 1)
		}
	}
	for attempt := 1; ; attempt++ {
		out, err := b.lambda.PublishLayerVersion(ctx, in, once)
		if err == nil {
			return out, nil
		}
		if retryer == nil || attempt >= retryer.MaxAttempts() || !retryer.IsErrorRetryable(err) || ctx.Err() != nil {
			return nil, err
		}
		delay, derr := retryer.RetryDelay(attempt, err)
		if derr != nil {
			return nil, err
		}
		b.log.Warn("publishing the layer failed, looking whether it was published before retrying", "layer", aws.ToString(in.LayerName), "attempt", attempt, "error", err)
		if err := sleep(ctx, delay); err != nil {
			return nil, err
		}
		latest, lerr := b.latestLayer(ctx, aws.ToString(in.LayerName))
		if lerr == nil && latest != nil && aws.ToString(latest.Content.CodeSha256) == codeSHA256 {
			b.log.Info("the failed attempt had published the layer", "arn", aws.ToString(latest.LayerVersionArn))
			return &lambda.PublishLayerVersionOutput{LayerVersionArn: latest.LayerVersionArn, Version: latest.Version, Content: latest.Content}, nil
		}
	}
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// What isOurs compares.
const (
	sameCode = 1 << iota
	sameConfig
)

// isOurs reads a function after a call conflicted (it exists, or its revision moved) and tells
// whether it already is as this run wants it (its code, its configuration or both, as what says):
// the conflicting change was this run's own call, retried after its reply was lost.
func (b *Backend) isOurs(ctx context.Context, p *plan, name string, w wanted, what int) (bool, error) {
	live, err := b.lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)})
	if err != nil {
		return false, fmt.Errorf("reading function %s: %w", name, err)
	}
	if what&sameCode != 0 && liveCodeID(live) != p.codeID() {
		return false, nil
	}
	w.layer = p.layerARN
	return what&sameConfig == 0 || len(configDiffs(live.Configuration, w)) == 0, nil
}

// unlessOurs returns err, or nil when err is a revision mismatch and the function already is as
// this run wants it (what: sameCode or sameConfig): the SDK retried an update whose reply was
// lost, and the mismatch is this run's own change.
func (b *Backend) unlessOurs(ctx context.Context, p *plan, name string, w wanted, what int, err error) error {
	if !preconditionFailed(err) {
		return err
	}
	if err := b.waitUpdated(ctx, name); err != nil {
		return err
	}
	ours, rerr := b.isOurs(ctx, p, name, w, what)
	if rerr != nil || !ours {
		return err
	}
	b.log.Info("the function is already updated as this run wants it (a retried call had updated it)", "function", name)
	return nil
}
