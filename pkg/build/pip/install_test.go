package pip

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// recorder is a Runner that records argv and plays a scripted pip.
type recorder struct {
	calls [][]string
	play  func(args []string, stdout io.Writer) error
}

func (r *recorder) Run(ctx context.Context, name string, args []string, stdout, stderr io.Writer) error {
	r.calls = append(r.calls, append([]string{name}, args...))
	if r.play != nil {
		return r.play(args, stdout)
	}
	return nil
}

func argAfter(args []string, flag string) string {
	for i, a := range args {
		if a == flag && i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}

func TestInstallRequirementsArgv(t *testing.T) {
	target := t.TempDir()
	rec := &recorder{play: func(args []string, _ io.Writer) error {
		// pip writes its report and installs one distribution.
		report := `{"version": "1", "install": [
			{"requested": true, "metadata": {"name": "acme-text-utils", "version": "1.2.0"}},
			{"requested": false, "metadata": {"name": "acme_core", "version": "1.0.0"}}]}`
		if err := os.WriteFile(argAfter(args, "--report"), []byte(report), 0o644); err != nil {
			return err
		}
		for dir, files := range map[string]map[string]string{
			"acme_text_utils-1.2.0.dist-info": {"top_level.txt": "acmetext\n", "RECORD": "acmetext/__init__.py,,\n"},
			"acme_core-1.0.0.dist-info":       {"RECORD": "acme_core/__init__.py,sha256=x,1\nacme_core-1.0.0.dist-info/RECORD,,\nbin/acme,,\nacme_helpers.py,,\n"},
		} {
			os.MkdirAll(filepath.Join(target, dir), 0o755)
			for name, content := range files {
				os.WriteFile(filepath.Join(target, dir, name), []byte(content), 0o644)
			}
		}
		return nil
	}}
	inst := NewInstaller(WithRunner(rec), WithPython("/usr/bin/python3"))
	p := Platform{"3.12", "x86_64", 2, 17}
	rep, err := inst.InstallRequirements(context.Background(), InstallRequest{
		RequirementFiles: []string{"requirements.txt"}, Requirements: []string{"urllib3<2"}, Target: target, Platform: p,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"/usr/bin/python3", "-m", "pip", "install", "--target", target,
		"--implementation", "cp", "--python-version", "3.12", "--only-binary=:all:"}
	for _, tag := range p.Tags() {
		want = append(want, "--platform", tag)
	}
	want = append(want, "--no-compile", "--disable-pip-version-check", "--no-input", "--no-warn-script-location",
		"--report", argAfter(rec.calls[0], "--report"), "-r", "requirements.txt", "urllib3<2")
	if d := cmp.Diff(want, rec.calls[0]); d != "" {
		t.Errorf("argv (-want +got)\n%s", d)
	}
	for _, a := range rec.calls[0] {
		if strings.Contains(a, "index") || strings.Contains(a, "find-links") {
			t.Errorf("pip got an index option of ours: %s", a)
		}
	}
	wantRep := &Report{Distributions: []Distribution{
		{Name: "acme-text-utils", Version: "1.2.0", Requested: true, TopLevel: []string{"acmetext"}},
		{Name: "acme_core", Version: "1.0.0", TopLevel: []string{"acme_core", "acme_helpers"}},
	}}
	if d := cmp.Diff(wantRep, rep); d != "" {
		t.Errorf("report (-want +got)\n%s", d)
	}
}

func TestNoWheelError(t *testing.T) {
	rec := &recorder{play: func(args []string, out io.Writer) error {
		fmt.Fprintln(out, "ERROR: Could not find a version that satisfies the requirement fastnative==2.0 (from versions: none)")
		fmt.Fprintln(out, "ERROR: No matching distribution found for fastnative==2.0")
		return errors.New("exit status 1")
	}}
	// The index has the name, with a wheel for another platform and a source archive only.
	links := t.TempDir()
	for _, f := range []string{"fastnative-2.0-cp313-cp313-macosx_11_0_arm64.whl", "fastnative-2.0.tar.gz"} {
		if err := os.WriteFile(filepath.Join(links, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	inst := NewInstaller(WithRunner(rec), WithIndex(Index{NoIndex: true, FindLinks: []string{links}}))
	_, err := inst.InstallRequirements(context.Background(), InstallRequest{Requirements: []string{"fastnative==2.0"}, Target: t.TempDir(), Platform: Platform{Python: "3.12", Arch: "x86_64"}})
	var nw *NoWheelError
	if !errors.As(err, &nw) {
		t.Fatalf("got %v, want a NoWheelError", err)
	}
	for _, want := range []string{"fastnative==2.0", "Python 3.12", "x86_64", "manylinux_2_17_x86_64", "pip wheel --no-deps fastnative -w wheels/", "PIP_FIND_LINKS", "dockerfile",
		"The newest version on the index offers 2.0: wheels for macosx_11_0_arm64 (cp313); source only (.tar.gz)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%s", want, err)
		}
	}
}

func TestOtherPipFailureShowsTail(t *testing.T) {
	rec := &recorder{play: func(args []string, out io.Writer) error {
		for i := 0; i < 40; i++ {
			fmt.Fprintf(out, "line %d\n", i)
		}
		fmt.Fprint(out, "ERROR: Invalid requirement: 'foo=='") // no trailing newline
		return errors.New("exit status 1")
	}}
	_, err := NewInstaller(WithRunner(rec)).InstallRequirements(context.Background(), InstallRequest{Requirements: []string{"foo=="}, Target: t.TempDir(), Platform: Platform{Python: "3.12", Arch: "x86_64"}})
	if err == nil || !strings.Contains(err.Error(), "Invalid requirement: 'foo=='") || strings.Contains(err.Error(), "line 5\n") {
		t.Fatalf("got %v", err)
	}
}

func TestInstallLithopsArgvAndEntryPoint(t *testing.T) {
	target := t.TempDir()
	ep := "lithops/serverless/backends/aws_lambda/entry_point.py"
	rec := &recorder{play: func(args []string, _ io.Writer) error {
		p := filepath.Join(target, ep)
		os.MkdirAll(filepath.Dir(p), 0o755)
		return os.WriteFile(p, []byte("def lambda_handler(e, c): pass\n"), 0o644)
	}}
	err := NewInstaller(WithRunner(rec)).InstallLithops(context.Background(), "3.7.1.dev0", target, Platform{Python: "3.12", Arch: "x86_64"}, ep)
	if err != nil {
		t.Fatal(err)
	}
	args := rec.calls[0]
	if args[len(args)-1] != "lithops==3.7.1.dev0" || args[len(args)-2] != "--no-deps" {
		t.Errorf("argv tail %v", args[len(args)-2:])
	}
	got, _ := os.ReadFile(filepath.Join(target, "entry_point.py"))
	if string(got) != "def lambda_handler(e, c): pass\n" {
		t.Errorf("entry_point.py = %q", got)
	}
	err = NewInstaller(WithRunner(&recorder{})).InstallLithops(context.Background(), "3.7.0", t.TempDir(), Platform{Python: "3.12", Arch: "x86_64"}, ep)
	if err == nil || !strings.Contains(err.Error(), ep) {
		t.Errorf("missing entry point: %v", err)
	}
}

func TestRecordTopLevel(t *testing.T) {
	got := recordTopLevel([]string{
		"six.py,sha256=a,1",
		"__pycache__/six.cpython-312.pyc,,",
		"ps_mem.py,,",
		"yaml/__init__.py,,",
		"_yaml.cpython-312-x86_64-linux-gnu.so,,",
		"PyYAML-6.0.dist-info/RECORD,,",
		"foo-1.0.data/scripts/x,,",
		"../../bin/tool,,",
		"bin/tool,,",
		"not-a-module/x.txt,,",
	})
	if d := cmp.Diff([]string{"_yaml", "ps_mem", "six", "yaml"}, got); d != "" {
		t.Errorf("(-want +got)\n%s", d)
	}
}
