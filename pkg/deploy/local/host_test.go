package local

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// writeCode writes files (path -> content) into a new directory and returns it.
func writeCode(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// decode parses a JSON payload.
func decode(t *testing.T, payload []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(payload, &m); err != nil {
		t.Fatalf("payload %q is not a JSON object: %v", payload, err)
	}
	return m
}

// lambdaFunction is a Lambda-convention function of code with handler entry_point.lambda_handler.
func lambdaFunction(code string) Function {
	return Function{Name: "lithops_v3-7-0_abc_default-runtime_256MB", CodeDir: code,
		Handler: "entry_point.lambda_handler", Python: "3.12", MemoryMB: 256, Timeout: 20 * time.Second}
}

func TestInvokeLambdaOutcomes(t *testing.T) {
	realPython(t, "3.12")
	tests := []struct {
		name    string
		files   map[string]string
		handler string
		event   string
		// want is the decoded payload; "<id>" stands for the request ID. stackTrace is checked
		// by wantStack instead.
		want      any
		wantError string
		// wantStack: the stack trace's last entry contains it ("" for an empty trace).
		wantStack string
		wantLog   []string
	}{
		{
			name: "success round trip",
			files: map[string]string{"entry_point.py": "def lambda_handler(event, context):\n" +
				"    print('got', event['n'])\n    return {'echo': event, 'sum': event['n'] + 1}\n"},
			event:   `{"n": 41, "s": "héllo", "l": [1, null, true]}`,
			want:    map[string]any{"echo": map[string]any{"n": 41.0, "s": "héllo", "l": []any{1.0, nil, true}}, "sum": 42.0},
			wantLog: []string{"got 41\n"},
		},
		{
			name: "dotted handler module",
			files: map[string]string{"handler/__init__.py": "",
				"handler/entry_point.py": "def lambda_handler(event, context):\n    return 'ok'\n"},
			handler: "handler.entry_point.lambda_handler",
			want:    "ok",
		},
		{
			name:  "empty event is {}",
			files: map[string]string{"entry_point.py": "def lambda_handler(event, context):\n    return event\n"},
			event: "",
			want:  map[string]any{},
		},
		{
			name: "raise",
			files: map[string]string{"entry_point.py": "def helper():\n    raise ValueError('boom: bad input')\n\n" +
				"def lambda_handler(event, context):\n    helper()\n"},
			want:      map[string]any{"errorMessage": "boom: bad input", "errorType": "ValueError", "requestId": "<id>"},
			wantError: "Unhandled",
			wantStack: "raise ValueError('boom: bad input')",
			wantLog:   []string{"[ERROR] ValueError: boom: bad input\nTraceback (most recent call last):\n"},
		},
		{
			name:  "import error",
			files: map[string]string{"entry_point.py": "import lithops_missing_dep\n\ndef lambda_handler(event, context):\n    pass\n"},
			want: map[string]any{"errorMessage": "Unable to import module 'entry_point': No module named 'lithops_missing_dep'",
				"errorType": "Runtime.ImportModuleError", "requestId": "<id>"},
			wantError: "Unhandled",
			wantLog:   []string{"[ERROR] Runtime.ImportModuleError: Unable to import module 'entry_point'"},
		},
		{
			name:  "missing module",
			files: map[string]string{"other.py": ""},
			want: map[string]any{"errorMessage": "Unable to import module 'entry_point': No module named 'entry_point'",
				"errorType": "Runtime.ImportModuleError", "requestId": "<id>"},
			wantError: "Unhandled",
		},
		{
			name:  "handler not found",
			files: map[string]string{"entry_point.py": "def main(event, context):\n    pass\n"},
			want: map[string]any{"errorMessage": "Handler 'lambda_handler' missing on module 'entry_point'",
				"errorType": "Runtime.HandlerNotFound", "requestId": "<id>"},
			wantError: "Unhandled",
		},
		{
			name:  "unserializable result",
			files: map[string]string{"entry_point.py": "def lambda_handler(event, context):\n    return {'s': {1, 2}}\n"},
			want: map[string]any{"errorMessage": "Unable to marshal response: Object of type set is not JSON serializable",
				"errorType": "Runtime.MarshalError", "requestId": "<id>"},
			wantError: "Unhandled",
		},
		{
			name:  "crash",
			files: map[string]string{"entry_point.py": "import os\n\ndef lambda_handler(event, context):\n    print('dying')\n    os._exit(3)\n"},
			want: map[string]any{"errorMessage": "RequestId: <id> Error: Runtime exited with error: exit status 3",
				"errorType": "Runtime.ExitError"},
			wantError: "Unhandled",
			wantLog:   []string{"dying\nRequestId: <id> Error: Runtime exited with error: exit status 3\nRuntime.ExitError\nEND"},
		},
		{
			name:  "sys.exit(0)",
			files: map[string]string{"entry_point.py": "import sys\n\ndef lambda_handler(event, context):\n    sys.exit(0)\n"},
			want: map[string]any{"errorMessage": "RequestId: <id> Error: Runtime exited without providing a reason",
				"errorType": "Runtime.ExitError"},
			wantError: "Unhandled",
		},
	}
	h := NewHost()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fn := lambdaFunction(writeCode(t, tt.files))
			if tt.handler != "" {
				fn.Handler = tt.handler
			}
			res, err := h.Invoke(context.Background(), fn, []byte(tt.event))
			if err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			if res.FunctionError != tt.wantError {
				t.Errorf("FunctionError = %q, want %q (payload %s)", res.FunctionError, tt.wantError, res.Payload)
			}
			var got any
			if err := json.Unmarshal(res.Payload, &got); err != nil {
				t.Fatalf("payload %q: %v", res.Payload, err)
			}
			if m, ok := got.(map[string]any); ok && tt.wantError != "" {
				checkStack(t, m, tt.wantStack, tt.want.(map[string]any)["errorType"] != "Runtime.ExitError")
			}
			want := replaceID(tt.want, res.RequestID)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("payload (-want +got):\n%s", diff)
			}
			log := string(res.LogTail)
			for _, w := range tt.wantLog {
				if w = strings.ReplaceAll(w, "<id>", res.RequestID); !strings.Contains(log, w) {
					t.Errorf("log does not contain %q:\n%s", w, log)
				}
			}
			checkLambdaFrame(t, log, res.RequestID, fn.MemoryMB)
		})
	}
}

