package local

import (
	"context"
	"crypto/rand"
	_ "embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/proc"
)

// bootstrapPy is the Python program that runs one invocation (see bootstrap/bootstrap.py).
//
//go:embed bootstrap/bootstrap.py
var bootstrapPy []byte

// Convention is the calling convention of a platform's Python runtime.
type Convention int

const (
	// Lambda is AWS Lambda's: handler(event, context) with the event parsed from JSON, the
	// result serialized to JSON, Lambda's context object and error objects.
	Lambda Convention = iota
	// FC is Aliyun Function Compute's: handler(event, context) with the event as bytes, a
	// str/bytes result as the body as is (dict/list as JSON), FC's context object and errors.
	FC
)

// String returns "lambda" or "fc".
func (c Convention) String() string {
	if c == FC {
		return "fc"
	}
	return "lambda"
}

// Function is what the host needs to run a deployed function.
type Function struct {
	// Name is the function's name.
	Name string
	// CodeDir is the extracted function code (Lambda's /var/task): first on sys.path and the
	// working directory.
	CodeDir string
	// LayerDirs are the extracted layer roots (Lambda's /opt), in the order Lambda extracts them
	// (a later layer overrides an earlier one); <dir>/python/lib/python3.X/site-packages and
	// <dir>/python are on sys.path, as on Lambda.
	LayerDirs []string
	// Handler is module.function ("entry_point.lambda_handler"); the module may be dotted
	// ("handler.entry_point.lambda_handler").
	Handler string
	// Python is the runtime's major.minor ("3.12").
	Python string
	// MemoryMB is the configured memory (reported to the function, not enforced; default 128).
	MemoryMB int
	// Timeout is enforced (default 3s, Lambda's).
	Timeout time.Duration
	// Convention is the platform whose calling convention the invocation follows.
	Convention Convention
	// Env holds extra environment variables; they override the platform's.
	Env map[string]string
}

// Invocation is the outcome of running a function.
type Invocation struct {
	// Payload is the response body: the handler's result, or the error object.
	Payload []byte
	// FunctionError is "" on success; "Unhandled" (Lambda) or "UnhandledInvocationError" (FC)
	// when the function raised, timed out or crashed.
	FunctionError string
	// LogTail is the last 4 KB of the execution log, as Lambda's LogType=Tail returns it.
	LogTail []byte
	// RequestID identifies the invocation.
	RequestID string
	// Duration is how long the function ran.
	Duration time.Duration
}

// Function errors of the platforms' invoke APIs.
const (
	lambdaFunctionError = "Unhandled"
	fcFunctionError     = "UnhandledInvocationError"
)

const (
	defaultTimeout  = 3 * time.Second
	defaultMemoryMB = 128
	logTailSize     = 4096
	// logKeep bounds how much of the function's output the host keeps.
	logKeep = 64 << 10
	// straggleDelay is how long the host waits for the log after the function exited.
	straggleDelay = 2 * time.Second
)

// Host runs functions in Python processes on this machine. It is safe for concurrent use.
type Host struct {
	lookPath   LookPathFunc
	logger     *slog.Logger
	tempDir    string
	region     string
	accountID  string
	systemPath string

	mu      sync.Mutex
	pythons map[string]string // version -> interpreter
}

// HostOption configures a Host.
type HostOption func(*Host)

// WithLookPath sets how interpreters are found on PATH (default: exec.LookPath).
func WithLookPath(f LookPathFunc) HostOption { return func(h *Host) { h.lookPath = f } }

// WithLogger sets where the host logs (default: discard).
func WithLogger(l *slog.Logger) HostOption { return func(h *Host) { h.logger = l } }

// WithTempDir sets where invocations get their scratch directories (default: os.TempDir()).
func WithTempDir(dir string) HostOption { return func(h *Host) { h.tempDir = dir } }

