package aliyunfc

import (
	"errors"
	"io"
	"strings"
	"syscall"
)

// isReset tells whether a call failed because the connection broke (reset, closed without an
// answer): the call may or may not have been served. Reads and idempotent writes (an update to
// the same spec, a put of the same object, a delete) are retried on it; a create that was served
// before the reset is recognised by its retry's "already exists" (createdByUs, ensureBucket).
// The SDKs flatten some transport errors to strings, so their messages are matched too.
func isReset(err error) bool {
	if err == nil {
		return false
	}
	var ae *APIError
	if errors.As(err, &ae) {
		return false // the service answered
	}
	if errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	msg := err.Error()
	for _, s := range []string{"connection reset", "broken pipe", "EOF", "server closed the connection", "closed network connection"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}
