package fakealiyun

import (
	"cmp"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
)

// fc2Time is how FC 2.0 formats times.
const fc2Time = "2006-01-02T15:04:05.000+0000"

// serviceMetadata is an FC 2.0 service on the wire.
type serviceMetadata struct {
	ServiceName      string `json:"serviceName"`
	ServiceID        string `json:"serviceId"`
	Description      string `json:"description"`
	Role             string `json:"role"`
	InternetAccess   bool   `json:"internetAccess"`
	CreatedTime      string `json:"createdTime"`
	LastModifiedTime string `json:"lastModifiedTime"`
}

// service is an FC 2.0 service and its functions.
type service struct {
	meta      serviceMetadata
	functions map[string]*function
}

type serviceInput struct {
	ServiceName    *string `json:"serviceName"`
	Description    *string `json:"description"`
	Role           *string `json:"role"`
	InternetAccess *bool   `json:"internetAccess"`
}

func (c *Cloud) fc2Handler() http.Handler {
	mux := http.NewServeMux()
	svc := func(r *http.Request) string { return serviceName(r.PathValue("svc")) }
	fn := func(r *http.Request) string { return svc(r) + "/" + r.PathValue("fn") }
	none := func(*http.Request) string { return "" }
	route := func(pattern, op string, target func(*http.Request) string, h handlerFunc) {
		mux.HandleFunc(pattern, c.serve(APIFC2, op, target, h))
	}
	const p = "/2016-08-15/services"
	route("POST "+p, "CreateService", func(r *http.Request) string { return c.bodyName(r, "serviceName") }, c.fc2CreateService)
	route("GET "+p, "ListServices", none, c.fc2ListServices)
	route("GET "+p+"/{svc}", "GetService", svc, c.fc2GetService)
	route("PUT "+p+"/{svc}", "UpdateService", svc, c.fc2UpdateService)
	route("DELETE "+p+"/{svc}", "DeleteService", svc, c.fc2DeleteService)
	route("POST "+p+"/{svc}/functions", "CreateFunction", func(r *http.Request) string { return svc(r) + "/" + c.bodyName(r, "functionName") }, c.fc2CreateFunction)
	route("GET "+p+"/{svc}/functions", "ListFunctions", svc, c.fc2ListFunctions)
	route("GET "+p+"/{svc}/functions/{fn}", "GetFunction", fn, c.fc2GetFunction)
	route("PUT "+p+"/{svc}/functions/{fn}", "UpdateFunction", fn, c.fc2UpdateFunction)
	route("DELETE "+p+"/{svc}/functions/{fn}", "DeleteFunction", fn, c.fc2DeleteFunction)
	route("POST "+p+"/{svc}/functions/{fn}/invocations", "InvokeFunction", fn, c.fc2Invoke)
	route("GET "+p+"/{svc}/functions/{fn}/code", "GetFunctionCode", fn, c.fc2GetCode)
	mux.HandleFunc("GET /_fake/code/{checksum}", serveCode)
	mux.HandleFunc("/", c.serve(APIFC2, "Unknown", func(r *http.Request) string { return r.URL.Path },
		func(_ http.ResponseWriter, r *http.Request, _ string) (int, *Error) {
			return 0, &Error{http.StatusNotFound, "PathNotSupported", fmt.Sprintf("'%s' against '%s' is not supported by the fake", r.Method, r.URL.Path)}
		}))
	return mux
}

// serviceName drops a qualifier (service.LATEST, service.alias): the fake has no versions, the
// qualifier always means the latest.
func serviceName(s string) string {
	name, _, _ := strings.Cut(s, ".")
	return name
}

// Services lists the FC 2.0 services, sorted.
func (c *Cloud) Services() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return sortedKeys(c.services)
}