// WithRegion sets the region functions see in AWS_REGION / FC_REGION and ARNs (default "local").
func WithRegion(region string) HostOption { return func(h *Host) { h.region = region } }

// WithAccountID sets the account functions see in ARNs (default "000000000000").
func WithAccountID(id string) HostOption { return func(h *Host) { h.accountID = id } }

// WithSystemPath sets the PATH functions get after their interpreter's directory
// (default "/usr/local/bin:/usr/bin:/bin").
func WithSystemPath(path string) HostOption { return func(h *Host) { h.systemPath = path } }

// NewHost returns a Host.
func NewHost(opts ...HostOption) *Host {
	h := &Host{
		lookPath:   nil, // FindPython's default: exec.LookPath
		logger:     slog.New(slog.DiscardHandler),
		tempDir:    "",
		region:     "local",
		accountID:  "000000000000",
		systemPath: "/usr/local/bin:/usr/bin:/bin",
		pythons:    map[string]string{},
	}
	for _, o := range opts {
		o(h)
	}
	return h
}

// python returns the interpreter of version, found once per Host.
func (h *Host) python(ctx context.Context, version string) (string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if p, ok := h.pythons[version]; ok {
		return p, nil
	}
	p, err := FindPython(ctx, version, h.lookPath)
	if err != nil {
		return "", err
	}
	h.pythons[version] = p
	return p, nil
}

// invocationFile is what the bootstrap reads (its argv[1]); keys match bootstrap.py.
type invocationFile struct {
	Convention      string   `json:"convention"`
	RequestID       string   `json:"request_id"`
	Handler         string   `json:"handler"`
	SysPath         []string `json:"sys_path"`
	CodeDir         string   `json:"code_dir"`
	EventFile       string   `json:"event_file"`
	ResultFile      string   `json:"result_file"`
	FunctionName    string   `json:"function_name"`
	FunctionVersion string   `json:"function_version"`
	FunctionARN     string   `json:"function_arn"`
	MemoryMB        int      `json:"memory_mb"`
	TimeoutSec      int      `json:"timeout_sec"`
	LogGroupName    string   `json:"log_group_name"`
	LogStreamName   string   `json:"log_stream_name"`
	DeadlineMS      int64    `json:"deadline_ms"`
	Region          string   `json:"region"`
	AccountID       string   `json:"account_id"`
}

// resultFile is what the bootstrap writes: the response body and whether it is an error.
type resultFile struct {
	Error bool   `json:"error"`
	Body  string `json:"body"` // base64
}

// Invoke runs fn with event the way its platform does and returns the response. A function that
// raised, timed out or crashed is a successful Invoke with FunctionError set; errors are the
// host's (no interpreter, no code directory, a Lambda event that is not JSON) or ctx's.
func (h *Host) Invoke(ctx context.Context, fn Function, event []byte) (*Invocation, error) {
	if fn.Timeout <= 0 {
		fn.Timeout = defaultTimeout
	}
	if fn.MemoryMB <= 0 {
		fn.MemoryMB = defaultMemoryMB
	}
	if fn.Convention == Lambda {
		if len(event) == 0 {
			event = []byte("{}")
		}
		if !json.Valid(event) {
			return nil, fmt.Errorf("invoking %s: the payload is not valid JSON (Lambda's InvalidRequestContentException)", fn.Name)
		}
	}
	if st, err := os.Stat(fn.CodeDir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("invoking %s: code directory %q is not a directory", fn.Name, fn.CodeDir)
	}
	python, err := h.python(ctx, fn.Python)
	if err != nil {
		return nil, fmt.Errorf("invoking %s: %w", fn.Name, err)
	}
	dir, err := os.MkdirTemp(h.tempDir, "local-invoke-")
	if err != nil {
		return nil, fmt.Errorf("invoking %s: making a scratch directory: %w", fn.Name, err)
	}
	defer os.RemoveAll(dir)

	inv := h.invocationFile(fn, dir)
	res, err := h.run(ctx, fn, python, dir, inv, event)
	if err != nil {
		return nil, fmt.Errorf("invoking %s: %w", fn.Name, err)
	}
	h.logger.Debug("invoked function", "function", fn.Name, "request_id", res.RequestID,
		"duration", res.Duration, "function_error", res.FunctionError)
	return res, nil
}

