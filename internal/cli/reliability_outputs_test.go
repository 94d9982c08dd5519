package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// readOnlyFile makes path a file that cannot be written, also for root (who ignores 0444): made
// immutable with chattr, undone at cleanup.
func readOnlyFile(t *testing.T, path string) {
	t.Helper()
	writeFile(t, path, "")
	if err := os.Chmod(path, 0o444); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() != 0 {
		return
	}
	if out, err := exec.Command("chattr", "+i", path).CombinedOutput(); err != nil {
		t.Fatalf("chattr +i %s (root writes to 0444 files; .ci/run runs as root with chattr): %v\n%s", path, err, out)
	}
	t.Cleanup(func() { exec.Command("chattr", "-i", path).Run() })
}

// TestReliabilityUnwritableOutputFiles points $GITHUB_OUTPUT and $GITHUB_STEP_SUMMARY at a file in
// a missing directory, a read-only file and a directory: each run fails at once (exit 1, no
// panic), naming the variable, before anything is built or deployed (the local state directory
// stays empty).
func TestReliabilityUnwritableOutputFiles(t *testing.T) {
	offline(t, goodWheels)
	ws := t.TempDir()
	writeFile(t, filepath.Join(ws, "requirements.txt"), "acme-text-utils\n")
	bad := t.TempDir()
	readOnlyFile(t, filepath.Join(bad, "readonly"))
	cases := map[string]string{
		"missing directory": filepath.Join(bad, "nowhere", "file"),
		"read-only file":    filepath.Join(bad, "readonly"),
		"a directory":       bad,
	}
	for _, variable := range []string{"GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY"} {
		for name, path := range cases {
			t.Run(variable+"/"+name, func(t *testing.T) {
				env, _, _ := actionsEnv(t, nil)
				env[variable] = path
				state := filepath.Join(t.TempDir(), "state")
				s := runMain(t, ws, env, "--requirements", "requirements.txt", "--lithops-version", "3.7.0", "--local-dir", state)
				if s.code != 1 {
					t.Fatalf("exit %d, want 1\n%s", s.code, s.stdout.String())
				}
				log := s.stdout.String()
				wantLines(t, name, log, "::error::"+variable+"="+path+" cannot be written")
				if strings.Contains(log, "::group::build") {
					t.Errorf("the build started before the output files were checked:\n%s", log)
				}
				if _, err := os.Stat(state); !os.IsNotExist(err) {
					t.Errorf("the local state directory was created: %v", err)
				}
			})
		}
	}
}

// TestReliabilityEnvironmentSecretsMasked uses a requirements file whose only line is the value of
// AWS_SECRET_ACCESS_KEY (a pasted secret; pip quotes the line back when it fails): on the command
// line and in GitHub Actions, no stream shows it; in Actions the mask is registered before the
// first line is logged. The same for the session token and the Aliyun secret and token.
func TestReliabilityEnvironmentSecretsMasked(t *testing.T) {
	parallelOffline(t, goodWheels)
	secrets := map[string]string{
		"AWS_SECRET_ACCESS_KEY":           "leakcheck-aws-secret-3f9a1c",
		"AWS_SESSION_TOKEN":               "leakcheck-aws-token-7b2e4d",
		"ALIBABA_CLOUD_ACCESS_KEY_SECRET": "leakcheck-ali-secret-1d8c5a",
		"ALIBABA_CLOUD_SECURITY_TOKEN":    "leakcheck-ali-token-6e0f2b",
	}
	for variable, secret := range secrets {
		ws := t.TempDir()
		writeFile(t, filepath.Join(ws, "requirements.txt"), secret+"\n")
		args := []string{"--requirements", "requirements.txt", "--lithops-version", "3.7.0", "--local-dir", t.TempDir()}
		t.Run(variable+"/cli", func(t *testing.T) {
			s := runMain(t, ws, map[string]string{variable: secret}, args...)
			if s.code != 1 {
				t.Fatalf("exit %d, want 1 (pip cannot find the package)\n%s", s.code, s.stderr.String())
			}
			for _, l := range leaks(map[string]string{"stdout": s.stdout.String(), "stderr": s.stderr.String()}, map[string]string{variable: secret}) {
				t.Error(l)
			}
			wantLines(t, "pip's failure", s.stderr.String(), "***")
		})
		t.Run(variable+"/actions", func(t *testing.T) {
			env, outFile, sumFile := actionsEnv(t, nil)
			env[variable] = secret
			env["RUNNER_DEBUG"] = "1"
			s := runMain(t, ws, env, args...)
			if s.code != 1 {
				t.Fatalf("exit %d, want 1\n%s", s.code, s.stdout.String())
			}
			streams := map[string]string{"stdout": s.stdout.String(), "stderr": s.stderr.String(),
				"GITHUB_OUTPUT": readFileString(t, outFile), "GITHUB_STEP_SUMMARY": readFileString(t, sumFile)}
			for _, l := range leaks(streams, map[string]string{variable: secret}) {
				t.Error(l)
			}
			if first, _, _ := strings.Cut(s.stdout.String(), "\n"); first != "::add-mask::"+secret {
				t.Errorf("the first log line is %q, want the mask of %s", first, variable)
			}
		})
	}
}
