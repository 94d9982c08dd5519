package config

import (
	"fmt"
	"os"
	"strings"

	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/cloudname"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/lithops"
)

// placeholderUserKey stands for the user key STS will give (4 characters, as every STS UserId
// yields) when names are checked before any call.
const placeholderUserKey = "xxxx"

// validateNames checks every input that becomes a cloud name, a host or a request path against
// the cloud's own rules, before anything is built or called: region and account id (which make
// the FC endpoint host), bucket, role, namespace, user id, runtime name (the function, layer and
// repository names Lithops computes from them), endpoints and the FC service. Inputs a backend
// does not use are reported as warnings.
func (l *loader) validateNames() {
	c := l.cfg
	switch c.Backend {
	case lithops.AWSLambda:
		l.check("region", c.Region, cloudname.AWSRegion)
		l.check("account-id", c.AccountID, cloudname.AWSAccountID)
		l.check("storage-bucket", c.StorageBucket, cloudname.S3Bucket)
		l.awsRole()
		l.awsNames()
	case lithops.AliyunFC:
		l.check("region", c.Region, cloudname.AliyunRegion)
		l.check("account-id", c.AccountID, cloudname.AliyunAccountID)
		l.check("storage-bucket", c.StorageBucket, cloudname.OSSBucket)
		l.fcRole()
		if c.FCService != "" {
			if err := cloudname.FCName("service", c.FCService, 128); err != nil {
				l.fail("fc-service", l.raw.get("fc-service"), "%v", err)
			}
		}
		l.check("fc-endpoint", c.FCEndpoint, cloudname.Endpoint)
		l.check("oss-endpoint", c.OSSEndpoint, cloudname.Endpoint)
	case lithops.Local:
		l.check("storage-bucket", c.StorageBucket, cloudname.S3Bucket)
		l.awsNames()
		for _, in := range []string{"region", "namespace", "account-id", "user-id", "role"} {
			if v := l.raw.get(in); v.set() {
				l.warn("%s=%q is ignored by the local backend (from %s): it runs the functions on this machine, under the user key %q in region %q", in, v.raw, v.from, "local", "local")
			}
		}
		l.localDir()
	}
	if c.Backend != lithops.AliyunFC {
		for _, in := range []string{"fc-endpoint", "oss-endpoint"} {
			if v := l.raw.get(in); v.set() {
				l.warn("%s=%q is ignored by backend %s (from %s): it is an aliyun_fc setting", in, v.raw, c.Backend, v.from)
			}
		}
	}
}

// check runs rule on an input's value when it is set.
func (l *loader) check(input, val string, rule func(string) error) {
	if val == "" {
		return
	}
	if err := rule(val); err != nil {
		l.fail(input, l.raw.get(input), "%v", err)
	}
}

// failed reports whether one of inputs was already reported as bad.
func (l *loader) failed(inputs ...string) bool {
	for _, err := range l.errs {
		if ie, ok := err.(*InputError); ok && contains(inputs, ie.Input) {
			return true
		}
	}
	return false
}

func (l *loader) warn(format string, args ...any) {
	l.cfg.Warnings = append(l.cfg.Warnings, fmt.Sprintf(format, args...))
}

// awsRole checks the role ARN's shape and that its partition is the region's (a role of aws-cn
// cannot run functions in us-east-1). The account is checked against the caller's identity at
// deploy time.
func (l *loader) awsRole() {
	c := l.cfg
	if c.Role == "" {
		return
	}
	role, err := cloudname.ParseIAMRole(c.Role)
	if err != nil {
		l.fail("role", l.raw.get("role"), "%v", err)
		return
	}
	if c.Region != "" && cloudname.AWSRegion(c.Region) == nil {
		if want := cloudname.PartitionOfRegion(c.Region); role.Partition != want {
			l.fail("role", l.raw.get("role"), "is a role of partition %s, but region %s is in partition %s: use a role ARN arn:%s:iam::<account>:role/<name> of the account you deploy to", role.Partition, c.Region, want, want)
			return
		}
	}
	if c.AccountID != "" && cloudname.AWSAccountID(c.AccountID) == nil && role.Account != c.AccountID {
		l.fail("role", l.raw.get("role"), "belongs to account %s, not to account-id %s: functions can only assume a role of their own account", role.Account, c.AccountID)
	}
}

