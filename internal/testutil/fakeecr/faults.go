package fakeecr

import (
	"net/http"
	"net/http/httptest"
	"time"
)

// Fault is a failure injected into one request: an error answer, a dropped connection, or a delay.
type Fault struct {
	// Status, when set, answers the request with this HTTP status instead of serving it, with Code
	// and Message in the protocol's error format.
	Status        int
	Code, Message string
	// Reset closes the connection without answering, before the request is served: it has no effect.
	Reset bool
	// ResetAfter serves the request (its effects happen), then closes the connection without
	// answering: the client cannot tell whether it was served, as when a reply is lost in transit.
	ResetAfter bool
	// Delay is waited before the request is served (or failed).
	Delay time.Duration
}

// Injector decides, per request, whether it fails and how (nil: it is served normally). op is the
// control plane's operation ("CreateRepository", ...), with target ""; for the registry, op is the
// HTTP method and target the URL path.
type Injector func(op, target string) *Fault

// Inject serves one request through a fault: it waits f.Delay, then drops the connection
// (before or after serve), answers with writeError, or calls serve. A nil f calls serve. It returns
// the status of the answer (the one serve gave even when it was then dropped; 0 when the request
// was dropped unserved) and whether the connection was dropped.
func Inject(w http.ResponseWriter, r *http.Request, f *Fault, serve http.HandlerFunc, writeError func(http.ResponseWriter, *Fault)) (status int, dropped bool) {
	if f == nil {
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		serve(sw, r)
		return sw.status, false
	}
	if f.Delay > 0 {
		select {
		case <-time.After(f.Delay):
		case <-r.Context().Done():
		}
	}
	switch {
	case f.Reset:
		dropConnection(w)
		return 0, true
	case f.ResetAfter:
		rec := httptest.NewRecorder()
		serve(rec, r)
		dropConnection(w)
		return rec.Code, true
	case f.Status != 0:
		writeError(w, f)
		return f.Status, false
	}
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	serve(sw, r)
	return sw.status, false
}

// dropConnection closes the client's connection without writing anything: the client sees a reset
// or an unexpected EOF.
func dropConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("fakeecr: the response writer cannot be hijacked to drop the connection")
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	conn.Close()
}

// statusWriter remembers the status a handler answered with.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }
