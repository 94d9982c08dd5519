package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRequirementsFilesCheckedBeforePip: requirements files pip fails on with a raw traceback (an
// include cycle: RecursionError; binary content: UnicodeDecodeError), or whose includes it would
// echo into the log (-r of a file outside the workspace, like /etc/shadow), fail before pip runs
// with an error naming the file and line, and the content of the outside file never appears.
func TestRequirementsFilesCheckedBeforePip(t *testing.T) {
	offline(t, goodWheels)
	const secret = "root:$6$s3cr3t-hash-of-the-shadow-file:19000:0:99999:7:::"
	outside := filepath.Join(t.TempDir(), "shadow")
	if err := os.WriteFile(outside, []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"include cycle", map[string]string{"requirements.txt": "acme-text-utils\n-r more.txt\n", "more.txt": "-r requirements.txt\n"},
			[]string{"::error file=more.txt,line=1::", "include cycle"}},
		{"binary garbage", map[string]string{"requirements.txt": "acme-text-utils\n\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xd8"},
			[]string{"::error file=requirements.txt,line=2::", "is not UTF-8 text"}},
		{"include outside the workspace", map[string]string{"requirements.txt": "acme-text-utils\n-r " + outside + "\n"},
			[]string{"::error file=requirements.txt,line=2::", "is outside"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ws := t.TempDir()
			for name, content := range tc.files {
				writeFile(t, filepath.Join(ws, name), content)
			}
			env, _, _ := actionsEnv(t, map[string]string{"requirements": "requirements.txt", "lithops-version": "3.7.0", "local-dir": t.TempDir()})
			env["GITHUB_WORKSPACE"] = ws
			s := runMain(t, ws, env)
			log := s.stdout.String() + s.stderr.String()
			if s.code != 1 {
				t.Fatalf("exit %d, want 1\n%s", s.code, log)
			}
			wantLines(t, tc.name, log, tc.want...)
			for _, raw := range []string{"Traceback", "RecursionError", "UnicodeDecodeError", "s3cr3t"} {
				if strings.Contains(log, raw) {
					t.Errorf("the log shows %q:\n%s", raw, log)
				}
			}
		})
	}
}
