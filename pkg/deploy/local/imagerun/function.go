package imagerun

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Function is the Lambda configuration the image runs with.
type Function struct {
	// Name is the function name (AWS_LAMBDA_FUNCTION_NAME; default "function").
	Name string
	// MemoryMB is reported in AWS_LAMBDA_FUNCTION_MEMORY_SIZE, not enforced (default 128).
	MemoryMB int
	// Timeout is enforced per invocation (default 3s, Lambda's).
	Timeout time.Duration
	// Region is AWS_REGION and AWS_DEFAULT_REGION (default "us-east-1").
	Region string
	// Cmd replaces the image's CMD when non-nil (Lambda's ImageConfig.Command).
	Cmd []string
	// HTTPPort, when set, runs the image as an Aliyun FC custom container: it gets FC's variables
	// (FC_SERVER_PORT=HTTPPort and CAPort=HTTPPort, FC_FUNCTION_NAME, FC_FUNCTION_MEMORY_SIZE,
	// FC_REGION) and is
	// invoked over HTTP with InvokeHTTP instead of the Lambda Runtime API.
	HTTPPort int
	// Env is the function's own environment variables (Lambda's Environment.Variables, FC's
	// environmentVariables): they override the image's Env; the platform's variables override them.
	Env map[string]string
}

func (f Function) withDefaults() Function {
	if f.Name == "" {
		f.Name = "function"
	}
	if f.MemoryMB <= 0 {
		f.MemoryMB = 128
	}
	if f.Timeout <= 0 {
		f.Timeout = 3 * time.Second
	}
	if f.Region == "" {
		f.Region = "us-east-1"
	}
	return f
}

// arn is the function's ARN as the runtime sees it (a placeholder account).
func (f Function) arn() string {
	return fmt.Sprintf("arn:aws:lambda:%s:000000000000:function:%s", f.Region, f.Name)
}

// defaultPath is the PATH of a process whose image sets none.
const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// command returns ENTRYPOINT+CMD (cmd replaced by f.Cmd when non-nil).
func command(cfg v1.Config, f Function) ([]string, error) {
	cmd := cfg.Cmd
	if f.Cmd != nil {
		cmd = f.Cmd
	}
	argv := append(slices.Clone(cfg.Entrypoint), cmd...)
	if len(argv) == 0 || argv[0] == "" {
		return nil, fmt.Errorf("the image has no ENTRYPOINT or CMD (and Function.Cmd is empty): nothing to run; build it FROM a Lambda base image or set ENTRYPOINT")
	}
	return argv, nil
}

// environment returns the image's Env with Lambda's variables added; those override the
// image's, except LAMBDA_TASK_ROOT and PATH, which the image's value wins for.
func environment(cfg v1.Config, f Function, runtimeAPI string) []string {
	env := map[string]string{}
	var order []string
	set := func(k, v string) {
		if _, ok := env[k]; !ok {
			order = append(order, k)
		}
		env[k] = v
	}
	for _, kv := range cfg.Env {
		k, v, _ := strings.Cut(kv, "=")
		set(k, v)
	}
	for _, k := range slices.Sorted(maps.Keys(f.Env)) {
		set(k, f.Env[k])
	}
	if _, ok := env["PATH"]; !ok {
		set("PATH", defaultPath)
	}
	if _, ok := env["LAMBDA_TASK_ROOT"]; !ok {
		set("LAMBDA_TASK_ROOT", "/var/task")
	}
	set("AWS_LAMBDA_RUNTIME_API", runtimeAPI)
	set("AWS_LAMBDA_FUNCTION_NAME", f.Name)
	set("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
	set("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", strconv.Itoa(f.MemoryMB))
	set("AWS_LAMBDA_FUNCTION_TIMEOUT", strconv.Itoa(int((f.Timeout+time.Second-1)/time.Second)))
	set("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand")
	set("AWS_REGION", f.Region)
	set("AWS_DEFAULT_REGION", f.Region)
	if f.HTTPPort != 0 {
		// The port to listen on: FC's custom runtimes read FC_SERVER_PORT; custom containers made
		// from FC's and Lithops' templates read CAPort (ENV CAPort=9000, the configured port).
		// On FC each instance has its own network; here instances share this machine's, so each
		// gets a free port in both.
		set("FC_SERVER_PORT", strconv.Itoa(f.HTTPPort))
		set("CAPort", strconv.Itoa(f.HTTPPort))
		set("FC_FUNCTION_NAME", f.Name)
		set("FC_FUNCTION_MEMORY_SIZE", strconv.Itoa(f.MemoryMB))
		set("FC_REGION", f.Region)
	}
	out := make([]string, 0, len(order))
	for _, k := range order {
		out = append(out, k+"="+env[k])
	}
	return out
}

// lambdaVars are the variables environment adds (passed with -e in docker mode, where the
// image's own Env is applied by Docker).
func lambdaVars(env []string, cfg v1.Config) []string {
	own := map[string]bool{}
	for _, kv := range cfg.Env {
		own[kv] = true
	}
	var out []string
	for _, kv := range env {
		if !own[kv] {
			out = append(out, kv)
		}
	}
	return out
}

// workingDir is the image's WorkingDir, "/" when unset.
func workingDir(cfg v1.Config) string {
	if cfg.WorkingDir == "" {
		return "/"
	}
	return cfg.WorkingDir
}
