package run

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestRedactorReplacesSecretsAcrossWrites(t *testing.T) {
	var out bytes.Buffer
	ui := NewUI(&out, envOf(nil))
	ui.Mask("s3cr3t-value")
	ui.Mask("s3cr3t-value-longer")
	ui.Mask("ab") // too short to mask: would garble every line
	r := ui.log
	r.Write([]byte("token=s3cr3t-"))
	r.Write([]byte("value and s3cr3t-value-longer, ab\n"))
	ui.Infof("again %s", "s3cr3t-value")
	want := "token=*** and ***, ab\nagain ***\n"
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("redacted log (-want +got):\n%s", diff)
	}
}

func TestMaskInActionsRegistersFirst(t *testing.T) {
	var out bytes.Buffer
	ui := NewUI(&out, envOf(map[string]string{"GITHUB_ACTIONS": "true"}))
	ui.Mask("hunter2-secret")
	ui.Infof("password is hunter2-secret")
	want := "::add-mask::hunter2-secret\npassword is ***\n"
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("log (-want +got):\n%s", diff)
	}
}

func TestOutputsOutsideAndInsideActions(t *testing.T) {
	outs := Outputs{{"runtime-name", "rt"}, {"changed", "true"}, {"secretish", "x-hunter2-secret-x"}}

	var stdout, log bytes.Buffer
	ui := NewUI(&log, envOf(nil))
	ui.Mask("hunter2-secret")
	ui.Outputs(&stdout, outs)
	if diff := cmp.Diff("runtime-name=rt\nchanged=true\nsecretish=x-***-x\n", stdout.String()); diff != "" {
		t.Errorf("stdout outside Actions (-want +got):\n%s", diff)
	}

	dir := t.TempDir()
	file := filepath.Join(dir, "out")
	os.WriteFile(file, nil, 0o644)
	stdout.Reset()
	ui = NewUI(&log, envOf(map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": file}))
	ui.Outputs(&stdout, outs)
	if stdout.Len() != 0 {
		t.Errorf("name=value printed in Actions: %q", stdout.String())
	}
	data, _ := os.ReadFile(file)
	for _, w := range []string{"runtime-name<<", "\nrt\n", "changed<<"} {
		if !strings.Contains(string(data), w) {
			t.Errorf("$GITHUB_OUTPUT lacks %q:\n%s", w, data)
		}
	}
}

func TestErrorAnnotations(t *testing.T) {
	var log bytes.Buffer
	ui := NewUI(&log, envOf(map[string]string{"GITHUB_ACTIONS": "true"}))
	ui.Errorf("Input memory", "memory=%q: bad\nsecond line", "12x")
	want := "::error title=Input memory::memory=\"12x\": bad%0Asecond line\n"
	if diff := cmp.Diff(want, log.String()); diff != "" {
		t.Errorf("annotation (-want +got):\n%s", diff)
	}
	log.Reset()
	ui = NewUI(&log, envOf(nil))
	ui.Errorf("Input memory", "memory: bad")
	if diff := cmp.Diff("error: memory: bad\n", log.String()); diff != "" {
		t.Errorf("plain error (-want +got):\n%s", diff)
	}
}

func TestSummaryOnlyWhenFileSet(t *testing.T) {
	var log bytes.Buffer
	if ok, _ := NewUI(&log, envOf(nil)).Summary("# x"); ok {
		t.Error("wrote a summary without GITHUB_STEP_SUMMARY")
	}
	file := filepath.Join(t.TempDir(), "summary")
	ui := NewUI(&log, envOf(map[string]string{"GITHUB_STEP_SUMMARY": file}))
	ui.Mask("hunter2-secret")
	if ok, err := ui.Summary("# title hunter2-secret"); !ok || err != nil {
		t.Fatal("no summary written")
	}
	data, _ := os.ReadFile(file)
	if diff := cmp.Diff("# title ***\n", string(data)); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
}
