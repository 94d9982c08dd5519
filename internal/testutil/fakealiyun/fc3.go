package fakealiyun

import (
	"fmt"
	"net/http"
	"strings"
)

// fc3Time is how FC 3.0 formats times.
const fc3Time = "2006-01-02T15:04:05Z"

func (c *Cloud) fc3Handler() http.Handler {
	mux := http.NewServeMux()
	name := func(r *http.Request) string { return r.PathValue("name") }
	none := func(*http.Request) string { return "" }
	route := func(pattern, op string, target func(*http.Request) string, h handlerFunc) {
		mux.HandleFunc(pattern, c.serve(APIFC3, op, target, h))
	}
	route("POST /2023-03-30/functions", "CreateFunction", func(r *http.Request) string { return c.bodyName(r, "functionName") }, c.fc3Create)
	route("GET /2023-03-30/functions", "ListFunctions", none, c.fc3List)
	route("GET /2023-03-30/functions/{name}", "GetFunction", name, c.fc3Get)
	route("PUT /2023-03-30/functions/{name}", "UpdateFunction", name, c.fc3Update)
	route("DELETE /2023-03-30/functions/{name}", "DeleteFunction", name, c.fc3Delete)
	route("POST /2023-03-30/functions/{name}/invocations", "InvokeFunction", name, c.fc3Invoke)
	route("GET /2023-03-30/functions/{name}/code", "GetFunctionCode", name, c.fc3GetCode)
	route("POST /2023-03-30/tags-v2", "TagResources", func(r *http.Request) string { return "" }, c.fc3TagResources)
	mux.HandleFunc("GET /_fake/code/{checksum}", serveCode)
	mux.HandleFunc("/", c.serve(APIFC3, "Unknown", func(r *http.Request) string { return r.URL.Path },
		func(_ http.ResponseWriter, r *http.Request, _ string) (int, *Error) {
			return 0, &Error{http.StatusNotFound, "PathNotSupported", fmt.Sprintf("'%s' against '%s' is not supported by the fake", r.Method, r.URL.Path)}
		}))
	return mux
}

// Function3 returns an FC 3.0 function's configuration, as GetFunction returns it, and code.
func (c *Cloud) Function3(name string) (FunctionState, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.settle()
	f, ok := c.fc3[name]
	if !ok {
		return FunctionState{}, false
	}
	return f.state(), true
}

// Functions3 lists the FC 3.0 functions' names, sorted.
func (c *Cloud) Functions3() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return sortedKeys(c.fc3)
}

// settle ends Pending and InProgress states whose time has come. Called with c.mu held.
func (c *Cloud) settle() {
	now := c.now()
	for _, f := range c.fc3 {
		if f.cfg.State == "Active" && f.cfg.LastUpdateStatus == "Successful" || now.Before(f.settleAt) {
			continue
		}
		f.cfg.State, f.cfg.StateReason, f.cfg.StateReasonCode = "Active", "", ""
		f.cfg.LastUpdateStatus, f.cfg.LastUpdateStatusReason, f.cfg.LastUpdateStatusReasonCode = "Successful", "", ""
		f.live, f.liveCode = f.cfg, f.code
	}
}

func fc3NotFound(name string) *Error {
	return &Error{http.StatusNotFound, "FunctionNotFound", fmt.Sprintf("function '%s' does not exist", name)}
}

func (c *Cloud) fc3Create(w http.ResponseWriter, r *http.Request, _ string) (int, *Error) {
	var in functionInput
	if e := c.decode(r, &in); e != nil {
		return 0, e
	}
	now := c.now().UTC()
	cfg := Function{
		FunctionID: newID(), FunctionName: deref(in.FunctionName),
		MemorySize: 128, Timeout: 3, InternetAccess: boolPtr(true),
		CreatedTime: now.Format(fc3Time), LastModifiedTime: now.Format(fc3Time),
	}
	cfg.FunctionArn = fmt.Sprintf("acs:fc:%s:%s:functions/%s", c.Region, c.AccountID, cfg.FunctionName)
	in.apply(&cfg)
	if e := c.validate(cfg, true); e != nil {
		return 0, e
	}
	if e := checkTags(nil, in.Tags); e != nil {
		return 0, e
	}
	setTags(&cfg, in.Tags)
	var code []byte
	if in.Code != nil || cfg.Runtime != customContainer {
		if in.Code == nil {
			in.Code = &codeInput{}
		}
		var e *Error
		if code, e = c.code(in.Code); e != nil {
			return 0, e
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.settle()
	if _, ok := c.fc3[cfg.FunctionName]; ok {
		return 0, &Error{http.StatusConflict, "FunctionAlreadyExists", fmt.Sprintf("function '%s' already exists", cfg.FunctionName)}
	}
	f := &function{cfg: cfg}
	setCode(f, code)
	f.cfg.State, f.cfg.StateReason, f.cfg.StateReasonCode = "Pending", "Function is being created", "Creating"
	f.cfg.LastUpdateStatus = "InProgress"
	f.settleAt = c.now().Add(c.Settle)
	c.fc3[cfg.FunctionName] = f
	writeJSON(w, http.StatusOK, f.cfg)
	return http.StatusOK, nil
}

func (c *Cloud) fc3Get(w http.ResponseWriter, r *http.Request, name string) (int, *Error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.settle()
	f, ok := c.fc3[name]
	if !ok {
		return 0, fc3NotFound(name)
	}
	writeJSON(w, http.StatusOK, f.cfg)
	return http.StatusOK, nil
}

// fc3List is ListFunctions with a prefix, without pagination: all matching functions at once.
func (c *Cloud) fc3List(w http.ResponseWriter, r *http.Request, _ string) (int, *Error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.settle()
	prefix := r.URL.Query().Get("prefix")
	list := []Function{}
	for _, name := range sortedKeys(c.fc3) {
		if strings.HasPrefix(name, prefix) {
			list = append(list, c.fc3[name].cfg)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"functions": list})
	return http.StatusOK, nil
}

func (c *Cloud) fc3Update(w http.ResponseWriter, r *http.Request, name string) (int, *Error) {
	var in functionInput
	if e := c.decode(r, &in); e != nil {
		return 0, e
	}
	var code []byte
	if in.Code != nil {
		var e *Error
		if code, e = c.code(in.Code); e != nil {
			return 0, e
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.settle()
	f, ok := c.fc3[name]
	if !ok {
		return 0, fc3NotFound(name)
	}
	if f.cfg.State == "Pending" || f.cfg.LastUpdateStatus == "InProgress" {
		return 0, &Error{http.StatusConflict, "ConcurrentUpdateError",
			fmt.Sprintf("function '%s' is being created or updated (state %s, lastUpdateStatus %s): wait until lastUpdateStatus is Successful", name, f.cfg.State, f.cfg.LastUpdateStatus)}
	}
	cfg := f.cfg
	in.apply(&cfg)
	if e := c.validate(cfg, true); e != nil {
		return 0, e
	}
	f.cfg = cfg
	if code != nil {
		setCode(f, code)
	}
	f.cfg.LastModifiedTime = c.now().UTC().Format(fc3Time)
	f.cfg.LastUpdateStatus, f.cfg.LastUpdateStatusReason, f.cfg.LastUpdateStatusReasonCode = "InProgress", "The function is being updated", "Updating"
	f.settleAt = c.now().Add(c.Settle)
	writeJSON(w, http.StatusOK, f.cfg)
	return http.StatusOK, nil
}

func (c *Cloud) fc3Delete(w http.ResponseWriter, r *http.Request, name string) (int, *Error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.fc3[name]; !ok {
		return 0, fc3NotFound(name)
	}
	delete(c.fc3, name)
	w.WriteHeader(http.StatusNoContent)
	return http.StatusNoContent, nil
}

func (c *Cloud) fc3Invoke(w http.ResponseWriter, r *http.Request, name string) (int, *Error) {
	c.mu.Lock()
	c.settle()
	f, ok := c.fc3[name]
	if !ok {
		c.mu.Unlock()
		return 0, fc3NotFound(name)
	}
	if f.cfg.State != "Active" {
		c.mu.Unlock()
		return 0, &Error{http.StatusPreconditionFailed, "PreconditionFailed",
			fmt.Sprintf("function '%s' is in state %s and cannot be invoked until it is Active", name, f.cfg.State)}
	}
	cfg, code := f.live, f.liveCode
	c.mu.Unlock()
	return c.invoke(w, r, cfg, code)
}
