package pip

import (
	"context"
	"fmt"
	"regexp"
	"strings"
)

// NotFoundError is a requirement whose name the index does not know (a typo, or a private
// package and the public index).
type NotFoundError struct {
	// Tool is "pip" or "uv"; Package the requirement as the tool names it.
	Tool, Package string
	File          string
	Line          int
	Output        string
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("no version of %s on the index: check the name (and, for a private package, PIP_INDEX_URL / PIP_EXTRA_INDEX_URL). %s said:\n%s",
		e.Package, e.Tool, e.Output)
}

// Location is the requirements file and line of the package ("" when unknown).
func (e *NotFoundError) Location() (string, int) { return e.File, e.Line }

// IndexUnreachableError is an index that could not be reached at all.
type IndexUnreachableError struct {
	Tool string
	// Reason is the tool's connection error, in one line (pip's retry warnings collapsed).
	Reason string
	File   string
	Line   int
	Output string
}

func (e *IndexUnreachableError) Error() string {
	return fmt.Sprintf("the index could not be reached: check PIP_INDEX_URL / PIP_EXTRA_INDEX_URL and the network (%s: %s)", e.Tool, e.Reason)
}

// Location is the requirements file and line the tool was resolving ("" when unknown).
func (e *IndexUnreachableError) Location() (string, int) { return e.File, e.Line }

// ConflictError is a set of requirements no versions satisfy together.
type ConflictError struct {
	Tool string
	// Requirements are the conflicting requirements the tool names; FromLithops those of them that
	// are Lithops' own runtime dependencies (the tool adds them to every zip runtime).
	Requirements []string
	FromLithops  []string
	// Causes are the tool's explanation lines.
	Causes []string
	File   string
	Line   int
}

func (e *ConflictError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "the requirements conflict: %s cannot all be installed together", strings.Join(e.Requirements, " and "))
	if len(e.FromLithops) > 0 {
		fmt.Fprintf(&b, "; %s comes from Lithops' own runtime dependencies (the runtime needs it: loosen or change your requirement instead)", strings.Join(e.FromLithops, ", "))
	}
	fmt.Fprintf(&b, ". %s said:\n%s", e.Tool, strings.Join(e.Causes, "\n"))
	return b.String()
}

// Location is the requirements file and line of the user's side of the conflict.
func (e *ConflictError) Location() (string, int) { return e.File, e.Line }

var (
	pipCannotInstall = regexp.MustCompile(`^ERROR: Cannot install (.+) because these package versions have conflicting dependencies`)
	pipRetry         = regexp.MustCompile(`Retrying \(Retry\(.*after connection broken by '(.*)': (\S+)`)
	uvNotFound       = regexp.MustCompile(`Because ([A-Za-z0-9._\-\[\]]+) was not found in the package registry`)
	uvNoWheel        = regexp.MustCompile(`(?:of |Because |and )([A-Za-z0-9._\-]+)(?:[<>=!~]=?[^ ]*)? (?:has|have) no (?:usable )?wheels`)
	uvRequire        = regexp.MustCompile(`you require ([^,]+?) and ([^,]+?), we can conclude`)
)

// classify turns a failed pip or uv run into the error that says what went wrong: an unknown
// name, an unreachable index, no wheel for the platform, a conflict, or else the output's tail.
func (i *Installer) classify(ctx context.Context, tool string, lines []string, runErr error, req InstallRequest) error {
	file, line := requirementLine(lines, req.RequirementFiles)
	locate := func(pkg string) {
		if f, l := findRequirement(req.RequirementFiles, pkg); f != "" {
			file, line = f, l
		}
	}
	tail := func(n int) string {
		if len(lines) > n {
			return strings.Join(collapseRetries(lines[len(lines)-n:]), "\n")
		}
		return strings.Join(collapseRetries(lines), "\n")
	}
	if reason := unreachable(lines); reason != "" {
		return &IndexUnreachableError{Tool: tool, Reason: reason, File: file, Line: line, Output: tail(15)}
	}
	all := strings.Join(lines, "\n")
	if tool == "uv" {
		if m := uvNotFound.FindStringSubmatch(all); m != nil {
			locate(m[1])
			return &NotFoundError{Tool: tool, Package: m[1], File: file, Line: line, Output: tail(15)}
		}
		if m := uvRequire.FindStringSubmatch(all); m != nil {
			return i.conflict(tool, []string{m[1], m[2]}, lines, req)
		}
		if m := uvNoWheel.FindStringSubmatch(all); m != nil {
			locate(m[1])
			versions, _ := i.lookup(ctx, m[1])
			return &NoWheelError{Tool: tool, Package: m[1], Platform: req.Platform, Output: tail(15), File: file, Line: line, Versions: versions}
		}
		if strings.Contains(all, "unsatisfiable") {
			return i.conflict(tool, nil, lines, req)
		}
		return &InstallError{Tool: tool, Err: runErr, Output: tail(20), File: file, Line: line}
	}
	for _, l := range lines {
		if m := pipCannotInstall.FindStringSubmatch(l); m != nil {
			return i.conflict(tool, splitAnd(m[1]), lines, req)
		}
	}
	if pkg := noDistribution(lines); pkg != "" {
		locate(pkg)
		versions, known := i.lookup(ctx, pkg)
		if !known {
			return &NotFoundError{Tool: tool, Package: pkg, File: file, Line: line, Output: tail(15)}
		}
		return &NoWheelError{Tool: tool, Package: pkg, Platform: req.Platform, Output: tail(15), File: file, Line: line, Versions: versions}
	}
	return &InstallError{Tool: tool, Err: runErr, Output: tail(20), File: file, Line: line}
}

