package aliyunfc

import (
	"fmt"

	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/cloudname"
)

// fcHost is the public Function Compute host of an account in a region,
// <account>.<region>.fc.aliyuncs.com, built only from an account id of digits and a region id of
// lower-case words: an account or region such as "127.0.0.1:47999/x?" would otherwise send signed
// requests to another host.
func fcHost(region, account string) (string, error) {
	if err := cloudname.AliyunRegion(region); err != nil {
		return "", fmt.Errorf("the Function Compute endpoint is built from the region: %w", err)
	}
	if err := cloudname.AliyunAccountID(account); err != nil {
		return "", fmt.Errorf("the Function Compute endpoint is built from the account id: %w", err)
	}
	return account + "." + region + ".fc.aliyuncs.com", nil
}

// ossRegion checks the region the OSS SDK builds its endpoint (oss-<region>.aliyuncs.com) from.
func ossRegion(region string) error {
	if err := cloudname.AliyunRegion(region); err != nil {
		return fmt.Errorf("the OSS endpoint is built from the region: %w", err)
	}
	return nil
}

// checkEndpoint checks an explicit endpoint (see cloudname.Endpoint).
func checkEndpoint(what, endpoint string) error {
	if err := cloudname.Endpoint(endpoint); err != nil {
		return fmt.Errorf("the %s endpoint: %w", what, err)
	}
	return nil
}
