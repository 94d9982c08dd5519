package runtimeapi

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// FunctionErrorUnhandled is Result.FunctionError for an invocation that raised, timed out or
// whose runtime failed to initialize (Lambda's X-Amz-Function-Error value).
const FunctionErrorUnhandled = "Unhandled"

// Result is the outcome of one invocation, as Lambda's Invoke API reports it.
type Result struct {
	// Payload is the runtime's response body, or the error object when FunctionError is set.
	Payload []byte
	// FunctionError is "" on success, "Unhandled" when the function failed.
	FunctionError string
	// RequestID is the invocation's id (Lambda-Runtime-Aws-Request-Id).
	RequestID string
	// Reset is true when Lambda would discard the execution environment after this outcome
	// (the function timed out or the runtime failed to initialize): the runtime process should
	// be stopped and a new one started, and Server.Reset called, before the next Invoke.
	Reset bool
}

// invocation is one queued event and where its outcome goes.
type invocation struct {
	id      string
	event   []byte
	timeout time.Duration
	done    chan *Result // buffered: the first outcome posted by the runtime
}

// Invoke queues an event for the runtime's next poll and waits for its response or error, or
// the deadline (timeout, counted from when the runtime picks the event up: the answer is a
// Lambda-style timeout error "Task timed out after N.NN seconds"), or an init error reported
// by the runtime, or ctx. The event must be JSON (empty means {}). Concurrent calls queue:
// one invocation runs at a time.
func (s *Server) Invoke(ctx context.Context, event []byte, timeout time.Duration) (*Result, error) {
	if timeout <= 0 {
		return nil, fmt.Errorf("invoking with timeout %v: the timeout must be positive", timeout)
	}
	if len(event) == 0 {
		event = []byte("{}") // as Lambda: an empty payload is an empty object
	}
	if !json.Valid(event) {
		return nil, fmt.Errorf("invoking with event %.64q: the event must be JSON", event)
	}
	select {
	case s.turn <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for the previous invocation: %w", context.Cause(ctx))
	case <-s.closed:
		return nil, ErrClosed
	}
	defer func() { <-s.turn }()

	inv := &invocation{id: newRequestID(), event: event, timeout: timeout, done: make(chan *Result, 1)}
	initErr, initFail := s.initFailure()
	if initErr != nil {
		return initErrorResult(inv.id, initErr), nil
	}
	s.mu.Lock()
	s.inflight[inv.id] = inv
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.inflight, inv.id)
		s.mu.Unlock()
	}()

	select {
	case s.queue <- inv: // a GET next took it
	case <-initFail:
		initErr, _ := s.initFailure()
		return initErrorResult(inv.id, initErr), nil
	case <-ctx.Done():
		return nil, fmt.Errorf("invocation %s: waiting for the runtime to poll for it: %w", inv.id, context.Cause(ctx))
	case <-s.closed:
		return nil, ErrClosed
	}
	start := time.Now()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case r := <-inv.done:
		s.log.Debug("invocation done", "request_id", inv.id, "function_error", r.FunctionError,
			"duration", time.Since(start))
		return r, nil
	case <-timer.C:
		s.log.Debug("invocation timed out", "request_id", inv.id, "timeout", timeout)
		return timeoutResult(inv.id, start.Add(timeout), timeout), nil
	case <-initFail:
		initErr, _ := s.initFailure()
		return initErrorResult(inv.id, initErr), nil
	case <-ctx.Done():
		select {
		case r := <-inv.done: // answered just before ctx ended (a runtime that exits after answering)
			return r, nil
		default:
		}
		return nil, fmt.Errorf("invocation %s: waiting for the runtime's answer: %w", inv.id, context.Cause(ctx))
	case <-s.closed:
		return nil, ErrClosed
	}
}

// timeoutResult is Lambda's answer when the function runs past its timeout.
func timeoutResult(id string, at time.Time, timeout time.Duration) *Result {
	msg := fmt.Sprintf("%s %s Task timed out after %.2f seconds",
		at.UTC().Format("2006-01-02T15:04:05.000Z"), id, timeout.Seconds())
	return &Result{
		Payload:       mustJSON(map[string]string{"errorMessage": msg}),
		FunctionError: FunctionErrorUnhandled,
		RequestID:     id,
		Reset:         true,
	}
}

// initErrorResult is Lambda's answer when the runtime reported an init error: its error object.
func initErrorResult(id string, body []byte) *Result {
	return &Result{Payload: body, FunctionError: FunctionErrorUnhandled, RequestID: id, Reset: true}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("runtimeapi: marshaling %T: %v", v, err))
	}
	return b
}
