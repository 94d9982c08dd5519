package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

// updateReadme makes TestReadmeReference rewrite the reference section of README.md instead of
// checking it: go test -run TestReadmeReference -update .
var updateReadme = flag.Bool("update", false, "rewrite the generated reference section of README.md")

const (
	referenceStart = "<!-- reference:start -->"
	referenceEnd   = "<!-- reference:end -->"
)

// refParam is one input or output of action.yml as the README reference shows it.
type refParam struct {
	Name        string
	Description string
	Default     *string // nil: no default (inputs only)
}

// refAction is what the README reference is rendered from.
type refAction struct {
	Inputs  []refParam
	Outputs []refParam
}

// parseRefAction reads the inputs and outputs of an action.yml, in document order.
func parseRefAction(data []byte) (refAction, error) {
	var doc struct {
		Inputs  yaml.Node `yaml:"inputs"`
		Outputs yaml.Node `yaml:"outputs"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return refAction{}, fmt.Errorf("parsing action.yml: %w", err)
	}
	var a refAction
	var err error
	if a.Inputs, err = refParams(&doc.Inputs, "inputs"); err != nil {
		return refAction{}, err
	}
	if a.Outputs, err = refParams(&doc.Outputs, "outputs"); err != nil {
		return refAction{}, err
	}
	return a, nil
}

// refParams decodes a mapping of name -> {description, default} in document order.
func refParams(n *yaml.Node, what string) ([]refParam, error) {
	if n.Kind == 0 {
		return nil, nil // absent
	}
	if n.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("action.yml: %s is not a mapping", what)
	}
	var ps []refParam
	for i := 0; i+1 < len(n.Content); i += 2 {
		var v struct {
			Description string  `yaml:"description"`
			Default     *string `yaml:"default"`
		}
		name := n.Content[i].Value
		if err := n.Content[i+1].Decode(&v); err != nil {
			return nil, fmt.Errorf("action.yml: %s: %q: %w", what, name, err)
		}
		ps = append(ps, refParam{Name: name, Description: v.Description, Default: v.Default})
	}
	return ps, nil
}

// mdCell escapes text for a Markdown table cell: pipes would end the cell, angle brackets would be
// read as HTML, and line breaks would end the row.
func mdCell(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.NewReplacer(`\`, `\\`, "|", `\|`, "<", "&lt;", ">", "&gt;").Replace(s)
}

// mdCode renders s as inline code in a table cell; an empty string shows as "".
func mdCode(s string) string {
	if s == "" {
		return "`\"\"`"
	}
	s = strings.ReplaceAll(s, "|", `\|`)
	if strings.Contains(s, "`") {
		return "`` " + s + " ``"
	}
	return "`" + s + "`"
}

// renderReference renders the README reference section (without its markers) for an action.
func renderReference(a refAction) string {
	var b strings.Builder
	b.WriteString("<!-- Generated from action.yml by readme_test.go; do not edit. Regenerate: go test -run TestReadmeReference -update . -->\n")
	b.WriteString("## Reference\n\n")
	b.WriteString("### Inputs\n\n")
	b.WriteString("| Name | Default | Description |\n")
	b.WriteString("| --- | --- | --- |\n")
	for _, in := range a.Inputs {
		def := ""
		if in.Default != nil {
			def = mdCode(*in.Default)
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", in.Name, def, mdCell(in.Description))
	}
	b.WriteString("\n### Outputs\n\n")
	b.WriteString("| Name | Description |\n")
	b.WriteString("| --- | --- |\n")
	for _, out := range a.Outputs {
		fmt.Fprintf(&b, "| `%s` | %s |\n", out.Name, mdCell(out.Description))
	}
	b.WriteString("\n### Example workflows\n\n")
	b.WriteString("[`examples/workflows/`](examples/workflows/): AWS Lambda zip runtime with OIDC (`aws-zip-oidc.yml`), " +
		"AWS Lambda container runtime for arm64 (`aws-container.yml`), Aliyun Function Compute zip runtime (`aliyun-zip.yml`), " +
		"one runtime per Python version (`python-matrix.yml`), " +
		"a check on the runner itself with the `local` backend and the build cache (`local.yml`). " +
		"internal/cli's TestExampleWorkflowsRun runs each one's action step through the binary (dry runs against in-process fakes of the clouds).\n")
	return b.String()
}

// errNoSection is returned by readmeSection when the README has neither marker.
var errNoSection = errors.New("no reference section")

// readmeSection returns what lies between the markers (exclusive) and its byte offsets.
func readmeSection(readme string) (body string, start, end int, err error) {
	ns, ne := strings.Count(readme, referenceStart), strings.Count(readme, referenceEnd)
	switch {
	case ns == 0 && ne == 0:
		return "", 0, 0, errNoSection
	case ns != 1 || ne != 1:
		return "", 0, 0, fmt.Errorf("README.md has %d %q and %d %q markers, want one of each", ns, referenceStart, ne, referenceEnd)
	}
	start = strings.Index(readme, referenceStart) + len(referenceStart)
	end = strings.Index(readme, referenceEnd)
	if end < start {
		return "", 0, 0, fmt.Errorf("README.md: %q comes before %q", referenceEnd, referenceStart)
	}
	return readme[start:end], start, end, nil
}

// withReference returns the README with section between the markers, appending the markers at
// the end when the README has none. Nothing outside the markers changes.
func withReference(readme, section string) (string, error) {
	body := "\n" + section
	_, start, end, err := readmeSection(readme)
	if errors.Is(err, errNoSection) {
		sep := "\n"
		if readme == "" || strings.HasSuffix(readme, "\n\n") {
			sep = ""
		} else if !strings.HasSuffix(readme, "\n") {
			sep = "\n\n"
		}
		return readme + sep + referenceStart + body + referenceEnd + "\n", nil
	}
	if err != nil {
		return "", err
	}
	return readme[:start] + body + readme[end:], nil
}

func TestReadmeReference(t *testing.T) {
	data, err := os.ReadFile("action.yml")
	if err != nil {
		t.Fatalf("reading action.yml: %v", err)
	}
	a, err := parseRefAction(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Inputs) == 0 || len(a.Outputs) == 0 {
		t.Fatalf("action.yml: %d inputs, %d outputs; want both non-empty", len(a.Inputs), len(a.Outputs))
	}
	want := renderReference(a)

	if *updateReadme {
		// Read right before writing: others edit the rest of README.md.
		readme, err := os.ReadFile("README.md")
		if err != nil {
			t.Fatalf("reading README.md: %v", err)
		}
		updated, err := withReference(string(readme), want)
		if err != nil {
			t.Fatal(err)
		}
		if updated != string(readme) {
			if err := os.WriteFile("README.md", []byte(updated), 0o644); err != nil {
				t.Fatalf("writing README.md: %v", err)
			}
			t.Logf("README.md: reference section rewritten")
		}
	}

	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatalf("reading README.md: %v", err)
	}
	got, _, _, err := readmeSection(string(readme))
	if err != nil {
		t.Fatalf("%v; run: go test -run TestReadmeReference -update .", err)
	}
	if diff := cmp.Diff("\n"+want, got); diff != "" {
		t.Errorf("README.md reference section is out of date with action.yml (-want +got):\n%s\nRun: go test -run TestReadmeReference -update .", diff)
	}
}

