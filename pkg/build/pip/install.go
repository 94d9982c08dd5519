package pip

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/proc"
)

// Runner runs a command; the default executes it with the process's
// environment (so pip sees PIP_* settings unchanged).
type Runner interface {
	Run(ctx context.Context, name string, args []string, stdout, stderr io.Writer) error
}

// execRunner runs commands with the process's environment plus env (later entries win).
type execRunner struct{ env []string }

func (r execRunner) Run(ctx context.Context, name string, args []string, stdout, stderr io.Writer) error {
	// Its own process group: an interrupt stops pip and all it started (a pyenv shim's python,
	// build backends), not just the direct child.
	cmd := proc.Command(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if len(r.env) > 0 {
		cmd.Env = append(os.Environ(), r.env...)
	}
	return proc.Run(ctx, cmd)
}

// Installer runs pip installs for target platforms.
type Installer struct {
	python string
	runner Runner
	logger *slog.Logger

	// unpack and jobs configure the wheel installer (WithWheelInstaller); resolved memoizes Resolve.
	unpack   bool
	jobs     int
	mu       sync.Mutex
	resolved map[string]*Resolution
	// wheelCache is WithWheelCache's directory ("": pip download).
	wheelCache string
	// uv is WithUV's executable ("": pip resolves).
	uv string
	// sdistDir is WithSourceBuilds' directory ("": no source builds).
	sdistDir string
	// index is WithIndex's settings.
	index Index
}

// Option configures an Installer.
type Option func(*Installer)

// WithPython sets the interpreter that runs pip (default "python3"). Its
// version need not match the target's.
func WithPython(path string) Option { return func(i *Installer) { i.python = path } }

// WithRunner replaces command execution (default: os/exec).
func WithRunner(r Runner) Option { return func(i *Installer) { i.runner = r } }

// WithEnv sets variables (NAME=value) for pip on top of the process's environment, e.g. the
// PIP_* settings of a program whose environment is not the process's (default: none). It applies
// to the default runner only.
func WithEnv(env ...string) Option {
	return func(i *Installer) {
		if r, ok := i.runner.(execRunner); ok {
			r.env = append(append([]string(nil), r.env...), env...)
			i.runner = r
		}
	}
}

// WithLogger receives pip's output lines at debug level and a summary at
// info level (default: discarded).
func WithLogger(l *slog.Logger) Option { return func(i *Installer) { i.logger = l } }

// NewInstaller returns an Installer.
func NewInstaller(opts ...Option) *Installer {
	i := &Installer{python: "python3", runner: execRunner{}, logger: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(i)
	}
	return i
}

// InstallRequest is one dependency install.
type InstallRequest struct {
	// RequirementFiles are passed as -r FILE.
	RequirementFiles []string
	// Requirements are extra requirement specifiers (e.g. Lithops' default list).
	Requirements []string
	// Target is the directory the distributions are installed into.
	Target string
	// Platform is the runtime the wheels must load on.
	Platform Platform
	// NoDeps resolves or installs the requirements alone, without their dependencies (Resolve).
	NoDeps bool
}

// Report lists what an install put into the target.
type Report struct {
	Distributions []Distribution
}

// Distribution is one installed distribution.
type Distribution struct {
	Name    string
	Version string
	// Requested is true for distributions named by the request (not pulled in as dependencies).
	Requested bool
	// TopLevel are the import names the distribution provides.
	TopLevel []string
}

// InstallRequirements installs the requirements for req.Platform into req.Target.
func (i *Installer) InstallRequirements(ctx context.Context, req InstallRequest) (*Report, error) {
	if len(req.RequirementFiles) == 0 && len(req.Requirements) == 0 {
		return &Report{}, nil
	}
	if err := os.MkdirAll(req.Target, 0o755); err != nil {
		return nil, fmt.Errorf("creating %s: %w", req.Target, err)
	}
	orig := req
	req, lock, err := lockedRequest(req)
	if err != nil {
		return nil, err
	}
	rep, err := i.install(ctx, req)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, d := range rep.Distributions {
		names = append(names, d.Name)
	}
	if err := checkCovered(orig.RequirementFiles, orig.Requirements, lock, names); err != nil {
		return nil, err
	}
	return rep, nil
}

// install is InstallRequirements after the request is adapted to a lock.
func (i *Installer) install(ctx context.Context, req InstallRequest) (*Report, error) {
	if i.unpack {
		rep, err := i.installWheels(ctx, req)
		if !errors.Is(err, errFallback) {
			return rep, err
		}
	}
	reportFile, err := os.CreateTemp("", "pip-report-*.json")
	if err != nil {
		return nil, fmt.Errorf("creating pip's report file: %w", err)
	}
	reportPath := reportFile.Name()
	reportFile.Close()
	defer os.Remove(reportPath)

	args := i.baseArgs(req.Target, req.Platform)
	args = append(args, "--report", reportPath)
	for _, f := range req.RequirementFiles {
		args = append(args, "-r", f)
	}
	args = append(args, req.Requirements...)
	if err := i.run(ctx, args, req); err != nil {
		return nil, err
	}
	if err := RemoveLeftOut(req.Target); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(reportPath)
	if err != nil {
		return nil, fmt.Errorf("reading pip's install report: %w", err)
	}
	rep, err := parseReport(data)
	if err != nil {
		return nil, err
	}
	for k := range rep.Distributions {
		d := &rep.Distributions[k]
		if d.TopLevel, err = TopLevel(req.Target, d.Name, d.Version); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

// InstallLithops installs lithops==version without its dependencies into
// target and copies the backend's entry point (entryPoint, a path inside
// the installed package tree such as
// "lithops/serverless/backends/aws_lambda/entry_point.py") to
// target/entry_point.py.
func (i *Installer) InstallLithops(ctx context.Context, version, target string, platform Platform, entryPoint string) error {
	if err := os.MkdirAll(target, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", target, err)
	}
	if err := i.installLithops(ctx, version, target, platform); err != nil {
		return err
	}
	src := filepath.Join(target, filepath.FromSlash(entryPoint))
	data, err := os.ReadFile(src)
	if err != nil {
		return fmt.Errorf("the installed lithops %s has no %s (%v): this lithops release does not support the backend", version, entryPoint, err)
	}
	if err := os.WriteFile(filepath.Join(target, "entry_point.py"), data, 0o644); err != nil {
		return fmt.Errorf("writing entry_point.py: %w", err)
	}
	return nil
}

// installLithops installs lithops==version without dependencies: with the wheel installer (the
// resolver, uv or pip, finds the wheel; it is unpacked like the dependencies), else, or for a
// release without a usable wheel, with pip. What LeftOut names (the lithops command's launcher)
// is left out either way.
func (i *Installer) installLithops(ctx context.Context, version, target string, platform Platform) error {
	req := InstallRequest{Requirements: []string{"lithops==" + version}, NoDeps: true, Platform: platform, Target: target}
	if i.unpack {
		_, err := i.installWheels(ctx, req)
		if !errors.Is(err, errFallback) {
			return err
		}
	}
	args := append(i.baseArgs(target, platform), "--no-deps", "lithops=="+version)
	if err := i.run(ctx, args, req); err != nil {
		return err
	}
	return RemoveLeftOut(target)
}

func (i *Installer) baseArgs(target string, p Platform) []string {
	args := []string{"-m", "pip", "install", "--target", target}
	args = append(args, p.pipArgs()...)
	args = append(args, i.sourceLinks()...)
	return append(args, "--no-compile", "--disable-pip-version-check", "--no-input", "--no-warn-script-location")
}

// run executes pip for req (its platform, files and requirements name what a failure is about),
// logging its lines and keeping them for errors.
func (i *Installer) run(ctx context.Context, args []string, req InstallRequest) error {
	return i.runTool(ctx, "pip", i.python, args, req, "running pip with "+i.python, "install Python 3 with pip (e.g. actions/setup-python)")
}

// runTool runs pip or uv (tool) as exe, logging its lines; a missing executable is reported as
// what (its operation) with fix, any other failure classified from the output (see ResolveError).
func (i *Installer) runTool(ctx context.Context, tool, exe string, args []string, req InstallRequest, what, fix string) error {
	i.logger.Debug("running "+tool, "command", exe+" "+strings.Join(args, " "))
	out := &lineLog{logger: i.logger}
	err := i.runner.Run(ctx, exe, args, out, out)
	out.flush()
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var execErr *exec.Error
	if errors.As(err, &execErr) {
		return fmt.Errorf("%s: %w: %s", what, err, fix)
	}
	return i.classify(ctx, tool, out.all(), err, req)
}

// InstallError is a failed pip install other than a missing wheel.
type InstallError struct {
	// Tool is "pip" or "uv" ("" means pip).
	Tool   string
	Err    error
	Output string
	// File and Line locate the requirement pip names in its error, when it names one.
	File string
	Line int
}

func (e *InstallError) Error() string {
	tool := e.Tool
	if tool == "" {
		tool = "pip"
	}
	return fmt.Sprintf("%s failed (%v):\n%s", tool, e.Err, e.Output)
}

// Location is the requirements file and line pip's error points at ("" when none).
func (e *InstallError) Location() (string, int) { return e.File, e.Line }

// fromRequirementsLine matches pip's "(from -r FILE (line N))".
var fromRequirementsLine = regexp.MustCompile(`\(from -r (.+?) \(line (\d+)\)\)`)

// requirementLine finds the requirements file line pip's error blames: the last ERROR line that
// names one, else the first line naming one in the details under the first ERROR line (pip's hash
// mismatch report puts "(from -r FILE (line N))" there).
func requirementLine(lines []string, files []string) (string, int) {
	located := func(line string) (string, int, bool) {
		m := fromRequirementsLine.FindStringSubmatch(line)
		if m == nil {
			return "", 0, false
		}
		n, _ := strconv.Atoi(m[2])
		return m[1], n, true
	}
	firstError := -1
	for i := len(lines) - 1; i >= 0; i-- {
		if !strings.HasPrefix(lines[i], "ERROR") {
			continue
		}
		firstError = i
		if f, n, ok := located(lines[i]); ok {
			return f, n
		}
	}
	if firstError >= 0 {
		for _, line := range lines[firstError+1:] {
			if f, n, ok := located(line); ok {
				return f, n
			}
		}
	}
	return "", 0
}

// findRequirement finds the line of a requirements file that names the distribution pkg (as pip
// reports it, possibly with a version specifier).
func findRequirement(files []string, pkg string) (string, int) {
	name := normalizeName(pkg)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for i, line := range strings.Split(string(data), "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "-") {
				continue
			}
			if normalizeName(line) == name {
				return f, i + 1
			}
		}
	}
	return "", 0
}

// normalizeName is a requirement's distribution name in PEP 503 form.
func normalizeName(req string) string {
	req = strings.TrimSpace(req)
	if i := strings.IndexAny(req, "<>=!~;[ @"); i > 0 {
		req = req[:i]
	}
	return normalize(req)
}

// lineLog is an io.Writer that logs complete lines and keeps them.
type lineLog struct {
	mu     sync.Mutex
	logger *slog.Logger
	buf    bytes.Buffer
	lines  []string
}

func (l *lineLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(p)
	for {
		line, err := l.buf.ReadString('\n')
		if err != nil {
			l.buf.WriteString(line) // incomplete: keep for later
			return len(p), nil
		}
		l.emit(strings.TrimRight(line, "\r\n"))
	}
}

func (l *lineLog) emit(line string) {
	if strings.TrimSpace(line) == "" {
		return
	}
	l.lines = append(l.lines, line)
	if strings.HasPrefix(line, "Successfully installed") {
		l.logger.Info(line)
	} else {
		l.logger.Debug(line)
	}
}

func (l *lineLog) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if rest := l.buf.String(); rest != "" {
		l.emit(rest)
		l.buf.Reset()
	}
}

