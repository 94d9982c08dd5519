package runtimeapi

import (
	"io"
	"log/slog"
)

// DefaultFunctionARN is the function ARN the runtime sees when WithFunctionARN is not used.
const DefaultFunctionARN = "arn:aws:lambda:us-east-1:000000000000:function:function"

// MaxPayloadBytes is Lambda's limit on a synchronous response (6 MB); a larger response or
// error body is refused with 413 and the invocation fails with Function.ResponseSizeTooLarge.
const MaxPayloadBytes = 6 * 1024 * 1024

// Option configures a Server.
type Option func(*config)

type config struct {
	log *slog.Logger
	arn string
}

func defaults() config {
	return config{
		log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		arn: DefaultFunctionARN,
	}
}

// WithLogger sets the logger for protocol events (debug level); the default discards.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l != nil {
			c.log = l
		}
	}
}

// WithFunctionARN sets the value of the Lambda-Runtime-Invoked-Function-Arn header.
func WithFunctionARN(arn string) Option {
	return func(c *config) {
		if arn != "" {
			c.arn = arn
		}
	}
}