// conflict builds a ConflictError from the requirements the tool names (or, when it names none,
// from pip's "The user requested" lines).
func (i *Installer) conflict(tool string, reqs []string, lines []string, req InstallRequest) error {
	e := &ConflictError{Tool: tool}
	in := false
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l, "The conflict is caused by"):
			in = true
		case in && strings.HasPrefix(l, "    "):
			e.Causes = append(e.Causes, strings.TrimSpace(l))
		case in:
			in = false
		}
		if tool == "uv" && strings.Contains(l, "Because") {
			e.Causes = append(e.Causes, strings.TrimSpace(l))
		}
	}
	if len(e.Causes) == 0 {
		e.Causes = collapseRetries(lines)
	}
	lithops := map[string]bool{}
	for _, r := range req.Requirements {
		lithops[strings.ReplaceAll(r, " ", "")] = true
	}
	for _, r := range reqs {
		r = strings.TrimSpace(r)
		if m := fromRequirementsLine.FindStringSubmatch(r); m != nil {
			// pip names a file's requirement by its line: show the line's text.
			e.Requirements = append(e.Requirements, r)
			var n int
			fmt.Sscan(m[2], &n)
			e.File, e.Line = m[1], n
			continue
		}
		e.Requirements = append(e.Requirements, r)
		if lithops[strings.ReplaceAll(r, " ", "")] {
			e.FromLithops = append(e.FromLithops, r)
		} else if e.File == "" {
			if f, l := findRequirement(req.RequirementFiles, r); f != "" {
				e.File, e.Line = f, l
			}
		}
	}
	if e.File == "" {
		// Both sides share the name: the user's side is the file's line naming it.
		for _, r := range reqs {
			if f, l := findRequirement(req.RequirementFiles, r); f != "" {
				e.File, e.Line = f, l
				break
			}
		}
	}
	return e
}

// splitAnd splits pip's "A and B" / "A, B and C".
func splitAnd(s string) []string {
	var out []string
	for _, part := range strings.Split(s, " and ") {
		for _, p := range strings.Split(part, ", ") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// unreachable returns the connection failure the lines report ("" when none): pip's retry
// warnings or its "Could not fetch URL", uv's request errors.
func unreachable(lines []string) string {
	for _, l := range lines {
		if m := pipRetry.FindStringSubmatch(l); m != nil {
			return collapseRetries(lines)[0]
		}
		if strings.Contains(l, "Could not fetch URL") {
			return strings.TrimSpace(l)
		}
		for _, s := range []string{"error sending request", "Failed to fetch:", "dns error", "Connection refused", "tcp connect error"} {
			if strings.Contains(l, s) && !strings.HasPrefix(l, "WARNING: Retrying") {
				return strings.TrimSpace(l)
			}
		}
	}
	return ""
}

// collapseRetries replaces pip's retry warnings (one per attempt) by one line naming how many
// there were, the last reason and the URLs.
func collapseRetries(lines []string) []string {
	var out []string
	n, reason := 0, ""
	var urls []string
	seen := map[string]bool{}
	at := -1
	for _, l := range lines {
		m := pipRetry.FindStringSubmatch(l)
		if m == nil {
			out = append(out, l)
			continue
		}
		if at < 0 {
			at = len(out)
			out = append(out, "")
		}
		n++
		reason = m[1]
		if !seen[m[2]] {
			seen[m[2]] = true
			urls = append(urls, m[2])
		}
	}
	if at >= 0 {
		out[at] = fmt.Sprintf("pip retried %d times: %s (%s)", n, shortReason(reason), strings.Join(urls, ", "))
	}
	return out
}

// shortReason keeps the end of a urllib3 connection error: "[Errno 111] Connection refused".
func shortReason(r string) string {
	if i := strings.LastIndex(r, ": "); i >= 0 {
		r = r[i+2:]
	}
	return strings.TrimRight(r, "')\"")
}

// lookup asks the index about pkg: known is false when no index knows the name; summary says
// what its newest version offers. When the index cannot be read, known is true (pip's or uv's
// explanation stands).
func (i *Installer) lookup(ctx context.Context, pkg string) (summary string, known bool) {
	name := pkg
	if k := strings.IndexAny(name, "<>=!~;[ "); k > 0 {
		name = name[:k]
	}
	files, known, err := i.index.files(ctx, name)
	if err != nil {
		return "", true
	}
	return latestSummary(files), known
}
