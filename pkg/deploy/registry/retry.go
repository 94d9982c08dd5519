package registry

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"syscall"
)

// retryPredicate tells which errors are transient (the registry's 408/429/5xx answers, dropped
// and reset connections) and logs each retry.
func retryPredicate(log *slog.Logger) func(error) bool {
	return func(err error) bool {
		if !transient(err) {
			return false
		}
		log.Warn("registry request failed, retrying", "err", err)
		return true
	}
}

// transient tells whether err is worth another attempt.
func transient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var t interface{ Temporary() bool }
	if errors.As(err, &t) && t.Temporary() {
		return true
	}
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, net.ErrClosed)
}
