package fakealiyun

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"maps"
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
		return c.invokeContainer(w, r, cfg, event)
	}
	fn := local.Function{
		Name: cfg.FunctionName, Handler: cfg.Handler,
		Python: strings.TrimPrefix(cfg.Runtime, "python"), MemoryMB: int(cfg.MemorySize),
		Timeout: time.Duration(cfg.Timeout) * time.Second, Convention: local.FC,
		Env: maps.Clone(c.FunctionEnv),
	}
	if fn.Env == nil {
		fn.Env = map[string]string{}
	}
	maps.Copy(fn.Env, cfg.EnvironmentVariables)
	if c.RuntimePackages != "" {
		fn.LayerDirs = []string{c.RuntimePackages}
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

// ContainerFunction is what a ContainerInvoker needs of a custom-container function.
type ContainerFunction struct {
	Name     string
	Image    string // customContainerConfig.image
	Port     int    // customContainerConfig.port (default 9000)
	MemoryMB int
	Timeout  time.Duration
	Region   string
}

// ContainerInvocation is a custom container's answer to POST /invoke.
type ContainerInvocation struct {
	Status  int
	Body    []byte
	LogTail []byte
}

// ContainerInvoker runs a custom-container function's image and sends it the event as FC does
// (POST /invoke with x-fc-request-id).
type ContainerInvoker func(ctx context.Context, fn ContainerFunction, event []byte, requestID string) (*ContainerInvocation, error)

// invokeContainer runs a custom-container invocation through c.ContainerInvoker (501 without
// one). A non-2xx answer of the container is a function error, as FC reports it.
func (c *Cloud) invokeContainer(w http.ResponseWriter, r *http.Request, cfg Function, event []byte) (int, *Error) {
	if c.ContainerInvoker == nil {
		return 0, &Error{http.StatusNotImplemented, "NotImplemented",
			"invoking custom-container functions needs Cloud.ContainerInvoker: this fake does not run images by itself"}
	}
	var cc struct {
		Image string `json:"image"`
		Port  int    `json:"port"`
	}
	json.Unmarshal(cfg.CustomContainerConfig, &cc)
	if cc.Port == 0 {
		cc.Port = 9000
	}
	rid := newID()
	res, err := c.ContainerInvoker(r.Context(), ContainerFunction{
		Name: cfg.FunctionName, Image: cc.Image, Port: cc.Port, MemoryMB: int(cfg.MemorySize),
		Timeout: time.Duration(cfg.Timeout) * time.Second, Region: c.Region,
	}, event, rid)
	if err != nil {
		return 0, &Error{http.StatusBadGateway, "BadResponse", err.Error()}
	}
	w.Header().Set("X-Fc-Request-Id", rid)
	if res.Status < 200 || res.Status > 299 {
		w.Header().Set(headerErrorType, "UnhandledInvocationError")
	}
	if strings.EqualFold(r.Header.Get(headerLogType), "Tail") {
		w.Header().Set(headerLogResult, base64.StdEncoding.EncodeToString(res.LogTail))
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.WriteHeader(http.StatusOK)
	w.Write(res.Body)
	return http.StatusOK, nil
}