// invocationFile describes the invocation to the bootstrap.
func (h *Host) invocationFile(fn Function, dir string) invocationFile {
	id := newUUID()
	stream := time.Now().UTC().Format("2006/01/02") + "/[$LATEST]" + randomHex(16)
	return invocationFile{
		Convention:      fn.Convention.String(),
		RequestID:       id,
		Handler:         fn.Handler,
		SysPath:         sysPath(fn),
		CodeDir:         fn.CodeDir,
		EventFile:       filepath.Join(dir, "event"),
		ResultFile:      filepath.Join(dir, "result.json"),
		FunctionName:    fn.Name,
		FunctionVersion: "$LATEST",
		FunctionARN:     fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", h.region, h.accountID, fn.Name),
		MemoryMB:        fn.MemoryMB,
		TimeoutSec:      int((fn.Timeout + time.Second - 1) / time.Second),
		LogGroupName:    "/aws/lambda/" + fn.Name,
		LogStreamName:   stream,
		Region:          h.region,
		AccountID:       h.accountID,
	}
}

// sysPath is what the bootstrap puts before the interpreter's stdlib: the code, then the layers'
// site-packages, then their python/ directories, as Lambda's sys.path has /var/task,
// /opt/python/lib/python3.X/site-packages, /opt/python. Lambda merges layers into /opt with later
// layers overriding earlier ones, so later layers come first here.
func sysPath(fn Function) []string {
	p := []string{fn.CodeDir}
	layers := slices.Clone(fn.LayerDirs)
	slices.Reverse(layers)
	for _, l := range layers {
		p = append(p, filepath.Join(l, "python", "lib", "python"+fn.Python, "site-packages"))
	}
	for _, l := range layers {
		p = append(p, filepath.Join(l, "python"))
	}
	return p
}

// environment is the function's whole environment: the platform's variables, then fn.Env.
func (h *Host) environment(fn Function, python, tmp string, inv invocationFile) []string {
	env := map[string]string{
		"PATH":   filepath.Dir(python) + string(os.PathListSeparator) + h.systemPath,
		"LANG":   "en_US.UTF-8",
		"TZ":     ":UTC",
		"HOME":   tmp,
		"TMPDIR": tmp,
	}
	switch fn.Convention {
	case FC:
		maps.Copy(env, map[string]string{
			"FC_FUNCTION_NAME":        fn.Name,
			"FC_FUNCTION_HANDLER":     fn.Handler,
			"FC_FUNCTION_MEMORY_SIZE": strconv.Itoa(fn.MemoryMB),
			"FC_FUNCTION_TIMEOUT":     strconv.Itoa(inv.TimeoutSec),
			"FC_REGION":               h.region,
			"FC_ACCOUNT_ID":           h.accountID,
			"FC_RUNTIME":              "python" + fn.Python,
			"FC_FUNC_CODE_PATH":       fn.CodeDir,
		})
	default:
		maps.Copy(env, map[string]string{
			"_HANDLER":                        fn.Handler,
			"LAMBDA_TASK_ROOT":                fn.CodeDir,
			"LAMBDA_RUNTIME_DIR":              filepath.Dir(inv.ResultFile),
			"AWS_EXECUTION_ENV":               "AWS_Lambda_python" + fn.Python,
			"AWS_LAMBDA_FUNCTION_NAME":        fn.Name,
			"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": strconv.Itoa(fn.MemoryMB),
			"AWS_LAMBDA_FUNCTION_VERSION":     inv.FunctionVersion,
			"AWS_LAMBDA_LOG_GROUP_NAME":       inv.LogGroupName,
			"AWS_LAMBDA_LOG_STREAM_NAME":      inv.LogStreamName,
			"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
			"AWS_REGION":                      h.region,
			"AWS_DEFAULT_REGION":              h.region,
		})
	}
	maps.Copy(env, fn.Env)
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	slices.Sort(out)
	return out
}

