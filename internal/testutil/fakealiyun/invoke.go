package fakealiyun

import (
	"context"
	"encoding/base64"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/zipbundle"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy/local"
)

// Invocation headers, as FC and its SDKs spell them.
const (
	headerInvocationType = "X-Fc-Invocation-Type" // "Sync" (default) or "Async"
	headerLogType        = "X-Fc-Log-Type"        // "Tail" asks for the log tail
	headerLogResult      = "X-Fc-Log-Result"      // base64 of the log tail
	headerErrorType      = "X-Fc-Error-Type"      // "UnhandledInvocationError" when the function failed
)

// invoke runs cfg's code with the event in the request body, the way FC runs it, and writes FC's
// invoke response.
func (c *Cloud) invoke(w http.ResponseWriter, r *http.Request, cfg Function, code []byte) (int, *Error) {
	event, e := c.readBody(r)
	if e != nil {
		return 0, e
	}
	if cfg.Runtime == customContainer {
		return 0, &Error{http.StatusNotImplemented, "NotImplemented",
			"invoking custom-container functions is not implemented by the fake: it does not run images"}
	}
	fn := local.Function{
		Name: cfg.FunctionName, Handler: cfg.Handler,
		Python: strings.TrimPrefix(cfg.Runtime, "python"), MemoryMB: int(cfg.MemorySize),
		Timeout: time.Duration(cfg.Timeout) * time.Second, Convention: local.FC,
		Env: cfg.EnvironmentVariables,
	}
	switch t := r.Header.Get(headerInvocationType); t {
	case "", "Sync":
	case "Async":
		c.runAsync(func(ctx context.Context) {
			if dir, err := c.extract(ctx, code); err == nil {
				fn.CodeDir = dir
				c.localHost().Invoke(ctx, fn, event)
			}
		})
		w.WriteHeader(http.StatusAccepted)
		return http.StatusAccepted, nil
	default:
		return 0, errInvalid("invalid %s %q: it must be Sync or Async", headerInvocationType, t)
	}
	dir, err := c.extract(r.Context(), code)
	if err != nil {
		return 0, &Error{http.StatusInternalServerError, "InternalServerError", "extracting the code: " + err.Error()}
	}
	fn.CodeDir = dir
	res, err := c.localHost().Invoke(r.Context(), fn, event)
	if err != nil {
		return 0, &Error{http.StatusBadGateway, "BadResponse", err.Error()}
	}
	// The request ID is the one the function saw in context.request_id, as on FC.
	w.Header().Set("X-Fc-Request-Id", res.RequestID)
	if res.FunctionError != "" {
		w.Header().Set(headerErrorType, res.FunctionError)
	}
	if strings.EqualFold(r.Header.Get(headerLogType), "Tail") {
		w.Header().Set(headerLogResult, base64.StdEncoding.EncodeToString(res.LogTail))
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.WriteHeader(http.StatusOK)
	w.Write(res.Payload)
	return http.StatusOK, nil
}

// extract unpacks a code zip once into the cache, by checksum.
func (c *Cloud) extract(ctx context.Context, data []byte) (string, error) {
	c.extractMu.Lock()
	defer c.extractMu.Unlock()
	sum := checksum(data)
	c.mu.Lock()
	dir, ok := c.extracted[sum]
	c.mu.Unlock()
	if ok {
		return dir, nil
	}
	dir = filepath.Join(c.cache, sum)
	zipPath := dir + ".zip"
	if err := os.WriteFile(zipPath, data, 0o644); err != nil {
		return "", err
	}
	if err := zipbundle.Extract(ctx, zipPath, dir); err != nil {
		return "", err
	}
	os.Remove(zipPath)
	c.mu.Lock()
	c.extracted[sum] = dir
	c.mu.Unlock()
	return dir, nil
}
