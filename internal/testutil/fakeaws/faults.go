package fakeaws

import (
	"fmt"
	"math/rand"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/fakeecr"
)

// SlowDelay is how long a slow response (Slow) waits before the request is served.
const SlowDelay = 200 * time.Millisecond

// Codes of the faults that are not error answers (an Error with these codes has no Status).
const (
	CodeConnectionReset = "fakeaws.ConnectionReset"
	CodeLostReply       = "fakeaws.LostReply"
	CodeSlow            = "fakeaws.Slow"
)

// ConnectionReset drops the connection before the call is served: it has no effect.
func ConnectionReset() *Error {
	return &Error{Code: CodeConnectionReset, Message: "the connection is dropped before the call is served"}
}

// LostReply serves the call, then drops the connection without the answer: the change is made,
// but the client cannot know it.
func LostReply() *Error {
	return &Error{Code: CodeLostReply, Message: "the call is served, then the connection is dropped without the answer"}
}

// Slow serves the call normally after SlowDelay.
func Slow() *Error {
	return &Error{Code: CodeSlow, Message: "the call is served after " + SlowDelay.String()}
}

// RandomFaults returns a Fault that fails about rate of the calls (0 <= rate <= 1), spread evenly
// over throttling (429), service errors (500), connections reset before the call is served, replies
// lost after it was served, and slow responses (SlowDelay). The same seed gives the same sequence
// of decisions; it is safe for concurrent use.
func RandomFaults(rate float64, seed int64) Fault {
	var mu sync.Mutex
	rnd := rand.New(rand.NewSource(seed))
	kinds := []func() *Error{Throttle, ServiceError, ConnectionReset, LostReply, Slow}
	return func(op, target string) *Error {
		mu.Lock()
		defer mu.Unlock()
		if rnd.Float64() >= rate {
			return nil
		}
		return kinds[rnd.Intn(len(kinds))]()
	}
}

// InjectFaults makes f decide the faults of every service of the cloud: Lambda (Fault), S3
// (S3Fault, with the HTTP method as op and the path as target), STS (STSFault) and ECR, both its
// control plane and its registry (ECR.Fault). Error answers are given in each service's own
// protocol: a 429 becomes S3's 503 SlowDown, STS's Throttling and ECR's ThrottlingException, a 5xx
// their internal errors. Call it before the first request.
func (c *Cloud) InjectFaults(f Fault) {
	c.Fault, c.S3Fault, c.STSFault = f, f, f
	c.ECR.Fault = func(op, target string) *fakeecr.Fault { return f(op, target).fault() }
}

// fault is e as fakeecr injects it (nil for nil).
func (e *Error) fault() *fakeecr.Fault {
	if e == nil {
		return nil
	}
	switch e.Code {
	case CodeConnectionReset:
		return &fakeecr.Fault{Reset: true}
	case CodeLostReply:
		return &fakeecr.Fault{ResetAfter: true}
	case CodeSlow:
		return &fakeecr.Fault{Delay: SlowDelay}
	}
	return &fakeecr.Fault{Status: e.Status, Code: e.Code, Message: e.Message}
}

// decide asks a fault hook about a call (nil hook: no fault).
func decide(hook Fault, op, target string) *fakeecr.Fault {
	if hook == nil {
		return nil
	}
	return hook(op, target).fault()
}

// writeS3Fault answers with an injected error in S3's XML format.
func writeS3Fault(w http.ResponseWriter, f *fakeecr.Fault) {
	status, code, msg := f.Status, f.Code, f.Message
	switch {
	case status == http.StatusTooManyRequests:
		status, code, msg = http.StatusServiceUnavailable, "SlowDown", "Please reduce your request rate."
	case status >= 500:
		status, code, msg = http.StatusInternalServerError, "InternalError", "We encountered an internal error. Please try again."
	}
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<Error><Code>%s</Code><Message>%s</Message><RequestId>fake</RequestId></Error>`, code, msg)
}

// writeSTSFault answers with an injected error in STS's query-protocol XML format.
func writeSTSFault(w http.ResponseWriter, f *fakeecr.Fault) {
	status, typ, code, msg := f.Status, "Sender", f.Code, f.Message
	switch {
	case status == http.StatusTooManyRequests:
		status, code, msg = http.StatusBadRequest, "Throttling", "Rate exceeded"
	case status >= 500:
		status, typ, code, msg = http.StatusInternalServerError, "Receiver", "InternalFailure", "An internal error occurred."
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<ErrorResponse><Error><Type>%s</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>fake</RequestId></ErrorResponse>`, typ, code, msg)
}

// Once returns a Fault that gives fault() to the first call of each of ops, and nothing else. It
// is safe for concurrent use.
func Once(fault func() *Error, ops ...string) Fault {
	var mu sync.Mutex
	done := map[string]bool{}
	return func(op, target string) *Error {
		mu.Lock()
		defer mu.Unlock()
		if done[op] || !slices.Contains(ops, op) {
			return nil
		}
		done[op] = true
		return fault()
	}
}

// Chain returns a Fault that asks faults in order and gives the first fault one of them gives.
// Every one is asked, so that each sees every call.
func Chain(faults ...Fault) Fault {
	return func(op, target string) *Error {
		var first *Error
		for _, f := range faults {
			if e := f(op, target); e != nil && first == nil {
				first = e
			}
		}
		return first
	}
}
