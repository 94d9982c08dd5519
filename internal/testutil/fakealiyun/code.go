package fakealiyun

import (
	"net/http"
	"sync"
)

// Function code downloads (GetFunctionCode): FC answers a short-lived URL of the function's
// current code zip; the fake serves the zips it was given at /_fake/code/<checksum> on the API's
// own server.

// codeStore keeps every code zip by checksum.
type codeStore struct {
	mu   sync.Mutex
	zips map[string][]byte
}

var codes = &codeStore{zips: map[string][]byte{}}

func (s *codeStore) put(checksum string, zip []byte) {
	s.mu.Lock()
	s.zips[checksum] = zip
	s.mu.Unlock()
}

func (s *codeStore) get(checksum string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	z, ok := s.zips[checksum]
	return z, ok
}

// serveCode answers GET /_fake/code/{checksum}.
func serveCode(w http.ResponseWriter, r *http.Request) {
	z, ok := codes.get(r.PathValue("checksum"))
	if !ok {
		http.Error(w, "AccessDenied: the URL has expired", http.StatusForbidden)
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Write(z)
}

// fc3GetCode answers GetFunctionCode (FC 3.0): {"url", "checksum"}.
func (c *Cloud) fc3GetCode(w http.ResponseWriter, r *http.Request, name string) (int, *Error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, ok := c.fc3[name]
	if !ok {
		return 0, fc3NotFound(name)
	}
	codes.put(f.cfg.CodeChecksum, f.code)
	writeJSON(w, http.StatusOK, map[string]string{"url": c.FC3.URL + "/_fake/code/" + f.cfg.CodeChecksum, "checksum": f.cfg.CodeChecksum})
	return http.StatusOK, nil
}

// fc2GetCode answers GetFunctionCode (FC 2.0): {"url", "checksum"}.
func (c *Cloud) fc2GetCode(w http.ResponseWriter, r *http.Request, target string) (int, *Error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, f, e := c.lookup(splitTarget(target))
	if e != nil {
		return 0, e
	}
	codes.put(f.cfg.CodeChecksum, f.code)
	writeJSON(w, http.StatusOK, map[string]string{"url": c.FC2.URL + "/_fake/code/" + f.cfg.CodeChecksum, "checksum": f.cfg.CodeChecksum})
	return http.StatusOK, nil
}
