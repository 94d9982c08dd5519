package awslambda

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/cloudname"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/lithops"
)

// Preflight reads the caller's identity (STS GetCallerIdentity, which needs no permission) and
// checks, before anything is built, what only the identity can tell: the execution role is of the
// caller's partition and account (Lambda assumes only roles of the function's own account), and
// the account-id input, when set, is the caller's account.
func (b *Backend) Preflight(ctx context.Context) error {
	out, err := b.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		var dns *net.DNSError
		if errors.As(err, &dns) {
			return fmt.Errorf("reading the caller identity (STS GetCallerIdentity) in region %s: the endpoint host %s does not resolve: check the region input (is %q an AWS region?) and this machine's network", b.opts.Region, dns.Name, b.opts.Region)
		}
		return fmt.Errorf("reading the caller identity (STS GetCallerIdentity): %w; configure AWS credentials (e.g. aws-actions/configure-aws-credentials)", err)
	}
	callerARN, account := aws.ToString(out.Arn), aws.ToString(out.Account)
	b.account = account
	if b.userKey == "" {
		if b.opts.UserID != "" {
			b.userKey = lithops.AWSUserKey(b.opts.UserID)
			b.log.Info("user key from the user-id input", "user_key", b.userKey)
		} else {
			b.userKey = lithops.AWSUserKey(aws.ToString(out.UserId))
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
