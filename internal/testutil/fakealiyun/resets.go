package fakealiyun

import (
	"math/rand"
	"net/http"
	"net/http/httptest"
	"sync"
)

// Codes of the faults that are not error answers: an Error with one of these codes (and no
// Status) drops the connection instead of answering, as a network between the tool and the
// service does.
const (
	CodeConnectionReset = "fakealiyun.ConnectionReset"
	CodeLostReply       = "fakealiyun.LostReply"
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

// RandomFaults returns a Fault hook that fails about rate of the calls (0 <= rate <= 1), spread
// evenly over throttling, internal errors, connections reset before the call is served and replies
// lost after it was served. The same seed gives the same sequence of decisions; it is safe for
// concurrent use. InvokeFunction is left alone (an invocation is not the deployment's to retry).
func RandomFaults(rate float64, seed int64) func(api, op, target string) *Error {
	var mu sync.Mutex
	rnd := rand.New(rand.NewSource(seed))
	kinds := []func() *Error{Throttle, InternalError, ConnectionReset, LostReply}
	return func(api, op, target string) *Error {
		mu.Lock()
		defer mu.Unlock()
		if op == "InvokeFunction" || rnd.Float64() >= rate {
			return nil
		}
		return kinds[rnd.Intn(len(kinds))]()
	}
}

// dropConnection closes the client's connection without an answer.
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler) // the server drops the connection
}

// network applies a connection fault: reset drops the connection before serve runs, lostReply
// runs serve into a discarded answer and then drops it. It reports false for other faults.
func network(e *Error, w http.ResponseWriter, serve func(w http.ResponseWriter)) bool {
	switch {
	case e == nil || e.Status != 0:
		return false
	case e.Code == CodeConnectionReset:
		dropConnection(w)
		return true
	case e.Code == CodeLostReply:
		serve(httptest.NewRecorder())
		dropConnection(w)
		return true
	}
	return false
}