// checkStack checks and removes the error object's stackTrace: its last entry contains
// wantLast, or it is empty when wantLast is ""; no frame is the bootstrap's.
func checkStack(t *testing.T, m map[string]any, wantLast string, present bool) {
	t.Helper()
	st, ok := m["stackTrace"]
	if !present {
		if ok {
			t.Errorf("stackTrace = %v, want none", st)
		}
		return
	}
	delete(m, "stackTrace")
	frames, ok := st.([]any)
	if !ok {
		t.Fatalf("stackTrace = %#v, want a list", st)
	}
	if wantLast == "" {
		if len(frames) != 0 {
			t.Errorf("stackTrace = %q, want []", frames)
		}
		return
	}
	if len(frames) == 0 {
		t.Fatalf("stackTrace is empty, want a frame with %q", wantLast)
	}
	for _, f := range frames {
		s, _ := f.(string)
		if strings.Contains(s, "bootstrap.py") || !strings.HasPrefix(s, `  File "`) {
			t.Errorf("stackTrace frame %q: want format_list entries of user frames only", s)
		}
	}
	if first, _ := frames[0].(string); !strings.Contains(first, "in lambda_handler") {
		t.Errorf("first frame %q, want the handler's", first)
	}
	if last, _ := frames[len(frames)-1].(string); !strings.Contains(last, wantLast) {
		t.Errorf("last frame %q does not contain %q", last, wantLast)
	}
}

// replaceID replaces "<id>" in the strings of v with id.
func replaceID(v any, id string) any {
	switch v := v.(type) {
	case string:
		return strings.ReplaceAll(v, "<id>", id)
	case map[string]any:
		out := map[string]any{}
		for k, e := range v {
			out[k] = replaceID(e, id)
		}
		return out
	default:
		return v
	}
}

// reportLine is Lambda's REPORT line.
var reportLine = regexp.MustCompile(`REPORT RequestId: (\S+)\tDuration: [0-9]+\.[0-9]{2} ms\tBilled Duration: [0-9]+ ms\tMemory Size: ([0-9]+) MB\tMax Memory Used: [0-9]+ MB\t\n$`)

// checkLambdaFrame checks the START/END/REPORT lines of a Lambda log tail.
func checkLambdaFrame(t *testing.T, log, id string, memoryMB int) {
	t.Helper()
	if start := "START RequestId: " + id + " Version: $LATEST\n"; len(log) < logTailSize && !strings.HasPrefix(log, start) {
		t.Errorf("log does not start with %q:\n%s", start, log)
	}
	if end := "END RequestId: " + id + "\n"; !strings.Contains(log, end) {
		t.Errorf("log does not contain %q:\n%s", end, log)
	}
	m := reportLine.FindStringSubmatch(log)
	if m == nil {
		t.Fatalf("log does not end with a REPORT line:\n%q", log)
	}
	if diff := cmp.Diff([]string{id, strconv.Itoa(memoryMB)}, m[1:]); diff != "" {
		t.Errorf("REPORT line (-want +got):\n%s", diff)
	}
}

func TestInvokeLambdaContextAndEnvironment(t *testing.T) {
	realPython(t, "3.12")
	code := writeCode(t, map[string]string{"entry_point.py": `import os, sys
def lambda_handler(event, context):
    keys = ["AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
            "AWS_REGION", "LAMBDA_TASK_ROOT", "_HANDLER", "LANG", "TZ", "EXTRA", "PYTHONPATH", "SECRET_OF_HOST"]
    return {
        "aws_request_id": context.aws_request_id,
        "function_name": context.function_name,
        "function_version": context.function_version,
        "invoked_function_arn": context.invoked_function_arn,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "log_group_name": context.log_group_name,
        "log_stream_name": context.log_stream_name,
        "remaining": context.get_remaining_time_in_millis(),
        "env": {k: os.environ.get(k) for k in keys},
        "home_is_tmp": os.environ["HOME"] == os.environ["TMPDIR"] and os.path.isdir(os.environ["HOME"]),
        "cwd": os.getcwd(),
        "path0": sys.path[0],
        "flags": [sys.flags.isolated, sys.flags.no_site],
    }
`})
	t.Setenv("PYTHONPATH", "/should/not/leak")
	t.Setenv("SECRET_OF_HOST", "leaked")
	fn := lambdaFunction(code)
	fn.Timeout = 7 * time.Second
	fn.Env = map[string]string{"EXTRA": "x", "AWS_REGION": "eu-west-1"}
	res, err := NewHost(WithAccountID("123456789012")).Invoke(context.Background(), fn, []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	got := decode(t, res.Payload)
	remaining, _ := got["remaining"].(float64)
	if remaining <= 0 || remaining > 7000 {
		t.Errorf("get_remaining_time_in_millis() = %v, want in (0, 7000]", got["remaining"])
	}
	stream, _ := got["log_stream_name"].(string)
	if !regexp.MustCompile(`^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$`).MatchString(stream) {
		t.Errorf("log_stream_name = %q, want like 2024/01/02/[$LATEST]<32 hex>", stream)
	}
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(res.RequestID) {
		t.Errorf("RequestID = %q, want a UUID", res.RequestID)
	}
	delete(got, "remaining")
	delete(got, "log_stream_name")
	want := map[string]any{
		"aws_request_id":       res.RequestID,
		"function_name":        fn.Name,
		"function_version":     "$LATEST",
		"invoked_function_arn": "arn:aws:lambda:local:123456789012:function:" + fn.Name,
		"memory_limit_in_mb":   "256",
		"log_group_name":       "/aws/lambda/" + fn.Name,
		"env": map[string]any{
			"AWS_LAMBDA_FUNCTION_NAME": fn.Name, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
			"AWS_LAMBDA_FUNCTION_VERSION": "$LATEST", "AWS_REGION": "eu-west-1", "LAMBDA_TASK_ROOT": code,
			"_HANDLER": "entry_point.lambda_handler", "LANG": "en_US.UTF-8", "TZ": ":UTC", "EXTRA": "x",
			"PYTHONPATH": nil, "SECRET_OF_HOST": nil,
		},
		"home_is_tmp": true,
		"cwd":         code,
		"path0":       code,
		"flags":       []any{1.0, 1.0},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("context and environment (-want +got):\n%s", diff)
	}
}

func TestInvokeSysPath(t *testing.T) {
	realPython(t, "3.12")
	layer := func(files map[string]string) string { return writeCode(t, files) }
	site := "python/lib/python3.12/site-packages/"
	layer1 := layer(map[string]string{
		"python/only_python_dir.py":       "WHERE = 'layer1 python/'",
		site + "only_site.py":             "WHERE = 'layer1 site-packages'",
		site + "shadowed_by_code.py":      "WHERE = 'layer1'",
		site + "in_both_layers.py":        "WHERE = 'layer1'",
		"python/site_over_python_dir.py":  "WHERE = 'layer1 python/'",
		site + "site_over_python_dir.py":  "WHERE = 'layer1 site-packages'",
		"python/pkg_in_layer/__init__.py": "WHERE = 'layer1 package'",
	})
	layer2 := layer(map[string]string{site + "in_both_layers.py": "WHERE = 'layer2'"})
	code := writeCode(t, map[string]string{
		"shadowed_by_code.py": "WHERE = 'code'",
		"entry_point.py": `import importlib
def lambda_handler(event, context):
    out = {}
    for name in event["modules"]:
        try:
            out[name] = importlib.import_module(name).WHERE
        except ImportError as e:
            out[name] = "ImportError: " + str(e)
    return out
`,
	})
	fn := lambdaFunction(code)
	fn.LayerDirs = []string{layer1, layer2}
	event := `{"modules": ["only_python_dir", "only_site", "shadowed_by_code", "in_both_layers", "site_over_python_dir", "pkg_in_layer", "not_anywhere"]}`
	res, err := NewHost().Invoke(context.Background(), fn, []byte(event))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"only_python_dir":      "layer1 python/",
		"only_site":            "layer1 site-packages",
		"shadowed_by_code":     "code",
		"in_both_layers":       "layer2", // Lambda extracts later layers over earlier ones
		"site_over_python_dir": "layer1 site-packages",
		"pkg_in_layer":         "layer1 package",
		"not_anywhere":         "ImportError: No module named 'not_anywhere'",
	}
	if diff := cmp.Diff(want, decode(t, res.Payload)); diff != "" {
		t.Errorf("imports (-want +got):\n%s", diff)
	}
}

func TestInvokeHidesHostSitePackages(t *testing.T) {
	py := realPython(t, "3.11")
	// The precondition that makes this test meaningful: the host's 3.11 has boto3 installed.
	if err := exec.Command(py, "-c", "import boto3").Run(); err != nil {
		t.Skipf("precondition: boto3 installed in the host's Python 3.11 (%s): %v", py, err)
	}
	code := writeCode(t, map[string]string{"entry_point.py": `import sys
def lambda_handler(event, context):
    try:
        import boto3
        found = boto3.__file__
    except ImportError as e:
        found = str(e)
    return {"boto3": found, "site_packages_on_path": [p for p in sys.path if "site-packages" in p]}
`})
	fn := lambdaFunction(code)
	fn.Python = "3.11"
	res, err := NewHost().Invoke(context.Background(), fn, []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"boto3": "No module named 'boto3'", "site_packages_on_path": []any{}}
	if diff := cmp.Diff(want, decode(t, res.Payload)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestInvokePythonVersions(t *testing.T) {
	code := writeCode(t, map[string]string{"entry_point.py": "import sys\n\ndef lambda_handler(event, context):\n" +
		"    return '%d.%d' % sys.version_info[:2]\n"})
	h := NewHost()
	for _, v := range []string{"3.12", "3.10", "3.13", "3.9"} {
		t.Run(v, func(t *testing.T) {
			realPython(t, v)
			fn := lambdaFunction(code)
			fn.Python = v
			res, err := h.Invoke(context.Background(), fn, []byte(`{}`))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(`"`+v+`"`, string(res.Payload)); diff != "" {
				t.Errorf("payload (-want +got):\n%s", diff)
			}
		})
	}
}

func TestInvokeTimeout(t *testing.T) {
	realPython(t, "3.12")
	code := writeCode(t, map[string]string{"entry_point.py": `import subprocess, time
def lambda_handler(event, context):
    child = subprocess.Popen(["sleep", "60"])
    with open(event["pidfile"], "w") as f:
        f.write(str(child.pid))
    print("waiting for", child.pid)
    time.sleep(60)
`})
	pidfile := filepath.Join(t.TempDir(), "pid")
	fn := lambdaFunction(code)
	fn.Timeout = time.Second
	start := time.Now()
	res, err := NewHost().Invoke(context.Background(), fn, []byte(fmt.Sprintf(`{"pidfile": %q}`, pidfile)))
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("Invoke took %v with a 1s timeout", took)
	}
	if res.FunctionError != "Unhandled" {
		t.Errorf("FunctionError = %q, want Unhandled", res.FunctionError)
	}
	got := decode(t, res.Payload)
	msg, _ := got["errorMessage"].(string)
	wantMsg := regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z ` + res.RequestID + ` Task timed out after 1\.00 seconds$`)
	if !wantMsg.MatchString(msg) || len(got) != 1 {
		t.Errorf("payload %s, want {\"errorMessage\": \"<time> <id> Task timed out after 1.00 seconds\"}", res.Payload)
	}
	log := string(res.LogTail)
	if !strings.Contains(log, "waiting for") || !strings.Contains(log, msg+"\nEND RequestId: ") {
		t.Errorf("log lacks the function's output or the timeout line:\n%s", log)
	}
	checkLambdaFrame(t, log, res.RequestID, fn.MemoryMB)
	// The whole process group is gone, the function's child too.
	data, err := os.ReadFile(pidfile)
	if err != nil {
		t.Fatal(err)
	}
	waitGone(t, strings.TrimSpace(string(data)))
}

// waitGone fails unless process pid is gone (or a zombie) within a few seconds.
func waitGone(t *testing.T, pid string) {
	t.Helper()
	for range 50 {
		stat, err := os.ReadFile("/proc/" + pid + "/stat")
		if err != nil {
			return
		}
		if f := strings.Fields(string(stat)); len(f) > 2 && f[2] == "Z" {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Errorf("process %s still runs after the invocation", pid)
}

func TestInvokeContextCanceled(t *testing.T) {
	realPython(t, "3.12")
	code := writeCode(t, map[string]string{"entry_point.py": "import time\n\ndef lambda_handler(event, context):\n    time.sleep(60)\n"})
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	start := time.Now()
	res, err := NewHost().Invoke(ctx, lambdaFunction(code), []byte(`{}`))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Invoke = %v, %v; want context.DeadlineExceeded", res, err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("Invoke took %v after ctx ended", took)
	}
}

func TestInvokeFC(t *testing.T) {
	realPython(t, "3.12")
	tests := []struct {
		name      string
		code      string
		event     []byte
		want      string
		wantError string
	}{
		{
			name: "str return, bytes event and context",
			code: "def main(event, context):\n" +
				"    return '%s|%r|%s|%s|%s|%d|%d|%s' % (type(event).__name__, event, context.request_id, context.function.name,\n" +
				"        context.function.handler, context.function.memory, context.function.timeout, context.credentials.access_key_id)\n",
			event: []byte(`{"get_metadata": {}}`),
			want:  `bytes|b'{"get_metadata": {}}'|<id>|fc-fn|entry_point.main|512|4|`,
		},
		{
			name:  "lithops entry point shape",
			code:  "import json, os\n\ndef main(event, context):\n    args = json.loads(event)\n    os.environ['__LITHOPS_ACTIVATION_ID'] = context.request_id\n    return {'args': args, 'id': os.environ['__LITHOPS_ACTIVATION_ID']}\n",
			event: []byte(`{"log_level": "INFO"}`),
			want:  `{"args": {"log_level": "INFO"}, "id": "<id>"}`,
		},
		{
			name:  "bytes return, non-JSON event",
			code:  "def main(event, context):\n    return event[::-1]\n",
			event: []byte("\x00abc\xff"),
			want:  "\xffcba\x00",
		},
		{
			name:      "raise",
			code:      "def main(event, context):\n    raise KeyError('k')\n",
			event:     []byte("x"),
			want:      `{"errorMessage": "'k'", "errorType": "KeyError", "stackTrace": ["  File \"<code>/entry_point.py\", line 2, in main\n    raise KeyError('k')\n"]}`,
			wantError: "UnhandledInvocationError",
		},
	}
	h := NewHost()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code := writeCode(t, map[string]string{"entry_point.py": tt.code})
			fn := Function{Name: "fc-fn", CodeDir: code, Handler: "entry_point.main", Python: "3.12",
				MemoryMB: 512, Timeout: 3500 * time.Millisecond, Convention: FC}
			res, err := h.Invoke(context.Background(), fn, tt.event)
			if err != nil {
				t.Fatal(err)
			}
			want := strings.NewReplacer("<id>", res.RequestID, "<code>", code).Replace(tt.want)
			if diff := cmp.Diff(want, string(res.Payload)); diff != "" {
				t.Errorf("payload (-want +got):\n%s", diff)
			}
			if res.FunctionError != tt.wantError {
				t.Errorf("FunctionError = %q, want %q", res.FunctionError, tt.wantError)
			}
			log := string(res.LogTail)
			if !strings.HasPrefix(log, "FC Invoke Start RequestId: "+res.RequestID+"\n") ||
				!strings.HasSuffix(log, "FC Invoke End RequestId: "+res.RequestID+"\n") {
				t.Errorf("log is not framed by FC Invoke Start/End:\n%s", log)
			}
		})
	}
}

func TestInvokeLogTail(t *testing.T) {
	realPython(t, "3.12")
	code := writeCode(t, map[string]string{"entry_point.py": "def lambda_handler(event, context):\n" +
		"    for i in range(2000):\n        print('line %04d' % i)\n    return None\n"})
	res, err := NewHost().Invoke(context.Background(), lambdaFunction(code), []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	if string(res.Payload) != "null" {
		t.Errorf("payload %q, want null", res.Payload)
	}
	if len(res.LogTail) != logTailSize {
		t.Errorf("log tail is %d bytes, want %d", len(res.LogTail), logTailSize)
	}
	if !strings.Contains(string(res.LogTail), "line 1999\nEND RequestId: ") {
		t.Errorf("log tail lacks the last output line:\n%s", res.LogTail)
	}
	checkLambdaFrame(t, string(res.LogTail), res.RequestID, 256)
}

func TestInvokeRejects(t *testing.T) {
	code := writeCode(t, map[string]string{"entry_point.py": "def lambda_handler(e, c):\n    pass\n"})
	tests := []struct {
		name  string
		fn    Function
		event string
		want  string
	}{
		{"event not JSON", lambdaFunction(code), "{not json", "not valid JSON"},
		{"no code directory", lambdaFunction(filepath.Join(code, "missing")), "{}", "is not a directory"},
		{"no interpreter", Function{Name: "f", CodeDir: code, Handler: "entry_point.lambda_handler", Python: "3.99"}, "{}", "no python3.99 interpreter found"},
	}
	h := NewHost(WithLookPath(LookPathIn(t.TempDir())))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := h.Invoke(context.Background(), tt.fn, []byte(tt.event))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Invoke error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestInvokeConcurrent(t *testing.T) {
	realPython(t, "3.12")
	code := writeCode(t, map[string]string{"entry_point.py": "def lambda_handler(event, context):\n" +
		"    return {'i': event['i'], 'id': context.aws_request_id}\n"})
	h := NewHost()
	const n = 8
	var wg sync.WaitGroup
	results := make([]*Invocation, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			results[i], errs[i] = h.Invoke(context.Background(), lambdaFunction(code), []byte(fmt.Sprintf(`{"i": %d}`, i)))
		})
	}
	wg.Wait()
	ids := map[string]bool{}
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("invocation %d: %v", i, errs[i])
		}
		want := map[string]any{"i": float64(i), "id": results[i].RequestID}
		if diff := cmp.Diff(want, decode(t, results[i].Payload)); diff != "" {
			t.Errorf("invocation %d (-want +got):\n%s", i, diff)
		}
		ids[results[i].RequestID] = true
	}
	if len(ids) != n {
		t.Errorf("%d distinct request IDs for %d invocations", len(ids), n)
	}
}
