package verify

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/lithops"
)

// fakeInvoker answers every invocation with a fixed result and records the payload.
type fakeInvoker struct {
	res     *deploy.Invocation
	err     error
	payload string
}

func (f *fakeInvoker) Invoke(ctx context.Context, fn deploy.Function, payload []byte) (*deploy.Invocation, error) {
	f.payload = string(payload)
	return f.res, f.err
}

const good = `{"preinstalls": [["acmetext", true], ["json", true], ["ps_mem", false]], "python_version": "3.12", "lithops_version": "3.7.0"}`

func TestRun(t *testing.T) {
	want := Expect{Backend: lithops.AWSLambda, Python: "3.12", Lithops: "3.7.0", Modules: []string{"acmetext", "ps_mem"}}
	tests := []struct {
		name     string
		res      *deploy.Invocation
		want     Expect
		failWith []string // substrings of the *Failure message; nil: passes
	}{
		{"passes", &deploy.Invocation{Payload: []byte(good)}, want, nil},
		{"handler raised", &deploy.Invocation{Payload: []byte(`{"errorMessage": "boom: no redis", "errorType": "RuntimeError", "stackTrace": []}`), FunctionError: "Unhandled", LogTail: "START\nTraceback\nEND"},
			want, []string{"the runtime raised RuntimeError: boom: no redis", "log tail:\nSTART\nTraceback\nEND"}},
		{"function error without an error object", &deploy.Invocation{Payload: []byte(`Killed`), FunctionError: "Unhandled"},
			want, []string{"raised Unhandled: Killed"}},
		{"lithops mismatch", &deploy.Invocation{Payload: []byte(strings.Replace(good, `"3.7.0"`, `"3.6.0"`, 1))},
			want, []string{"the runtime has lithops 3.6.0, not 3.7.0"}},
		{"python mismatch", &deploy.Invocation{Payload: []byte(strings.Replace(good, `"3.12"`, `"3.11"`, 1))},
			want, []string{"runs Python 3.11, not 3.12"}},
		{"module missing", &deploy.Invocation{Payload: []byte(good)},
			Expect{Backend: lithops.AWSLambda, Python: "3.12", Lithops: "3.7.0", Modules: []string{"numpy", "acmetext", "yaml"}}, []string{"not importable in the runtime: numpy, yaml"}},
		{"not metadata", &deploy.Invocation{Payload: []byte(`{"Execution": "Finished"}`)},
			want, []string{"not Lithops runtime metadata", `"preinstalls" is missing`}},
		{"error object without FunctionError", &deploy.Invocation{Payload: []byte(`{"errorMessage": "Task timed out after 3.00 seconds"}`)},
			want, []string{"Task timed out after 3.00 seconds"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := &fakeInvoker{res: tt.res}
			md, err := Run(context.Background(), inv, deploy.Function{Name: "fn"}, tt.want)
			if inv.payload != `{"get_metadata": {}}` {
				t.Errorf("payload %q", inv.payload)
			}
			if tt.failWith == nil {
				if err != nil || md == nil || md.LithopsVersion != "3.7.0" {
					t.Fatalf("got %v, %v", md, err)
				}
				return
			}
			var f *Failure
			if !errors.As(err, &f) || md != nil {
				t.Fatalf("got %v, %v; want a *Failure", md, err)
			}
			for _, s := range tt.failWith {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error lacks %q:\n%s", s, err)
				}
			}
			if !strings.HasPrefix(err.Error(), "smoke test of function fn failed: ") {
				t.Errorf("error does not name the function: %s", err)
			}
		})
	}
}

func TestRunInvokeErrorIsNotAFailure(t *testing.T) {
	_, err := Run(context.Background(), &fakeInvoker{err: errors.New("connection refused")}, deploy.Function{Name: "fn"}, Expect{Backend: lithops.AliyunFC})
	var f *Failure
	if err == nil || errors.As(err, &f) || !strings.Contains(err.Error(), "invoking fn") {
		t.Fatalf("got %v", err)
	}
}
