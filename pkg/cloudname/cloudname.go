// Package cloudname holds the clouds' own rules for the names and identifiers an input becomes:
// S3 and OSS bucket names, AWS and Aliyun regions and account ids, IAM and RAM role ARNs. Each
// check returns an error saying what the rule is, so that a bad value is refused before any call
// (and before an endpoint host or a request path is built from it).
//
// Sources: Amazon S3 "General purpose bucket naming rules", the Lambda API reference (function
// and layer name patterns), the IAM ARN format, Alibaba Cloud OSS "Bucket naming conventions",
// the Function Compute API reference (function and service names).
package cloudname

import (
	"fmt"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
)

var (
	s3Bucket  = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	ossBucket = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$`)
	// AWS regions: us-east-1, eu-central-2, us-gov-west-1, cn-north-1, us-isob-east-1.
	awsRegion = regexp.MustCompile(`^[a-z]{2,4}(-[a-z]+){1,3}-[0-9]{1,2}$`)
	// Aliyun region ids: cn-hangzhou, ap-southeast-1, cn-shenzhen-finance-1, cn-hongkong.
	aliyunRegion = regexp.MustCompile(`^[a-z]{2}(-[a-z0-9]+){1,4}$`)
	awsAccount   = regexp.MustCompile(`^[0-9]{12}$`)
	aliyunAcct   = regexp.MustCompile(`^[0-9]{1,32}$`)
	// arn:<partition>:iam::<account>:role/<path/name>; names and paths: [\w+=,.@-], path separators /.
	iamRole = regexp.MustCompile(`^arn:(aws(?:-[a-z]+)*):iam::([0-9]{12}):role/([\w+=,.@/-]{1,512})$`)
	ramRole = regexp.MustCompile(`^acs:ram::([0-9]{1,32}):role/([\w.-]{1,64})$`)
	// FC function and service names: letters, digits, _ and -, not starting with a digit or -.
	fcName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)
)

// s3Reserved are the prefixes and suffixes S3 keeps for itself.
var (
	s3ReservedPrefixes = []string{"xn--", "sthree-", "amzn-s3-demo-"}
	s3ReservedSuffixes = []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"}
)

// S3Bucket checks an S3 general purpose bucket name: 3 to 63 characters of lowercase letters,
// digits, '.' and '-', starting and ending with a letter or digit, no "..", not an IP address,
// none of S3's reserved prefixes and suffixes. A key path ("bucket/dir") is not a bucket name.
func S3Bucket(name string) error {
	const rule = "S3 bucket names are 3 to 63 lowercase letters, digits, '.' and '-', starting and ending with a letter or digit (no '/', no '_', no upper case), and not an IP address"
	switch {
	case !s3Bucket.MatchString(name) || strings.Contains(name, ".."):
		return fmt.Errorf("%q is not a valid bucket name: %s", name, rule)
	case isIPv4(name):
		return fmt.Errorf("%q is not a valid bucket name: it is formatted as an IP address; %s", name, rule)
	}
	for _, p := range s3ReservedPrefixes {
		if strings.HasPrefix(name, p) {
			return fmt.Errorf("%q is not a valid bucket name: S3 reserves the prefix %q", name, p)
		}
	}
	for _, s := range s3ReservedSuffixes {
		if strings.HasSuffix(name, s) {
			return fmt.Errorf("%q is not a valid bucket name: S3 reserves the suffix %q", name, s)
		}
	}
	return nil
}

// OSSBucket checks an OSS bucket name: 3 to 63 characters of lowercase letters, digits and '-',
// starting and ending with a letter or digit.
func OSSBucket(name string) error {
	if !ossBucket.MatchString(name) {
		return fmt.Errorf("%q is not a valid bucket name: OSS bucket names are 3 to 63 lowercase letters, digits and '-', starting and ending with a letter or digit (no '.', '/', '_' or upper case)", name)
	}
	return nil
}

func isIPv4(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is4()
}

// AWSRegion checks the shape of an AWS region code (us-east-1, us-gov-west-1, cn-north-1).
func AWSRegion(region string) error {
	if !awsRegion.MatchString(region) {
		return fmt.Errorf("%q is not an AWS region code: lowercase <area>-<direction>-<number>, e.g. us-east-1, eu-central-1, us-gov-west-1", region)
	}
	return nil
}

// AliyunRegion checks the shape of an Alibaba Cloud region id (cn-hangzhou, ap-southeast-1).
func AliyunRegion(region string) error {
	if !aliyunRegion.MatchString(region) {
		return fmt.Errorf("%q is not an Alibaba Cloud region id: lowercase words joined by '-', e.g. cn-hangzhou, ap-southeast-1", region)
	}
	return nil
}

// AWSAccountID checks an AWS account id: 12 digits.
func AWSAccountID(id string) error {
	if !awsAccount.MatchString(id) {
		return fmt.Errorf("%q is not an AWS account id: 12 digits", id)
	}
	return nil
}

// AliyunAccountID checks an Alibaba Cloud account id (UID): digits only.
func AliyunAccountID(id string) error {
	if !aliyunAcct.MatchString(id) {
		return fmt.Errorf("%q is not an Alibaba Cloud account id: digits only (the UID, e.g. 1234567890123456)", id)
	}
	return nil
}

// RoleARN is an IAM role ARN, split.
type RoleARN struct {
	Partition string // aws, aws-cn, aws-us-gov, ...
	Account   string
	Name      string // the role's path and name
}

// ParseIAMRole parses arn:<partition>:iam::<account>:role/<name>.
func ParseIAMRole(arn string) (RoleARN, error) {
	m := iamRole.FindStringSubmatch(arn)
	if m == nil {
		return RoleARN{}, fmt.Errorf("%q is not an IAM role ARN: arn:<partition>:iam::<12-digit account>:role/<name>, e.g. arn:aws:iam::123456789012:role/lithops-execution-role", arn)
	}
	return RoleARN{Partition: m[1], Account: m[2], Name: m[3]}, nil
}

// PartitionOfRegion is the AWS partition a region belongs to.
func PartitionOfRegion(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	case strings.HasPrefix(region, "us-isof-"), strings.HasPrefix(region, "eu-isof-"):
		return "aws-iso-f"
	case strings.HasPrefix(region, "eu-isoe-"):
		return "aws-iso-e"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	case strings.HasPrefix(region, "eusc-"):
		return "aws-eusc"
	}
	return "aws"
}

// RAMRole checks an Alibaba Cloud RAM role ARN: acs:ram::<account>:role/<name>.
func RAMRole(arn string) (account string, err error) {
	m := ramRole.FindStringSubmatch(arn)
	if m == nil {
		return "", fmt.Errorf("%q is not a RAM role ARN: acs:ram::<account id>:role/<name>, e.g. acs:ram::1234567890123456:role/aliyunfcdefaultrole", arn)
	}
	return m[1], nil
}

// FCName checks a Function Compute function or service name: letters, digits, '_' and '-', not
// starting with a digit or '-', at most max characters.
func FCName(kind, name string, max int) error {
	if !fcName.MatchString(name) || len(name) > max {
		return fmt.Errorf("%q is not a valid Function Compute %s name: 1 to %d letters, digits, '_' and '-', not starting with a digit or '-'", name, kind, max)
	}
	return nil
}

// Endpoint checks an explicit service endpoint: a host[:port], or an http:// or https:// URL of
// one, with no user info, path, query or fragment (which would send signed requests elsewhere than
// the host shown).
func Endpoint(endpoint string) error {
	raw := endpoint
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.HasSuffix(raw, "#") {
		return fmt.Errorf("%q must be a host, optionally with a port, or an http:// or https:// URL of one (no path, query or user), e.g. 1234567890123456.cn-hangzhou-internal.fc.aliyuncs.com or http://127.0.0.1:9000", endpoint)
	}
	return nil
}
