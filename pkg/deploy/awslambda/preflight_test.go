package awslambda_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/fakeaws"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy/awslambda"
)

// identity is an STS client answering one caller identity, or an error.
type identity struct {
	arn, account, userID string
	err                  error
}

func (s identity) GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error) {
	if s.err != nil {
		return nil, s.err
	}
	return &sts.GetCallerIdentityOutput{Arn: aws.String(s.arn), Account: aws.String(s.account), UserId: aws.String(s.userID)}, nil
}

// TestPreflightChecksRoleAndAccountAgainstCaller: a role of another partition or account than the
// caller's, or an account-id that is not the caller's, is refused with both accounts named; a
// region whose STS host does not resolve says to check the region, not the credentials.
func TestPreflightChecksRoleAndAccountAgainstCaller(t *testing.T) {
	caller := identity{arn: "arn:aws:sts::123456789012:assumed-role/ci/session", account: "123456789012", userID: "AROAEXAMPLE1234:session"}
	gov := identity{arn: "arn:aws-us-gov:iam::123456789012:user/ci", account: "123456789012", userID: "AIDAEXAMPLE1234"}
	for _, tc := range []struct {
		name       string
		sts        identity
		role, acct string
		want       string // "" for success
	}{
		{"same account", caller, "arn:aws:iam::123456789012:role/lithops", "", ""},
		{"same account and account-id", caller, "arn:aws:iam::123456789012:role/lithops", "123456789012", ""},
		{"role of aws-cn", caller, "arn:aws-cn:iam::123456789012:role/lithops", "", "partition aws-cn, but the AWS credentials are of partition aws"},
		{"role of aws-us-gov", caller, "arn:aws-us-gov:iam::123456789012:role/lithops", "", "partition aws-us-gov, but the AWS credentials are of partition aws"},
		{"aws role with gov credentials", gov, "arn:aws:iam::123456789012:role/lithops", "", "partition aws, but the AWS credentials are of partition aws-us-gov"},
		{"role of another account", caller, "arn:aws:iam::210987654321:role/lithops", "", "belongs to account 210987654321, but the AWS credentials are of account 123456789012"},
		{"account-id not the caller's", caller, "arn:aws:iam::123456789012:role/lithops", "210987654321", "account-id 210987654321 is not the account of the AWS credentials (123456789012"},
		{"region that does not resolve", identity{err: fmt.Errorf("operation error STS: GetCallerIdentity: %w", &net.DNSError{Err: "no such host", Name: "sts.xx-nowhere-9.amazonaws.com", IsNotFound: true})},
			"arn:aws:iam::123456789012:role/lithops", "", `the endpoint host sts.xx-nowhere-9.amazonaws.com does not resolve: check the region input (is "xx-nowhere-9" an AWS region?)`},
		{"no credentials", identity{err: errors.New("no EC2 IMDS role found")}, "", "", "provide AWS credentials"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			region := "us-east-1"
			if strings.Contains(tc.want, "xx-nowhere-9") {
				region = "xx-nowhere-9"
			}
			b := awslambda.New(nil, tc.sts, nil, awslambda.Options{Region: region, Role: tc.role, AccountID: tc.acct})
			err := b.Preflight(context.Background(), &deploy.Request{})
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Preflight: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("Preflight = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// TestPlanChecksNamesWithTheRealUserKey: a namespace that makes the function names longer than
// Lambda's 64 characters with the caller's user key fails at Plan, before any change (a dry run
// would have passed, and a deployment published the layer before failing).
func TestPlanChecksNamesWithTheRealUserKey(t *testing.T) {
	cloud := fakeaws.Start(t)
	cloud.Setenv(t)
	t.Setenv("AWS_ENDPOINT_URL", "")
	b, err := awslambda.NewFromEnvironment(context.Background(), awslambda.Options{
		Region: "us-east-1", Role: fakeaws.DefaultRole, Namespace: strings.Repeat("n", 30),
	}, awslambda.ClientOptions{S3PathStyle: true})
	if err != nil {
		t.Fatal(err)
	}
	art := &build.Artifact{PackageType: build.Zip,
		Layer:    zipOf(t, "python/", map[string][]byte{"m.py": []byte("x = 1\n")}),
		Function: zipOf(t, "", map[string][]byte{"entry_point.py": []byte("def lambda_handler(e, c): pass\n")})}
	_, err = b.Plan(context.Background(), request(art, 256))
	if err == nil || !strings.Contains(err.Error(), "over Lambda's limit of 64") {
		t.Fatalf("Plan = %v, want the function name limit", err)
	}
	if calls := cloud.MutatingCalls(); len(calls) != 0 {
		t.Errorf("mutating calls: %+v", calls)
	}
}
