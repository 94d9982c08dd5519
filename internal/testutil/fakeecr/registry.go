package fakeecr

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// registryHandler puts ECR's authentication and repository checks in front of the registry and
// records the uploads.
func (e *ECR) registryHandler(reg http.Handler) http.Handler {
	serve := e.serveRegistry(reg)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		Inject(w, r, e.countRequest(r.Method, r.URL.Path), serve, writeRegistryFault)
	})
}

// writeRegistryFault answers with an injected error in the distribution spec's format.
func writeRegistryFault(w http.ResponseWriter, f *Fault) {
	code := f.Code
	switch {
	case f.Status == http.StatusTooManyRequests:
		code = "TOOMANYREQUESTS"
	case f.Status >= 500:
		code = "UNKNOWN"
	}
	registryError(w, f.Status, code, f.Message)
}

// serveRegistry answers registry requests after ECR's checks.
func (e *ECR) serveRegistry(reg http.Handler) http.HandlerFunc {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/v2/") && r.URL.Path != "/v2" {
			reg.ServeHTTP(w, r)
			return
		}
		if user, pass, ok := r.BasicAuth(); !ok || user != User || pass != e.password {
			w.Header().Set("WWW-Authenticate", `Basic realm="fake"`)
			registryError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
			return
		}
		name, rest, isRepo := splitRepo(r.URL.Path)
		if isRepo {
			if _, ok := e.Repository(name); !ok {
				registryError(w, http.StatusNotFound, "NAME_UNKNOWN",
					fmt.Sprintf("The repository with name '%s' does not exist in the registry with id '%s'", name, Account))
				return
			}
			e.record(r.Method, rest)
		}
		reg.ServeHTTP(w, r)
	})
}

// record counts blob uploads and manifest PUTs.
func (e *ECR) record(method, rest string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	switch {
	case strings.HasPrefix(rest, "blobs/uploads") &&
		(method == http.MethodPost || method == http.MethodPut || method == http.MethodPatch):
		e.blobUploads++
	case strings.HasPrefix(rest, "manifests/") && method == http.MethodPut:
		e.manifestPuts++
	}
}

// splitRepo splits /v2/<name>/<blobs|manifests|tags|referrers>/... into the repository name and
// the rest; isRepo is false for other paths (/v2/, /v2/_catalog).
func splitRepo(path string) (name, rest string, isRepo bool) {
	p := strings.TrimPrefix(path, "/v2/")
	for _, kind := range []string{"/blobs/", "/manifests/", "/tags/", "/referrers/"} {
		if i := strings.Index(p, kind); i > 0 {
			return p[:i], p[i+1:], true
		}
	}
	return "", "", false
}

// registryError answers with a distribution-spec error.
func registryError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]string{{"code": code, "message": msg}}})
}
