package run

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// parseOutputFile reads an environment file as the runner does: name<<delimiter blocks, and
// name=value lines.
func parseOutputFile(t *testing.T, data string) map[string]string {
	t.Helper()
	out := map[string]string{}
	lines := strings.Split(strings.TrimSuffix(data, "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		if name, delim, ok := strings.Cut(lines[i], "<<"); ok {
			var val []string
			for i++; i < len(lines) && lines[i] != delim; i++ {
				val = append(val, lines[i])
			}
			out[name] = strings.Join(val, "\n")
		} else if name, v, ok := strings.Cut(lines[i], "="); ok {
			out[name] = v
		}
	}
	return out
}

// TestOutputsCannotForgeAnotherOutput writes a value that embeds a newline, the fixed delimiter
// go-githubactions uses, and a forged output: read back as the runner reads the file, it is one
// value of one output, and every block has its own delimiter.
func TestOutputsCannotForgeAnotherOutput(t *testing.T) {
	evil := "x\n_GitHubActionsFileCommandDelimeter_\nfunction-arn=forged\nimage-uri<<EOF\nforged\nEOF"
	outs := Outputs{{"runtime-name", evil}, {"function-arn", "arn:aws:lambda:us-east-1:123456789012:function:f"}, {"changed", "true"}}
	file := filepath.Join(t.TempDir(), "out")
	ui := NewUI(&bytes.Buffer{}, envOf(map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": file}))
	if err := ui.Outputs(&bytes.Buffer{}, outs); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(file)
	want := map[string]string{"runtime-name": evil, "function-arn": outs[1].Value, "changed": "true"}
	if diff := cmp.Diff(want, parseOutputFile(t, string(data))); diff != "" {
		t.Errorf("outputs as the runner reads them (-want +got):\n%s\n%s", diff, data)
	}
	delims := map[string]bool{}
	for _, line := range strings.Split(string(data), "\n") {
		if _, d, ok := strings.Cut(line, "<<ghadelimiter_"); ok && !strings.Contains(line, "\n") {
			delims[d] = true
		}
	}
	if len(delims) != len(outs) {
		t.Errorf("%d distinct delimiters for %d outputs:\n%s", len(delims), len(outs), data)
	}
}

// TestOutputsToUnwritableFileFail returns an error (never a panic) when $GITHUB_OUTPUT or
// $GITHUB_STEP_SUMMARY cannot be written.
func TestOutputsToUnwritableFileFail(t *testing.T) {
	dir := t.TempDir()
	for _, path := range []string{dir, filepath.Join(dir, "missing", "file")} {
		env := envOf(map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": path, "GITHUB_STEP_SUMMARY": path})
		if err := CheckFiles(env); err == nil || !strings.Contains(err.Error(), "GITHUB_OUTPUT="+path+" cannot be written") || !strings.Contains(err.Error(), "GITHUB_STEP_SUMMARY=") {
			t.Errorf("CheckFiles(%s) = %v", path, err)
		}
		ui := NewUI(&bytes.Buffer{}, env)
		if err := ui.Outputs(&bytes.Buffer{}, Outputs{{"changed", "true"}}); err == nil {
			t.Errorf("Outputs to %s: no error", path)
		}
		if _, err := ui.Summary("# x"); err == nil {
			t.Errorf("Summary to %s: no error", path)
		}
	}
}
