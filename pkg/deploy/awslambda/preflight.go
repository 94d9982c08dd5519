package awslambda

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/lithops"
)

// CredentialsFix names the standard ways to give the action AWS credentials.
const CredentialsFix = "provide AWS credentials the standard ways: in GitHub Actions, aws-actions/configure-aws-credentials " +
	"(an OIDC role, no stored keys); elsewhere AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (with AWS_SESSION_TOKEN for temporary ones), " +
	"AWS_PROFILE with a profile in ~/.aws/config (aws configure, or aws sso login), or the role of the instance or container"

// Preflight checks, with one STS GetCallerIdentity call, that the AWS credentials resolve and are
// accepted, before anything is built. It also resolves the user key the names embed (the user-id
// input when set, else the caller's UserId), so Plan makes no second call.
func (b *Backend) Preflight(ctx context.Context, _ *deploy.Request) error {
	out, err := b.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return &deploy.CredentialsError{Backend: lithops.AWSLambda, Err: credentialsCause(err), Fix: CredentialsFix}
	}
	b.account = aws.ToString(out.Account)
	if b.opts.UserID != "" {
		b.userKey = lithops.AWSUserKey(b.opts.UserID)
		b.log.Info("user key from the user-id input", "user_key", b.userKey, "arn", aws.ToString(out.Arn))
		return nil
	}
	b.userKey = lithops.AWSUserKey(aws.ToString(out.UserId))
	b.log.Info("caller identity", "arn", aws.ToString(out.Arn), "user_key", b.userKey)
	return nil
}

// credentialsCause shortens the SDK's error chain to what the user can act on.
func credentialsCause(err error) error {
	msg := err.Error()
	if strings.Contains(msg, "failed to refresh cached credentials") || strings.Contains(msg, "failed to retrieve credentials") ||
		strings.Contains(msg, "no EC2 IMDS role found") {
		return errors.New("none were found (environment variables, shared config and credentials files, web identity token, container or instance role)")
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return fmt.Errorf("STS GetCallerIdentity: %s: %s", ae.ErrorCode(), ae.ErrorMessage())
	}
	return fmt.Errorf("STS GetCallerIdentity: %w", err)
}
