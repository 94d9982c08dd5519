package fakeaws

import (
	"context"
	"maps"
	"net/http"
	"slices"
	"strings"
)

// AsyncInvocation is one queued (InvocationType=Event) invocation as it ran.
type AsyncInvocation struct {
	Function, RequestID string
	// FunctionError is "" when the handler returned; Err is set when Lambda could not run it.
	FunctionError string
	Err           string
	Payload       []byte
	LogTail       []byte
}

// runAsync runs a queued invocation in the background, as Lambda's event queue does after it
// answered 202. The fake does not retry a failed one (Lambda's MaximumRetryAttempts is 0 here);
// it records the outcome (AsyncInvocations). Runs end when the test ends.
func (c *Cloud) runAsync(run func(context.Context, []byte) (*invocation, *Error), name, id string, event []byte) {
	c.async.Add(1)
	go func() {
		defer c.async.Done()
		res, e := run(c.bg, event)
		rec := AsyncInvocation{Function: name, RequestID: id}
		if e != nil {
			rec.Err = e.Error()
		} else {
			rec.FunctionError, rec.Payload, rec.LogTail = res.functionError, res.payload, res.logTail
		}
		c.mu.Lock()
		c.asyncRuns = append(c.asyncRuns, rec)
		c.mu.Unlock()
	}()
}

// AsyncInvocations returns the queued invocations that have finished, in the order they did.
func (c *Cloud) AsyncInvocations() []AsyncInvocation {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.asyncRuns)
}

// sandboxEnv is the environment Lambda gives every function besides its own variables: the
// execution role's credentials, plus FunctionEnv (what reaching this fake from the sandbox needs).
func (c *Cloud) sandboxEnv() map[string]string {
	env := map[string]string{
		"AWS_ACCESS_KEY_ID":     AccessKeyID,
		"AWS_SECRET_ACCESS_KEY": SecretAccessKey,
		"AWS_SESSION_TOKEN":     "fake-session-token-of-the-execution-role",
	}
	maps.Copy(env, c.FunctionEnv)
	return env
}

// listLayers answers ListLayers: each layer with its latest version (the SDK's Layers list).
func (c *Cloud) listLayers(r *http.Request, _ string) (int, any, *Error) {
	runtime := r.URL.Query().Get("CompatibleRuntime")
	c.mu.Lock()
	defer c.mu.Unlock()
	items := []map[string]any{}
	for _, name := range slices.Sorted(maps.Keys(c.layers)) {
		vs := c.layers[name]
		for i := len(vs) - 1; i >= 0; i-- {
			v := vs[i]
			if runtime != "" && !slices.Contains(v.CompatibleRuntimes, runtime) {
				continue
			}
			items = append(items, map[string]any{
				"LayerName": name, "LayerArn": v.LayerArn,
				"LatestMatchingVersion": map[string]any{
					"LayerVersionArn": v.LayerVersionArn, "Version": v.Version, "Description": v.Description,
					"CreatedDate": v.CreatedDate, "CompatibleRuntimes": v.CompatibleRuntimes,
					"CompatibleArchitectures": v.CompatibleArchitectures,
				},
			})
			break
		}
	}
	return http.StatusOK, map[string]any{"Layers": items}, nil
}

// deployingOps are the Lambda operations that create or change functions and layers.
var deployingOps = []string{"CreateFunction", "PublishLayerVersion", "DeleteFunction", "DeleteLayerVersion"}

// Deploying tells whether a call creates or changes a function or layer, whatever its outcome:
// CreateFunction, Update*, PublishLayerVersion, Delete* (ECR's calls are the ECR's: ECR.Calls).
func (c Call) Deploying() bool {
	return c.Service == "lambda" && (slices.Contains(deployingOps, c.Op) || strings.HasPrefix(c.Op, "Update"))
}
