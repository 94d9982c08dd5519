package run

// SecretVariables are the credentials the clouds' SDKs read from the environment. Their values
// are masked by the tool itself (not only by the action that set them, which may not have): a
// requirements line, a pip error or a debug record that quotes one prints *** instead.
var SecretVariables = []string{
	"AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
	"ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN",
}

// MaskEnvironment masks the values of SecretVariables (registered with the runner in Actions, and
// redacted from everything this UI writes). Call it before logging anything.
func (u *UI) MaskEnvironment() {
	for _, v := range SecretVariables {
		if s := u.getenv(v); s != "" {
			u.Mask(s)
		}
	}
}