// run starts the bootstrap, enforces the timeout and turns what happened into an Invocation.
func (h *Host) run(ctx context.Context, fn Function, python, dir string, inv invocationFile, event []byte) (*Invocation, error) {
	tmp := filepath.Join(dir, "tmp")
	if err := os.Mkdir(tmp, 0o700); err != nil {
		return nil, fmt.Errorf("making %q: %w", tmp, err)
	}
	bootstrap := filepath.Join(dir, "bootstrap.py")
	if err := os.WriteFile(bootstrap, bootstrapPy, 0o600); err != nil {
		return nil, fmt.Errorf("writing %q: %w", bootstrap, err)
	}
	if err := os.WriteFile(inv.EventFile, event, 0o600); err != nil {
		return nil, fmt.Errorf("writing %q: %w", inv.EventFile, err)
	}
	env := h.environment(fn, python, tmp, inv)

	runCtx, cancel := context.WithTimeout(ctx, fn.Timeout)
	defer cancel()
	start := time.Now()
	inv.DeadlineMS = start.Add(fn.Timeout).UnixMilli()
	invPath := filepath.Join(dir, "invocation.json")
	data, err := json.Marshal(inv)
	if err != nil {
		return nil, fmt.Errorf("encoding the invocation: %w", err)
	}
	if err := os.WriteFile(invPath, data, 0o600); err != nil {
		return nil, fmt.Errorf("writing %q: %w", invPath, err)
	}

	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("making the log pipe: %w", err)
	}
	defer r.Close()
	// -I: no user site, PYTHON* ignored, no script directory; -S: no site-packages; -u: unbuffered,
	// so the log keeps what a timed-out function printed.
	cmd := exec.Command(python, "-I", "-S", "-u", bootstrap, invPath)
	cmd.Dir, cmd.Env = fn.CodeDir, env
	cmd.Stdout, cmd.Stderr = w, w
	cmd.SysProcAttr = groupAttr()
	if err := cmd.Start(); err != nil {
		w.Close()
		return nil, fmt.Errorf("starting %s: %w", python, err)
	}
	w.Close()
	pgid := cmd.Process.Pid
	defer proc.Track(pgid)() // a second interrupt kills it too
	out := &tailBuffer{max: logKeep}
	logDone := make(chan struct{})
	go func() { _, _ = io.Copy(out, r); close(logDone) }()
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()

	timedOut := false
	select {
	case <-waited:
	case <-runCtx.Done():
		killGroup(cmd.Process, pgid)
		<-waited
		timedOut = true
	}
	duration := time.Since(start)
	// Like a frozen sandbox: nothing the function started outlives the invocation.
	killGroup(cmd.Process, pgid)
	select {
	case <-logDone:
	case <-time.After(straggleDelay): // a process outside the group still holds the log
		r.Close()
		<-logDone
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}

	res := &Invocation{RequestID: inv.RequestID, Duration: duration}
	result, err := readResult(inv.ResultFile)
	if err != nil {
		return nil, err
	}
	maxRSS := maxRSSMB(cmd.ProcessState)
	var extra string // what the platform adds to the log
	switch {
	case result != nil:
		res.Payload = result.body
		if result.isError {
			res.FunctionError = functionError(fn.Convention)
		}
	case timedOut:
		res.FunctionError = functionError(fn.Convention)
		msg := fmt.Sprintf("%s %s Task timed out after %.2f seconds",
			start.Add(fn.Timeout).UTC().Format("2006-01-02T15:04:05.000Z"), inv.RequestID, fn.Timeout.Seconds())
		if fn.Convention == FC {
			msg = fmt.Sprintf("Function timed out after %d seconds (maxMemoryUsage: %.2fMB)", inv.TimeoutSec, maxRSS)
		}
		res.Payload = mustJSON(map[string]string{"errorMessage": msg})
		extra = msg + "\n"
	default:
		res.FunctionError = functionError(fn.Convention)
		status := "Runtime exited without providing a reason"
		if ps := cmd.ProcessState; ps != nil && !ps.Success() {
			status = "Runtime exited with error: " + ps.String()
		}
		msg := fmt.Sprintf("RequestId: %s Error: %s", inv.RequestID, status)
		errObj := map[string]string{"errorMessage": msg, "errorType": "Runtime.ExitError"}
		if fn.Convention == FC {
			msg = fmt.Sprintf("Process exited unexpectedly before completing request (duration: %dms, maxMemoryUsage: %.2fMB)",
				duration.Milliseconds(), maxRSS)
			errObj = map[string]string{"errorMessage": msg}
		}
		res.Payload = mustJSON(errObj)
		extra = msg + "\n"
		if fn.Convention == Lambda {
			extra += "Runtime.ExitError\n"
		}
	}
	res.LogTail = tail(executionLog(fn, inv, out.Bytes(), extra, duration, maxRSS), logTailSize)
	return res, nil
}

