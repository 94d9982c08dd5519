// Package verify is the smoke test every backend shares: invoke a deployed function with
// Lithops' own metadata request and decide whether the runtime is the one that was asked for.
package verify

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/lithops"
)

// Invoker invokes a deployed function synchronously.
type Invoker interface {
	Invoke(ctx context.Context, fn deploy.Function, payload []byte) (*deploy.Invocation, error)
}

// Expect is what the runtime must report.
type Expect struct {
	Backend string // selects the metadata request payload
	Python  string // "3.12"
	Lithops string // exact version string
	// Modules are top-level import names that must appear in preinstalls (the requirements').
	Modules []string
}

// Failure is a smoke test that ran and failed: the runtime raised, or answered something else
// than what was asked for.
type Failure struct {
	Function string
	// ErrorType and ErrorMessage are the runtime's own, when it raised.
	ErrorType    string
	ErrorMessage string
	// Problems lists mismatches when the runtime answered.
	Problems []string
	LogTail  string
}

// Error says what failed, with the runtime's own message and the end of its log.
func (f *Failure) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "smoke test of function %s failed: ", f.Function)
	if f.ErrorMessage != "" || f.ErrorType != "" {
		fmt.Fprintf(&b, "the runtime raised %s: %s", orUnknown(f.ErrorType), f.ErrorMessage)
	} else {
		b.WriteString(strings.Join(f.Problems, "; "))
	}
	if tail := strings.TrimSpace(f.LogTail); tail != "" {
		b.WriteString("\nlog tail:\n")
		b.WriteString(tail)
	}
	return b.String()
}

func orUnknown(s string) string {
	if s == "" {
		return "an error"
	}
	return s
}

// Run invokes fn with the metadata request and checks the answer against want. It returns the
// runtime's metadata when it passes, a *Failure when the runtime failed the test, and another
// error when the invocation itself could not be made.
func Run(ctx context.Context, inv Invoker, fn deploy.Function, want Expect) (*lithops.Metadata, error) {
	res, err := inv.Invoke(ctx, fn, lithops.MetadataRequest(want.Backend))
	if err != nil {
		return nil, fmt.Errorf("invoking %s with the metadata request: %w", fn.Name, err)
	}
	return Check(fn.Name, res, want)
}

// runtimeError is the error object of Lambda's and FC's Python runtimes.
type runtimeError struct {
	ErrorMessage *string `json:"errorMessage"`
	ErrorType    string  `json:"errorType"`
}

// Check decides on one invocation's answer.
func Check(function string, res *deploy.Invocation, want Expect) (*lithops.Metadata, error) {
	fail := &Failure{Function: function, LogTail: res.LogTail}
	if res.FunctionError != "" {
		var re runtimeError
		if json.Unmarshal(res.Payload, &re) == nil && re.ErrorMessage != nil {
			fail.ErrorType, fail.ErrorMessage = re.ErrorType, *re.ErrorMessage
		} else {
			fail.ErrorType, fail.ErrorMessage = res.FunctionError, strings.TrimSpace(string(res.Payload))
		}
		return nil, fail
	}
	md, err := lithops.DecodeMetadata(res.Payload)
	if err != nil {
		var re runtimeError
		if json.Unmarshal(res.Payload, &re) == nil && re.ErrorMessage != nil {
			fail.ErrorType, fail.ErrorMessage = re.ErrorType, *re.ErrorMessage
			return nil, fail
		}
		fail.Problems = append(fail.Problems, fmt.Sprintf("the answer is not Lithops runtime metadata (%v): %s", err, clip(string(res.Payload), 300)))
		return nil, fail
	}
	if md.LithopsVersion != want.Lithops {
		fail.Problems = append(fail.Problems, fmt.Sprintf("the runtime has lithops %s, not %s: Lithops clients of version %s would refuse it", md.LithopsVersion, want.Lithops, want.Lithops))
	}
	if md.PythonVersion != want.Python {
		fail.Problems = append(fail.Problems, fmt.Sprintf("the runtime runs Python %s, not %s: Lithops clients on Python %s would refuse it", md.PythonVersion, want.Python, want.Python))
	}
	var missing []string
	for _, m := range want.Modules {
		if !md.HasModule(m) {
			missing = append(missing, m)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		fail.Problems = append(fail.Problems, fmt.Sprintf("modules of the requirements are not importable in the runtime: %s", strings.Join(missing, ", ")))
	}
	if len(fail.Problems) > 0 {
		return nil, fail
	}
	return &md, nil
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