func TestRenderReference(t *testing.T) {
	tests := []struct {
		name       string
		action     string
		wantInputs []string // the table rows of the inputs
		wantOuts   []string // the table rows of the outputs
	}{
		{
			name: "defaults and order",
			action: `
inputs:
  zeta: {description: "Last letter.", default: "z"}
  alpha: {description: "First letter."}
  empty: {description: "Empty default.", default: ""}
outputs:
  out-b: {description: "B.", value: "${{ steps.run.outputs.out-b }}"}
  out-a: {description: "A.", value: "${{ steps.run.outputs.out-a }}"}
`,
			wantInputs: []string{
				"| `zeta` | `z` | Last letter. |",
				"| `alpha` |  | First letter. |",
				"| `empty` | `\"\"` | Empty default. |",
			},
			wantOuts: []string{"| `out-b` | B. |", "| `out-a` | A. |"},
		},
		{
			name: "escaping",
			action: `
inputs:
  base-image:
    description: |
      Default: public.ecr.aws/lambda/python:<python>.
      A | pipe.
    default: "a|b"
outputs: {}
`,
			wantInputs: []string{"| `base-image` | `a\\|b` | Default: public.ecr.aws/lambda/python:&lt;python&gt;. A \\| pipe. |"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := parseRefAction([]byte(tc.action))
			if err != nil {
				t.Fatal(err)
			}
			md := renderReference(a)
			inputs, outputs := tableRows(md, "### Inputs"), tableRows(md, "### Outputs")
			if diff := cmp.Diff(tc.wantInputs, inputs); diff != "" {
				t.Errorf("input rows (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantOuts, outputs); diff != "" {
				t.Errorf("output rows (-want +got):\n%s", diff)
			}
		})
	}
}

// tableRows returns the body rows of the first table after heading in md.
func tableRows(md, heading string) []string {
	_, rest, ok := strings.Cut(md, heading+"\n")
	if !ok {
		return nil
	}
	var rows []string
	header := 0
	for _, line := range strings.Split(rest, "\n") {
		switch {
		case strings.HasPrefix(line, "|") && header < 2:
			header++
		case strings.HasPrefix(line, "|"):
			rows = append(rows, line)
		case header > 0:
			return rows
		}
	}
	return rows
}

func TestWithReference(t *testing.T) {
	const section = "## Reference\nnew\n"
	tests := []struct {
		name    string
		readme  string
		want    string
		wantErr string
	}{
		{
			name:   "appends the markers when missing",
			readme: "# Title\n\ntext\n",
			want:   "# Title\n\ntext\n\n" + referenceStart + "\n" + section + referenceEnd + "\n",
		},
		{
			name:   "appends after a missing final newline",
			readme: "# Title",
			want:   "# Title\n\n" + referenceStart + "\n" + section + referenceEnd + "\n",
		},
		{
			name:   "replaces only between the markers",
			readme: "before\n" + referenceStart + "\nold\n" + referenceEnd + "\nafter\n",
			want:   "before\n" + referenceStart + "\n" + section + referenceEnd + "\nafter\n",
		},
		{
			name:    "two start markers",
			readme:  referenceStart + referenceStart + referenceEnd,
			wantErr: "want one of each",
		},
		{
			name:    "end before start",
			readme:  referenceEnd + "\n" + referenceStart,
			wantErr: "comes before",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := withReference(tc.readme, section)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("withReference: error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("withReference (-want +got):\n%s", diff)
			}
			// Idempotent: rendering again changes nothing.
			again, err := withReference(got, section)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(got, again); diff != "" {
				t.Errorf("second withReference (-want +got):\n%s", diff)
			}
		})
	}
}