// functionError is the platform's function error for a failed invocation.
func functionError(c Convention) string {
	if c == FC {
		return fcFunctionError
	}
	return lambdaFunctionError
}

// result is the bootstrap's answer.
type result struct {
	isError bool
	body    []byte
}

// readResult reads the bootstrap's result file; nil when it wrote none (killed or crashed).
func readResult(path string) (*result, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the result %q: %w", path, err)
	}
	var rf resultFile
	if err := json.Unmarshal(data, &rf); err != nil {
		return nil, fmt.Errorf("decoding the result %q: %w", path, err)
	}
	body, err := base64.StdEncoding.DecodeString(rf.Body)
	if err != nil {
		return nil, fmt.Errorf("decoding the result %q: %w", path, err)
	}
	return &result{isError: rf.Error, body: body}, nil
}

// executionLog frames the function's output the way the platform's log does.
func executionLog(fn Function, inv invocationFile, output []byte, extra string, d time.Duration, maxRSS float64) []byte {
	var b []byte
	if fn.Convention == FC {
		b = fmt.Appendf(b, "FC Invoke Start RequestId: %s\n", inv.RequestID)
		b = append(b, output...)
		b = append(b, extra...)
		return fmt.Appendf(b, "FC Invoke End RequestId: %s\n", inv.RequestID)
	}
	ms := float64(d.Microseconds()) / 1000
	b = fmt.Appendf(b, "START RequestId: %s Version: %s\n", inv.RequestID, inv.FunctionVersion)
	b = append(b, output...)
	b = append(b, extra...)
	b = fmt.Appendf(b, "END RequestId: %s\n", inv.RequestID)
	return fmt.Appendf(b, "REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: %d MB\tMax Memory Used: %.0f MB\t\n",
		inv.RequestID, ms, int64(ms+0.999), fn.MemoryMB, maxRSS)
}

// tail returns the last n bytes of b.
func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// tailBuffer is an io.Writer that keeps the last max bytes written.
type tailBuffer struct {
	max int
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	if len(t.buf) > 2*t.max {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-t.max:]...)
	}
	return len(p), nil
}

// Bytes returns the last max bytes written.
func (t *tailBuffer) Bytes() []byte { return tail(t.buf, t.max) }

// mustJSON encodes an error object of string fields (which cannot fail).
func mustJSON(v map[string]string) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// newUUID returns a random (version 4) UUID, the form of Lambda's request IDs.
func newUUID() string {
	var u [16]byte
	_, _ = rand.Read(u[:])
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	h := hex.EncodeToString(u[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