// fcRole checks the RAM role ARN and that it is of the account functions are deployed to.
func (l *loader) fcRole() {
	c := l.cfg
	if c.Role == "" {
		return
	}
	account, err := cloudname.RAMRole(c.Role)
	if err != nil {
		l.fail("role", l.raw.get("role"), "%v", err)
		return
	}
	if c.AccountID != "" && account != c.AccountID {
		l.fail("role", l.raw.get("role"), "belongs to account %s, not to account-id %s: Function Compute can only assume a role of its own account", account, c.AccountID)
	}
}

// awsNames checks the names Lithops computes for an AWS runtime (and the local backend's, which
// are AWS's), with the user key of the user-id input, else the length STS user keys have.
func (l *loader) awsNames() {
	c := l.cfg
	if c.RuntimeName == "" || c.Lithops.IsZero() || len(c.Memory) == 0 || lithops.ValidateRuntimeName(c.Backend, c.RuntimeName) != nil ||
		l.failed("dockerfile", "package-type", "runtime-name") {
		return // reported on their own; the package type the names depend on may be wrong
	}
	key := placeholderUserKey
	switch {
	case c.Backend == lithops.Local:
		key = "local"
	case c.UserID != "":
		if strings.ContainsAny(c.UserID, " \t\r\n") {
			l.fail("user-id", l.raw.get("user-id"), "must not contain white space: it is an STS UserId, e.g. AROAEXAMPLEID:session")
			return
		}
		key = lithops.AWSUserKey(c.UserID)
	}
	ns := c.Namespace
	if c.Backend == lithops.Local {
		ns = ""
	}
	n := lithops.AWSNames{UserKey: key, Lithops: c.Lithops, RuntimeName: c.RuntimeName, MemoryMB: c.Memory, Namespace: ns, PackageType: c.PackageType}
	if err := n.Check(); err != nil {
		input := "runtime-name"
		if ne, ok := err.(*lithops.NameError); ok {
			input = ne.Input
		}
		l.fail(input, l.raw.get(input), "%v", err)
		return
	}
	if c.Backend == lithops.AWSLambda && c.StorageBucket == "" && c.UserID != "" && cloudname.AWSRegion(c.Region) == nil {
		if err := cloudname.S3Bucket(lithops.DefaultAWSBucket(c.Region, key)); err != nil {
			l.fail("user-id", l.raw.get("user-id"), "makes Lithops' default bucket name invalid: %v; set storage-bucket", err)
		}
	}
}

// localDir refuses a local-dir that exists and is not a directory (it would fail only at deploy).
func (l *loader) localDir() {
	c := l.cfg
	if c.LocalDir == "" {
		return
	}
	if st, err := os.Stat(c.LocalDir); err == nil && !st.IsDir() {
		l.fail("local-dir", l.raw.get("local-dir"), "is not a directory: the local backend keeps its state there; name a directory (it is created when missing)")
	}
}

// checkEnvSpelling refuses INPUT_* variables that spell a hyphenated input with underscores:
// GitHub Actions keeps the hyphens (runtime-name is INPUT_RUNTIME-NAME), so such a variable would
// be ignored silently.
func (l *loader) checkEnvSpelling() {
	for _, in := range Inputs {
		if !strings.Contains(in.Name, "-") {
			continue
		}
		wrong := "INPUT_" + strings.ToUpper(strings.ReplaceAll(in.Name, "-", "_"))
		if v := l.env.Getenv(wrong); v != "" {
			l.errs = append(l.errs, &InputError{Input: in.Name, Value: v, From: wrong,
				Rule: fmt.Sprintf("%s is not read: GitHub Actions passes the input %s as INPUT_%s (with the hyphen); use the with: input %s, the --%s flag, or the variable INPUT_%s", wrong, in.Name, strings.ToUpper(in.Name), in.Name, in.Name, strings.ToUpper(in.Name))})
		}
	}
}
