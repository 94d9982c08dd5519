package aliyunfc

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/lithops"
)

// CredentialsFix names the standard ways to give the action an Aliyun AccessKey.
const CredentialsFix = "provide Aliyun credentials the standard ways: in GitHub Actions, aliyun/configure-aliyun-credentials-action " +
	"(an OIDC role, no stored keys); elsewhere ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (with " +
	"ALIBABA_CLOUD_SECURITY_TOKEN for STS credentials), or access_key_id and access_key_secret in the Lithops config's aliyun section"

// credentialCheckFunction is the function Preflight reads: any name does, the answer (not found,
// or the function) shows that Function Compute accepted the AccessKey.
const credentialCheckFunction = "lithops-runtime-action-credential-check"

// Preflight checks, with one Function Compute read (GetFunction), that the AccessKey is there
// and accepted, before anything is built.
func (b *Backend) Preflight(ctx context.Context, _ *deploy.Request) error {
	if b.opts.AccessKeyID == "" {
		return &deploy.CredentialsError{Backend: lithops.AliyunFC, Err: errors.New("no AccessKey was found"), Fix: CredentialsFix}
	}
	_, err := try(ctx, b, func() (*Function, error) { return b.fc.Get(ctx, credentialCheckFunction) })
	var ae *APIError
	if errors.As(err, &ae) && (ae.Status == http.StatusUnauthorized || ae.Status == http.StatusForbidden) {
		return &deploy.CredentialsError{Backend: lithops.AliyunFC, Err: fmt.Errorf("Function Compute refused the AccessKey: %s: %s", ae.Code, ae.Message), Fix: CredentialsFix}
	}
	if err != nil && ctx.Err() == nil {
		// Not an answer about the credentials (the service failing, the network): the deploy will
		// meet it again and report it with its context.
		b.log.Warn("could not check the Aliyun credentials before the build", "error", err)
		return nil
	}
	return err
}
