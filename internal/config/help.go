package config

import (
	"fmt"
	"io"
	"strings"
)

// helpGroups sorts the inputs for --help: what to build, where to deploy, checks, output. An
// input not listed here (a new one) is shown under "Other inputs", so that the table in inputs.go
// stays the one place an input is declared.
var helpGroups = []struct {
	title  string
	inputs []string
}{
	{"What to build", []string{"requirements", "dockerfile", "context", "build-args", "package-type", "python-version", "lithops-version", "architecture", "base-image", "builder", "reproducible", "build-cache", "installer", "runtime-name"}},
	{"Where to deploy", []string{"backend", "memory", "timeout", "region", "role", "storage-bucket", "namespace", "user-id", "account-id", "access-key-id", "fc-service", "registry", "fc-endpoint", "oss-endpoint", "local-dir", "lithops-config"}},
	{"Checks", []string{"dry-run", "smoke-test", "local-test", "allow-unverified-lithops"}},
	{"Output", []string{"write-metadata"}},
}

// placeholders name the kind of value a flag takes in --help.
var placeholders = map[string]string{
	"requirements": "FILE", "dockerfile": "FILE", "context": "DIR", "build-args": "KEY=VALUE", "lithops-config": "FILE", "local-dir": "DIR",
	"memory": "MB[,MB...]", "timeout": "SECONDS", "python-version": "X.Y", "lithops-version": "X.Y.Z",
	"role": "ARN", "registry": "REPOSITORY", "base-image": "IMAGE", "fc-endpoint": "URL", "oss-endpoint": "URL",
	"runtime-name": "NAME", "backend": "NAME", "region": "REGION", "storage-bucket": "BUCKET",
	"access-key-id": "KEY_ID", "fc-service": "SERVICE",
}

func placeholder(name string) string {
	if p, ok := placeholders[name]; ok {
		return p
	}
	return "VALUE"
}

// helpExamples are the three command lines --help ends with.
var helpExamples = []struct{ what, cmd string }{
	{"Build a zip runtime and run it on this machine (no cloud, no credentials):",
		"lithops-runtime --backend local --requirements requirements.txt"},
	{"Plan an AWS Lambda deploy: build, check the limits, change nothing in the cloud:",
		"lithops-runtime --backend aws_lambda --region us-east-1 --requirements requirements.txt --dry-run"},
	{"Deploy a container runtime to AWS Lambda with two memory sizes:",
		"lithops-runtime --backend aws_lambda --dockerfile Dockerfile --runtime-name my-runtime:1 \\\n      --memory 1024,2048 --role arn:aws:iam::123456789012:role/lithops-execution"},
}

// Help writes the --help text: usage, the inputs by group with their defaults, the outputs and
// three examples.
func Help(w io.Writer) {
	var b strings.Builder
	b.WriteString(`lithops-runtime builds a Lithops runtime, deploys it (AWS Lambda, Aliyun Function Compute, or
this machine with the local backend), smoke-tests it and prints its outputs.

Usage:
  lithops-runtime [--input value]...
  lithops-runtime --help | --version

Every input is a flag; each may also come from INPUT_<NAME> (GitHub Actions) or a Lithops config
file (--lithops-config, LITHOPS_CONFIG_FILE, ./.lithops_config). A flag wins over both.
Switches are written --dry-run, --dry-run=true or --dry-run=false.
`)
	byName := map[string]Input{}
	for _, in := range Inputs {
		byName[in.Name] = in
	}
	shown := map[string]bool{}
	section := func(title string, ins []Input) {
		if len(ins) == 0 {
			return
		}
		fmt.Fprintf(&b, "\n%s:\n", title)
		for _, in := range ins {
			shown[in.Name] = true
			line := "  --" + in.Name
			if !isSwitch(in) {
				line += " " + placeholder(in.Name)
			}
			if in.Default != "" {
				line += fmt.Sprintf("  (default %s)", in.Default)
			}
			b.WriteString(line + "\n")
			wrap(&b, in.Description, "      ", 100)
		}
	}
	for _, g := range helpGroups {
		var ins []Input
		for _, n := range g.inputs {
			if in, ok := byName[n]; ok {
				ins = append(ins, in)
			}
		}
		section(g.title, ins)
	}
	var other []Input
	for _, in := range Inputs {
		if !shown[in.Name] {
			other = append(other, in)
		}
	}
	section("Other inputs", other)

	b.WriteString("\nOutputs (name=value lines on stdout; $GITHUB_OUTPUT in GitHub Actions):\n")
	width := 0
	for _, out := range Outputs {
		width = max(width, len(out.Name))
	}
	for _, out := range Outputs {
		fmt.Fprintf(&b, "  %-*s  %s\n", width, out.Name, out.Description)
	}
	b.WriteString("\nExamples:\n")
	for i, ex := range helpExamples {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "  # %s\n  %s\n", ex.what, ex.cmd)
	}
	b.WriteString("\nExit status: 0 success, 1 a failed run or invalid inputs, 2 a command line that cannot be parsed.\n")
	io.WriteString(w, b.String())
}

// wrap writes text as lines of at most width columns, each starting with indent.
func wrap(b *strings.Builder, text, indent string, width int) {
	line := indent
	for _, word := range strings.Fields(text) {
		if len(line) > len(indent) && len(line)+1+len(word) > width {
			b.WriteString(line + "\n")
			line = indent
		}
		if len(line) > len(indent) {
			line += " "
		}
		line += word
	}
	if len(line) > len(indent) {
		b.WriteString(line + "\n")
	}
}
