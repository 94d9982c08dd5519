package runtimeapi

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Runtime API paths and headers (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html).
const (
	pathPrefix = "/2018-06-01/runtime"

	headerRequestID   = "Lambda-Runtime-Aws-Request-Id"
	headerDeadline    = "Lambda-Runtime-Deadline-Ms"
	headerFunctionARN = "Lambda-Runtime-Invoked-Function-Arn"
	headerTraceID     = "Lambda-Runtime-Trace-Id"
	headerErrorType   = "Lambda-Runtime-Function-Error-Type"
)

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+pathPrefix+"/invocation/next", s.next)
	mux.HandleFunc("POST "+pathPrefix+"/invocation/{id}/response", s.response)
	mux.HandleFunc("POST "+pathPrefix+"/invocation/{id}/error", s.invocationError)
	mux.HandleFunc("POST "+pathPrefix+"/init/error", s.initError)
	return mux
}

// next blocks until an Invoke hands over an event, then sends it with its headers.
func (s *Server) next(w http.ResponseWriter, r *http.Request) {
	var inv *invocation
	select {
	case inv = <-s.queue:
	case <-r.Context().Done():
		return
	case <-s.closed:
		writeError(w, http.StatusGone, "ServerClosed", "the runtime api server is closing")
		return
	}
	now := time.Now()
	deadline := now.Add(inv.timeout)
	h := w.Header()
	h.Set(headerRequestID, inv.id)
	h.Set(headerDeadline, strconv.FormatInt(deadline.UnixMilli(), 10))
	h.Set(headerFunctionARN, s.arn)
	h.Set(headerTraceID, newTraceID(now))
	h.Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	if _, err := w.Write(inv.event); err != nil {
		s.log.Warn("sending an event to the runtime", "request_id", inv.id, "err", err)
	}
	s.log.Debug("event sent", "request_id", inv.id, "deadline_ms", deadline.UnixMilli())
}

// response records a successful result.
func (s *Server) response(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	inv, ok := s.lookup(w, id)
	if !ok {
		return
	}
	body, ok := s.readBody(w, r, inv)
	if !ok {
		return
	}
	s.finish(w, inv, &Result{Payload: body, RequestID: id})
}

// invocationError records the function's error object.
func (s *Server) invocationError(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	inv, ok := s.lookup(w, id)
	if !ok {
		return
	}
	body, ok := s.readBody(w, r, inv)
	if !ok {
		return
	}
	payload := errorObject(body, r.Header.Get(headerErrorType))
	s.finish(w, inv, &Result{Payload: payload, FunctionError: FunctionErrorUnhandled, RequestID: id})
}

// initError records that the runtime could not initialize.
func (s *Server) initError(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxPayloadBytes))
	if err != nil {
		writeError(w, http.StatusBadRequest, "InvalidRequest", "reading the init error: "+err.Error())
		return
	}
	payload := errorObject(body, r.Header.Get(headerErrorType))
	s.log.Debug("runtime reported an init error", "error", string(payload))
	s.reportInitError(payload)
	writeAccepted(w)
}

// lookup finds the in-flight invocation id; unknown ids (never sent, already answered, timed
// out) are refused with 400, as Lambda does.
func (s *Server) lookup(w http.ResponseWriter, id string) (*invocation, bool) {
	s.mu.Lock()
	inv, ok := s.inflight[id]
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusBadRequest, "InvalidRequestID", "no invocation in flight with request id "+strconv.Quote(id))
	}
	return inv, ok
}

// readBody reads a response or error body; an oversized one is refused with 413 and fails the
// invocation the way Lambda does.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request, inv *invocation) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxPayloadBytes))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		msg := "Response payload size exceeded maximum allowed payload size (" + strconv.Itoa(MaxPayloadBytes) + " bytes)."
		s.complete(inv, &Result{
			Payload:       mustJSON(map[string]string{"errorMessage": msg, "errorType": "Function.ResponseSizeTooLarge"}),
			FunctionError: FunctionErrorUnhandled,
			RequestID:     inv.id,
		})
		writeError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", msg)
		return nil, false
	case err != nil:
		writeError(w, http.StatusBadRequest, "InvalidRequest", "reading the body: "+err.Error())
		return nil, false
	}
	return body, true
}

// finish delivers an outcome and answers 202, or 400 if the invocation already has one.
func (s *Server) finish(w http.ResponseWriter, inv *invocation, r *Result) {
	if !s.complete(inv, r) {
		writeError(w, http.StatusBadRequest, "InvalidStateTransition", "invocation "+inv.id+" already has a result")
		return
	}
	writeAccepted(w)
}

// complete delivers the first outcome of an invocation; it reports whether r was the first.
func (s *Server) complete(inv *invocation, r *Result) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.inflight[inv.id]; !ok {
		return false
	}
	delete(s.inflight, inv.id)
	inv.done <- r // buffered, and only the first completion gets here
	return true
}

// errorObject returns the body if it is a JSON object (Lambda passes the runtime's error
// object through), or else an object made of the body as the message and the header's type.
func errorObject(body []byte, errorType string) []byte {
	var obj map[string]any
	if json.Unmarshal(body, &obj) == nil && obj != nil {
		return body
	}
	if errorType == "" {
		errorType = "Runtime.Unknown"
	}
	return mustJSON(map[string]string{"errorMessage": string(body), "errorType": errorType})
}

func writeAccepted(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = w.Write([]byte(`{"status":"OK"}`))
}

func writeError(w http.ResponseWriter, status int, errorType, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"errorType": errorType, "errorMessage": msg})
}