// Function2 returns an FC 2.0 function's configuration, as GetFunction returns it, and code.
func (c *Cloud) Function2(serviceName, name string) (FunctionState, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.services[serviceName]
	if !ok {
		return FunctionState{}, false
	}
	f, ok := s.functions[name]
	if !ok {
		return FunctionState{}, false
	}
	return f.state(), true
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

func fc2ServiceNotFound(name string) *Error {
	return &Error{http.StatusNotFound, "ServiceNotFound", fmt.Sprintf("service '%s' does not exist", name)}
}

func fc2FunctionNotFound(svc, name string) *Error {
	return &Error{http.StatusNotFound, "FunctionNotFound", fmt.Sprintf("function '%s' does not exist in service '%s'", name, svc)}
}

// lookup finds a service and, when fn is not "", its function. Called with c.mu held.
func (c *Cloud) lookup(svcName, fn string) (*service, *function, *Error) {
	s, ok := c.services[svcName]
	if !ok {
		return nil, nil, fc2ServiceNotFound(svcName)
	}
	if fn == "" {
		return s, nil, nil
	}
	f, ok := s.functions[fn]
	if !ok {
		return nil, nil, fc2FunctionNotFound(svcName, fn)
	}
	return s, f, nil
}

func splitTarget(target string) (svc, fn string) {
	svc, fn, _ = strings.Cut(target, "/")
	return svc, fn
}

func (c *Cloud) fc2CreateService(w http.ResponseWriter, r *http.Request, _ string) (int, *Error) {
	var in serviceInput
	if e := c.decode(r, &in); e != nil {
		return 0, e
	}
	name := deref(in.ServiceName)
	if !namePattern.MatchString(name) {
		return 0, errInvalid("invalid service name %q: it must start with a letter or underscore and contain only letters, digits, underscores and hyphens, at most 128 characters", name)
	}
	if role := deref(in.Role); role != "" && !slices.Contains(c.Roles, role) {
		return 0, c.errRole(role)
	}
	now := c.now().UTC().Format(fc2Time)
	s := &service{functions: map[string]*function{}, meta: serviceMetadata{
		ServiceName: name, ServiceID: newID(), Description: deref(in.Description), Role: deref(in.Role),
		InternetAccess: in.InternetAccess == nil || *in.InternetAccess, CreatedTime: now, LastModifiedTime: now,
	}}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.services[name]; ok {
		return 0, &Error{http.StatusConflict, "ServiceAlreadyExists", fmt.Sprintf("service '%s' already exists", name)}
	}
	c.services[name] = s
	writeJSON(w, http.StatusOK, s.meta)
	return http.StatusOK, nil
}

func (c *Cloud) fc2ListServices(w http.ResponseWriter, r *http.Request, _ string) (int, *Error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	prefix := r.URL.Query().Get("prefix")
	list := []serviceMetadata{}
	for _, name := range sortedKeys(c.services) {
		if strings.HasPrefix(name, prefix) {
			list = append(list, c.services[name].meta)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"services": list})
	return http.StatusOK, nil
}

func (c *Cloud) fc2GetService(w http.ResponseWriter, r *http.Request, name string) (int, *Error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, _, e := c.lookup(name, "")
	if e != nil {
		return 0, e
	}
	writeJSON(w, http.StatusOK, s.meta)
	return http.StatusOK, nil
}

func (c *Cloud) fc2UpdateService(w http.ResponseWriter, r *http.Request, name string) (int, *Error) {
	var in serviceInput
	if e := c.decode(r, &in); e != nil {
		return 0, e
	}
	if role := deref(in.Role); role != "" && !slices.Contains(c.Roles, role) {
		return 0, c.errRole(role)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	s, _, e := c.lookup(name, "")
	if e != nil {
		return 0, e
	}
	if in.Description != nil {
		s.meta.Description = *in.Description
	}
	if in.Role != nil {
		s.meta.Role = *in.Role
	}
	if in.InternetAccess != nil {
		s.meta.InternetAccess = *in.InternetAccess
	}
	s.meta.LastModifiedTime = c.now().UTC().Format(fc2Time)
	writeJSON(w, http.StatusOK, s.meta)
	return http.StatusOK, nil
}

func (c *Cloud) fc2DeleteService(w http.ResponseWriter, r *http.Request, name string) (int, *Error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, _, e := c.lookup(name, "")
	if e != nil {
		return 0, e
	}
	if len(s.functions) > 0 {
		return 0, &Error{http.StatusPreconditionFailed, "ServiceNotEmpty", fmt.Sprintf("service '%s' is not empty: delete its %d functions first", name, len(s.functions))}
	}
	delete(c.services, name)
	w.WriteHeader(http.StatusNoContent)
	return http.StatusNoContent, nil
}

func (c *Cloud) fc2CreateFunction(w http.ResponseWriter, r *http.Request, target string) (int, *Error) {
	svcName, _ := splitTarget(target)
	var in functionInput
	if e := c.decode(r, &in); e != nil {
		return 0, e
	}
	in.Role, in.InternetAccess = nil, nil // the service's, on FC 2.0
	now := c.now().UTC().Format(fc2Time)
	cfg := Function{FunctionID: newID(), FunctionName: deref(in.FunctionName), MemorySize: 128, Timeout: 3,
		CreatedTime: now, LastModifiedTime: now}
	in.apply(&cfg)
	if e := c.validate(cfg, false); e != nil {
		return 0, e
	}
	var code []byte
	if in.Code != nil || cfg.Runtime != customContainer {
		var e *Error
		if code, e = c.code(cmp.Or(in.Code, &codeInput{})); e != nil {
			return 0, e
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	s, _, e := c.lookup(svcName, "")
	if e != nil {
		return 0, e
	}
	if _, ok := s.functions[cfg.FunctionName]; ok {
		return 0, &Error{http.StatusConflict, "FunctionAlreadyExists", fmt.Sprintf("function '%s' already exists in service '%s'", cfg.FunctionName, svcName)}
	}
	f := &function{cfg: cfg, etag: newETag()}
	setCode(f, code)
	s.functions[cfg.FunctionName] = f
	w.Header().Set("ETag", f.etag)
	writeJSON(w, http.StatusOK, f.cfg)
	return http.StatusOK, nil
}

func (c *Cloud) fc2ListFunctions(w http.ResponseWriter, r *http.Request, svcName string) (int, *Error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, _, e := c.lookup(svcName, "")
	if e != nil {
		return 0, e
	}
	prefix := r.URL.Query().Get("prefix")
	list := []Function{}
	for _, name := range sortedKeys(s.functions) {
		if strings.HasPrefix(name, prefix) {
			list = append(list, s.functions[name].cfg)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"functions": list})
	return http.StatusOK, nil
}

func (c *Cloud) fc2GetFunction(w http.ResponseWriter, r *http.Request, target string) (int, *Error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, f, e := c.lookup(splitTarget(target))
	if e != nil {
		return 0, e
	}
	w.Header().Set("ETag", f.etag)
	writeJSON(w, http.StatusOK, f.cfg)
	return http.StatusOK, nil
}

func (c *Cloud) fc2UpdateFunction(w http.ResponseWriter, r *http.Request, target string) (int, *Error) {
	var in functionInput
	if e := c.decode(r, &in); e != nil {
		return 0, e
	}
	in.Role, in.InternetAccess = nil, nil
	var code []byte
	if in.Code != nil {
		var e *Error
		if code, e = c.code(in.Code); e != nil {
			return 0, e
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	_, f, e := c.lookup(splitTarget(target))
	if e != nil {
		return 0, e
	}
	if e := ifMatch(r, f, target); e != nil {
		return 0, e
	}
	cfg := f.cfg
	in.apply(&cfg)
	if e := c.validate(cfg, false); e != nil {
		return 0, e
	}
	f.cfg = cfg
	if code != nil {
		setCode(f, code)
	}
	f.cfg.LastModifiedTime = c.now().UTC().Format(fc2Time)
	f.etag = newETag()
	w.Header().Set("ETag", f.etag)
	writeJSON(w, http.StatusOK, f.cfg)
	return http.StatusOK, nil
}

func (c *Cloud) fc2DeleteFunction(w http.ResponseWriter, r *http.Request, target string) (int, *Error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	svc, fn := splitTarget(target)
	s, f, e := c.lookup(svc, fn)
	if e != nil {
		return 0, e
	}
	if e := ifMatch(r, f, target); e != nil {
		return 0, e
	}
	delete(s.functions, fn)
	w.WriteHeader(http.StatusNoContent)
	return http.StatusNoContent, nil
}

func (c *Cloud) fc2Invoke(w http.ResponseWriter, r *http.Request, target string) (int, *Error) {
	c.mu.Lock()
	_, f, e := c.lookup(splitTarget(target))
	if e != nil {
		c.mu.Unlock()
		return 0, e
	}
	cfg, code := f.cfg, f.code
	c.mu.Unlock()
	return c.invoke(w, r, cfg, code)
}

// newETag is a new FC 2.0 ETag: FC returns an opaque hex string (e19d5cd5af0378da05f63f891c7467af
// in its documentation) that changes with every change of the function.
func newETag() string {
	return strings.ToLower(strings.ReplaceAll(newID(), "-", ""))
}

// ifMatch checks an FC 2.0 request's If-Match header (UpdateFunction, DeleteFunction) against the
// function's ETag: a request made for another version of the function is 412 PreconditionFailed
// and changes nothing. Without the header the request is unconditional. Called with c.mu held.
func ifMatch(r *http.Request, f *function, target string) *Error {
	want := r.Header.Get("If-Match")
	if want == "" || want == f.etag {
		return nil
	}
	return &Error{http.StatusPreconditionFailed, "PreconditionFailed", fmt.Sprintf("function '%s' has etag %s, not the If-Match %s: it was changed since it was read", target, f.etag, want)}
}

// UpdateFunction2 changes an FC 2.0 function as another deployment's UpdateFunction would: at
// once, with a new ETag. For tests of concurrent deployments.
func (c *Cloud) UpdateFunction2(serviceName, name string, change func(*Function)) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, f, e := c.lookup(serviceName, name)
	if e != nil {
		return e
	}
	change(&f.cfg)
	f.cfg.LastModifiedTime = c.now().UTC().Format(fc2Time)
	f.etag = newETag()
	return nil
}
