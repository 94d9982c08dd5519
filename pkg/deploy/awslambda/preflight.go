package awslambda

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/cloudname"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/lithops"
)

// CredentialsFix names the standard ways to give the action AWS credentials.
const CredentialsFix = "provide AWS credentials the standard ways: in GitHub Actions, aws-actions/configure-aws-credentials " +
	"(an OIDC role, no stored keys); elsewhere AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (with AWS_SESSION_TOKEN for temporary ones), " +
	"AWS_PROFILE with a profile in ~/.aws/config (aws configure, or aws sso login), or the role of the instance or container"

// Preflight reads the caller's identity with one STS GetCallerIdentity call (which needs no
// permission) before anything is built: the credentials resolve and are accepted; the user key
// the names embed is resolved (the user-id input when set, else the caller's UserId), so Plan
// makes no second call; and what only the identity can tell is checked: the execution role is of
// the caller's partition and account (Lambda assumes only roles of the function's own account),
// and the account-id input, when set, is the caller's account.
func (b *Backend) Preflight(ctx context.Context, _ *deploy.Request) error {
	out, err := b.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		var dns *net.DNSError
		if errors.As(err, &dns) {
			return fmt.Errorf("reading the caller identity (STS GetCallerIdentity) in region %s: the endpoint host %s does not resolve: check the region input (is %q an AWS region?) and this machine's network", b.opts.Region, dns.Name, b.opts.Region)
		}
		return &deploy.CredentialsError{Backend: lithops.AWSLambda, Err: credentialsCause(err), Fix: CredentialsFix}
	}
	callerARN, account := aws.ToString(out.Arn), aws.ToString(out.Account)
	b.account = account
	b.callerKey = lithops.AWSUserKey(aws.ToString(out.UserId))
	if b.userKey == "" {
		if b.opts.UserID != "" {
			b.userKey = lithops.AWSUserKey(b.opts.UserID)
			b.log.Info("user key from the user-id input", "user_key", b.userKey)
		} else {
			b.userKey = b.callerKey
		}
	}
	b.log.Info("caller identity", "arn", callerARN, "account", account, "user_key", b.userKey)
	if b.opts.AccountID != "" && b.opts.AccountID != account {
		return fmt.Errorf("account-id %s is not the account of the AWS credentials (%s, %s): set account-id to %s, or deploy with credentials of account %s", b.opts.AccountID, account, callerARN, account, b.opts.AccountID)
	}
	if b.opts.Role == "" {
		return nil
	}
	role, err := cloudname.ParseIAMRole(b.opts.Role)
	if err != nil {
		return fmt.Errorf("role: %w", err)
	}
	if partition := arnPartition(callerARN); partition != "" && role.Partition != partition {
		return fmt.Errorf("role %s is in partition %s, but the AWS credentials are of partition %s (%s): use an execution role of account %s in partition %s", b.opts.Role, role.Partition, partition, callerARN, account, partition)
	}
	if role.Account != account {
		return fmt.Errorf("role %s belongs to account %s, but the AWS credentials are of account %s (%s): Lambda functions can only assume an execution role of their own account; use a role of account %s", b.opts.Role, role.Account, account, callerARN, account)
	}
	return nil
}

// arnPartition is the partition of an ARN ("" when s is not one).
func arnPartition(s string) string {
	parts := strings.SplitN(s, ":", 3)
	if len(parts) < 3 || parts[0] != "arn" {
		return ""
	}
	return parts[1]
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