// exampleWorkflow is the part of an example workflow TestReadmeExampleWorkflows checks.
type exampleWorkflow struct {
	Name string    `yaml:"name"`
	On   yaml.Node `yaml:"on"`
	Jobs map[string]struct {
		RunsOn any `yaml:"runs-on"`
		Steps  []struct {
			ID   string            `yaml:"id"`
			Uses string            `yaml:"uses"`
			Run  string            `yaml:"run"`
			With map[string]string `yaml:"with"`
			Env  map[string]string `yaml:"env"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

// stepOutputRef matches ${{ ... steps.<id>.outputs.<name> ... }} references.
var stepOutputRef = regexp.MustCompile(`steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)`)

// TestReadmeExampleWorkflows checks the example workflows the README points to: each parses, has
// a comment header, uses the action with declared inputs only, and reads declared outputs only.
func TestReadmeExampleWorkflows(t *testing.T) {
	data, err := os.ReadFile("action.yml")
	if err != nil {
		t.Fatalf("reading action.yml: %v", err)
	}
	a, err := parseRefAction(data)
	if err != nil {
		t.Fatal(err)
	}
	inputs, outputs := map[string]bool{}, map[string]bool{}
	for _, in := range a.Inputs {
		inputs[in.Name] = true
	}
	for _, out := range a.Outputs {
		outputs[out.Name] = true
	}
	files, err := filepath.Glob("examples/workflows/*.yml")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, filepath.Base(f))
	}
	wantFiles := []string{"aliyun-zip.yml", "aws-container.yml", "aws-zip-oidc.yml", "local.yml", "python-matrix.yml"}
	for _, w := range wantFiles {
		if !slices.Contains(names, w) {
			t.Errorf("examples/workflows/%s is missing (the README reference names it)", w)
		}
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(src, []byte("# ")) {
				t.Errorf("%s: want a comment header explaining the workflow on line 1", f)
			}
			var wf exampleWorkflow
			dec := yaml.NewDecoder(bytes.NewReader(src))
			dec.KnownFields(false)
			if err := dec.Decode(&wf); err != nil {
				t.Fatalf("parsing %s: %v", f, err)
			}
			if wf.Name == "" || wf.On.Kind == 0 || len(wf.Jobs) == 0 {
				t.Fatalf("%s: want name, on and jobs", f)
			}
			uses := 0
			for jobName, job := range wf.Jobs {
				if job.RunsOn == nil {
					t.Errorf("%s: job %s has no runs-on", f, jobName)
				}
				actionIDs := map[string]bool{}
				for i, s := range job.Steps {
					if !strings.HasPrefix(s.Uses, "lithops-runtime-action/lithops-runtime-action@") {
						continue
					}
					uses++
					if s.ID == "" {
						t.Errorf("%s: job %s step #%d uses the action without an id (its outputs cannot be read)", f, jobName, i+1)
					}
					actionIDs[s.ID] = true
					if s.With["backend"] == "" {
						t.Errorf("%s: job %s step #%d: want an explicit backend", f, jobName, i+1)
					}
					for k := range s.With {
						if !inputs[k] {
							t.Errorf("%s: job %s step #%d passes %q, which is not an input of action.yml", f, jobName, i+1, k)
						}
					}
				}
				last := job.Steps[len(job.Steps)-1]
				printed := 0
				for _, s := range job.Steps {
					text := s.Run
					for _, v := range s.Env {
						text += "\n" + v
					}
					for _, v := range s.With {
						text += "\n" + v
					}
					for _, m := range stepOutputRef.FindAllStringSubmatch(text, -1) {
						if actionIDs[m[1]] && !outputs[m[2]] {
							t.Errorf("%s: job %s reads steps.%s.outputs.%s, which is not an output of action.yml", f, jobName, m[1], m[2])
						}
					}
				}
				for _, v := range last.Env {
					if m := stepOutputRef.FindStringSubmatch(v); m != nil && actionIDs[m[1]] {
						printed++
					}
					if strings.Contains(v, "toJSON(steps.") {
						printed++
					}
				}
				if printed == 0 || last.Run == "" {
					t.Errorf("%s: job %s: want a last step that prints the action's outputs", f, jobName)
				}
			}
			if uses == 0 {
				t.Errorf("%s: no step uses lithops-runtime-action/lithops-runtime-action@...", f)
			}
		})
	}
}
