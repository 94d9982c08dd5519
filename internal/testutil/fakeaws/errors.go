package fakeaws

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
)

// Error is a Lambda error response: HTTP status, error type (the x-amzn-ErrorType header) and
// message, as Lambda sends them. As an injected fault (Fault), an Error without Status whose Code
// is CodeConnectionReset, CodeLostReply or CodeSlow drops the connection or delays the answer
// instead: see ConnectionReset, LostReply and Slow.
type Error struct {
	Status  int
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func errConflict(msg string) *Error {
	return &Error{http.StatusConflict, "ResourceConflictException", msg}
}
func errNotFound(msg string) *Error {
	return &Error{http.StatusNotFound, "ResourceNotFoundException", msg}
}
func errInvalid(msg string) *Error {
	return &Error{http.StatusBadRequest, "InvalidParameterValueException", msg}
}
func errValidation(msg string) *Error {
	return &Error{http.StatusBadRequest, "ValidationException", "1 validation error detected: " + msg}
}
func errPrecondition() *Error {
	return &Error{http.StatusPreconditionFailed, "PreconditionFailedException",
		"The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id"}
}

// Throttle is the error Lambda gives when the account's request rate is exceeded.
func Throttle() *Error {
	return &Error{http.StatusTooManyRequests, "TooManyRequestsException", "Rate exceeded"}
}

// ServiceError is Lambda's 500.
func ServiceError() *Error {
	return &Error{http.StatusInternalServerError, "ServiceException", "An internal error occurred. Try again."}
}

func writeError(w http.ResponseWriter, e *Error) {
	w.Header().Set("X-Amzn-ErrorType", e.Code)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.Status)
	json.NewEncoder(w).Encode(map[string]string{"Type": "User", "message": e.Message})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func ioReadFull(r io.Reader, b []byte) (int, error) { return io.ReadFull(r, b) }

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }
