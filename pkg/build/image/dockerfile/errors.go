package dockerfile

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// BuildError is a failed Dockerfile build. Line (1-based) and Step are set when the tool's output
// names the failing step and it is found in the Dockerfile; callers can annotate Dockerfile:Line.
type BuildError struct {
	Dockerfile string // path of the Dockerfile, as given in the Spec
	Line       int    // line of the failing instruction; 0 when unknown
	Step       string // the failing instruction as the tool printed it; "" when unknown
	Tool       string // docker, buildah or podman
	Err        error  // the tool's error, with the tail of its output
}

// Error names the Dockerfile, the line and step when known, and the tool's error.
func (e *BuildError) Error() string {
	where := e.Dockerfile
	if e.Line > 0 {
		where = fmt.Sprintf("%s:%d", e.Dockerfile, e.Line)
	}
	if e.Step != "" {
		return fmt.Sprintf("building %s with %s failed at step %q: fix that step of the Dockerfile: %v", where, e.Tool, e.Step, e.Err)
	}
	return fmt.Sprintf("building %s with %s failed: %v", where, e.Tool, e.Err)
}

// Unwrap returns the tool's error.
func (e *BuildError) Unwrap() error { return e.Err }

// Location is the Dockerfile and the line of the failing step (0 when unknown), for annotations.
func (e *BuildError) Location() (file string, line int) { return e.Dockerfile, e.Line }

// buildahStep matches buildah's and podman's failing step: `error building at STEP "RUN x": ...`.
var buildahStep = regexp.MustCompile(`building at STEP "(.*?)": `)

// buildkitStep matches BuildKit's progress line of a failing step: ` > [2/3] RUN x:`.
var buildkitStep = regexp.MustCompile(`(?m)^\s*>\s*\[[^\]]*\]\s*(.+?):\s*$`)

// newBuildError makes the *BuildError of a failed build from the tool's error (whose text holds
// the tail of the tool's output).
func newBuildError(tool, dockerfile, dockerfilePath string, err error) *BuildError {
	be := &BuildError{Dockerfile: dockerfile, Tool: tool, Err: err}
	out := err.Error()
	switch tool {
	case ToolDocker:
		// BuildKit prints the Dockerfile excerpt headed by "<file name>:<line>".
		lineRE := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(filepath.Base(dockerfilePath)) + `:(\d+)\s*$`)
		if m := lineRE.FindAllStringSubmatch(out, -1); m != nil {
			be.Line, _ = strconv.Atoi(m[len(m)-1][1])
		}
		if m := buildkitStep.FindAllStringSubmatch(out, -1); m != nil {
			be.Step = m[len(m)-1][1]
		}
	default:
		if m := buildahStep.FindAllStringSubmatch(out, -1); m != nil {
			be.Step = m[len(m)-1][1]
		}
	}
	if be.Line == 0 && be.Step != "" {
		if content, rerr := os.ReadFile(dockerfilePath); rerr == nil {
			be.Line = stepLine(string(content), be.Step)
		}
	}
	return be
}

// instruction is one logical Dockerfile instruction.
type instruction struct {
	line int    // 1-based line where it starts
	text string // continuation lines joined, whitespace collapsed
}

var escapeDirective = regexp.MustCompile(`^#\s*escape\s*=\s*(\S)`)

// instructions splits a Dockerfile into its instructions, joining continuation lines and skipping
// comments and blank lines (heredoc bodies are not understood).
func instructions(content string) []instruction {
	escape := `\`
	var out []instruction
	var cur []string
	start := 0
	for i, raw := range strings.Split(content, "\n") {
		line := strings.TrimSpace(strings.TrimSuffix(raw, "\r"))
		if len(out) == 0 && cur == nil {
			if m := escapeDirective.FindStringSubmatch(line); m != nil {
				escape = m[1]
				continue
			}
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if cur == nil {
			start = i + 1
		}
		if strings.HasSuffix(line, escape) {
			cur = append(cur, strings.TrimSuffix(line, escape))
			continue
		}
		cur = append(cur, line)
		out = append(out, instruction{line: start, text: collapse(strings.Join(cur, " "))})
		cur = nil
	}
	if cur != nil {
		out = append(out, instruction{line: start, text: collapse(strings.Join(cur, " "))})
	}
	return out
}

// collapse collapses whitespace and upper-cases the instruction keyword.
func collapse(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return ""
	}
	f[0] = strings.ToUpper(f[0])
	return strings.Join(f, " ")
}

// stepLine returns the line of the first instruction of content matching step, or 0. Tools print
// exec-form instructions without JSON punctuation, so a second pass compares without it.
func stepLine(content, step string) int {
	ins := instructions(content)
	want := collapse(step)
	for _, in := range ins {
		if in.text == want {
			return in.line
		}
	}
	bare := strings.NewReplacer("[", " ", "]", " ", `"`, " ", ",", " ")
	want = collapse(bare.Replace(want))
	for _, in := range ins {
		if collapse(bare.Replace(in.text)) == want {
			return in.line
		}
	}
	return 0
}