func (l *lineLog) all() []string { return l.lines }

func (l *lineLog) tail(n int) string {
	lines := l.lines
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// noDistribution finds the package pip could not find a distribution for.
func noDistribution(lines []string) string {
	const marker = "No matching distribution found for "
	for _, line := range lines {
		if i := strings.Index(line, marker); i >= 0 {
			return strings.TrimSpace(line[i+len(marker):])
		}
	}
	return ""
}

// NoWheelError is returned when pip finds no wheel of a package for the platform.
type NoWheelError struct {
	// Tool is "pip" or "uv" ("" means pip).
	Tool string
	// Package is the requirement pip could not satisfy, as pip names it.
	Package string
	// Platform is the target.
	Platform Platform
	// Output is the end of pip's output.
	Output string
	// File and Line locate the requirement in a requirements file ("" when it is not in one).
	File string
	Line int
	// Versions says what the newest version on the index offers ("" when unknown), e.g.
	// "2.0: cp313-cp313-macosx_11_0_arm64, source only (.tar.gz)".
	Versions string
}

// Location is the requirements file and line of the package ("" when unknown).
func (e *NoWheelError) Location() (string, int) { return e.File, e.Line }

func (e *NoWheelError) Error() string {
	name := e.Package
	if i := strings.IndexAny(name, "<>=!~;[ "); i > 0 {
		name = name[:i]
	}
	return fmt.Sprintf("no wheel of %s for %s (tags %s). "+
		"If %s is pure Python, build its wheel once (pip wheel --no-deps %s -w wheels/) and set PIP_FIND_LINKS=wheels/; "+
		"if it has native code, pin a version that publishes manylinux wheels for Python %s %s, or build a container runtime (the dockerfile input). %s said:\n%s",
		e.Package, e.Platform, e.Platform.shortTags(), name, name, e.Platform.Python, e.Platform.WheelArch(), e.tool(), e.Output) + e.versions()
}

func (e *NoWheelError) tool() string {
	if e.Tool == "" {
		return "pip"
	}
	return e.Tool
}

func (e *NoWheelError) versions() string {
	if e.Versions == "" {
		return ""
	}
	return "\nThe newest version on the index offers " + e.Versions
}

// parseReport reads pip's --report JSON (see parseResolution) as the distributions installed.
func parseReport(data []byte) (*Report, error) {
	res, err := parseResolution(data)
	if err != nil {
		return nil, err
	}
	rep := &Report{}
	for _, d := range res.Distributions {
		rep.Distributions = append(rep.Distributions, Distribution{Name: d.Name, Version: d.Version, Requested: d.Requested})
	}
	return rep, nil
}

// scanLines reads a small text file's non-empty lines.
func scanLines(r io.Reader) []string {
	var out []string
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, 64*1024), 1<<20)
	for s.Scan() {
		if line := strings.TrimSpace(s.Text()); line != "" {
			out = append(out, line)
		}
	}
	return out
}
