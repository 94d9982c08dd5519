// Command bootstrap is a minimal Lambda runtime for the imagerun tests: it polls the Runtime
// API and answers each event with {"echo": <event>, "cwd", "env", ...}. Events steer it:
// {"fail": true} reports a handler error, {"sleep_ms": N} sleeps first, {"exit": N} exits.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"time"
)

func main() {
	base := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime"
	fmt.Fprintln(os.Stderr, "bootstrap: init")
	for {
		resp, err := http.Get(base + "/invocation/next")
		if err != nil {
			fmt.Fprintln(os.Stderr, "bootstrap: next:", err)
			os.Exit(1)
		}
		event, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id")
		fmt.Fprintf(os.Stderr, "bootstrap: handling %s\n", id)

		var ev struct {
			Fail    bool `json:"fail"`
			SleepMS int  `json:"sleep_ms"`
			Exit    *int `json:"exit"`
		}
		_ = json.Unmarshal(event, &ev)
		time.Sleep(time.Duration(ev.SleepMS) * time.Millisecond)
		if ev.Exit != nil {
			os.Exit(*ev.Exit)
		}
		if ev.Fail {
			body, _ := json.Marshal(map[string]any{
				"errorMessage": "asked to fail", "errorType": "TestFailure", "stackTrace": []string{},
			})
			post(base+"/invocation/"+id+"/error", body, "TestFailure")
			continue
		}
		cwd, _ := os.Getwd()
		entries, _ := os.ReadDir(".")
		var files []string
		for _, e := range entries {
			files = append(files, e.Name())
		}
		sort.Strings(files)
		_, bootstrapErr := os.Stat("/bootstrap")
		self, _ := os.Readlink("/proc/self") // its pid in the /proc it sees

		body, _ := json.Marshal(map[string]any{
			"echo":               json.RawMessage(event),
			"cwd":                cwd,
			"env":                os.Getenv("GREETING"),
			"task_root":          os.Getenv("LAMBDA_TASK_ROOT"),
			"function_name":      os.Getenv("AWS_LAMBDA_FUNCTION_NAME"),
			"memory":             os.Getenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"),
			"timeout":            os.Getenv("AWS_LAMBDA_FUNCTION_TIMEOUT"),
			"region":             os.Getenv("AWS_REGION"),
			"files":              files,
			"pid":                os.Getpid(),
			"pid_in_proc":        self == strconv.Itoa(os.Getpid()),
			"uid":                os.Getuid(),
			"root_has_bootstrap": bootstrapErr == nil,
		})
		post(base+"/invocation/"+id+"/response", body, "")
	}
}

func post(url string, body []byte, errorType string) {
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if errorType != "" {
		req.Header.Set("Lambda-Runtime-Function-Error-Type", errorType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bootstrap: post:", err)
		os.Exit(1)
	}
	resp.Body.Close()
}
