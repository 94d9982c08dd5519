package awslambda

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
)

// envLoadOptions turns the SDK's standard environment settings that getenv has (the program's
// own environment) into load options, with the meaning the SDK gives them when it reads the
// process environment itself: static credentials, the shared config files and profile, and the
// instance metadata client. A setting getenv does not have is left to the SDK's chain as usual,
// so with getenv = os.Getenv the configuration is the one the SDK alone would load.
func envLoadOptions(getenv func(string) string) []func(*config.LoadOptions) error {
	if getenv == nil {
		return nil
	}
	var opts []func(*config.LoadOptions) error
	first := func(names ...string) string {
		for _, n := range names {
			if v := getenv(n); v != "" {
				return v
			}
		}
		return ""
	}
	if id, secret := first("AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY"), first("AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY"); id != "" && secret != "" {
		// The SDK's environment credentials come first in its chain, before any profile.
		opts = append(opts, config.WithCredentialsProvider(aws.CredentialsProviderFunc(func(ctx context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: getenv("AWS_SESSION_TOKEN"),
				AccountID: getenv("AWS_ACCOUNT_ID"), Source: config.CredentialsSourceName}, nil
		})))
	}
	if v := getenv("AWS_CONFIG_FILE"); v != "" {
		opts = append(opts, config.WithSharedConfigFiles([]string{v}))
	}
	if v := getenv("AWS_SHARED_CREDENTIALS_FILE"); v != "" {
		opts = append(opts, config.WithSharedCredentialsFiles([]string{v}))
	}
	if v := first("AWS_PROFILE", "AWS_DEFAULT_PROFILE"); v != "" {
		opts = append(opts, config.WithSharedConfigProfile(v))
	}
	switch v := getenv("AWS_EC2_METADATA_DISABLED"); {
	case strings.EqualFold(v, "true"):
		opts = append(opts, config.WithEC2IMDSClientEnableState(imds.ClientDisabled))
	case strings.EqualFold(v, "false"):
		opts = append(opts, config.WithEC2IMDSClientEnableState(imds.ClientEnabled))
	}
	if v := getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT"); v != "" {
		opts = append(opts, config.WithEC2IMDSEndpoint(v))
	}
	return opts
}

// envEndpoint is the endpoint getenv sets for a service: AWS_ENDPOINT_URL_<SERVICE>, else
// AWS_ENDPOINT_URL, none when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true (the SDK's order, in
// which the environment comes before the shared config). "" leaves the SDK's own resolution.
func envEndpoint(getenv func(string) string, service string) string {
	if getenv == nil || strings.EqualFold(getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true") {
		return ""
	}
	if v := getenv("AWS_ENDPOINT_URL_" + service); v != "" {
		return v
	}
	return getenv("AWS_ENDPOINT_URL")
}
