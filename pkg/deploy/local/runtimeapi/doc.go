// Package runtimeapi is an in-process implementation of the AWS Lambda Runtime API: the HTTP
// interface through which a Lambda runtime (the process a container image starts, such as
// awslambdaric) polls for invocation events and posts their results.
//
// A Server listens on 127.0.0.1 at a random port; pass Addr to the runtime process as
// AWS_LAMBDA_RUNTIME_API. Invoke queues an event, waits until the runtime picks it up with
// GET /2018-06-01/runtime/invocation/next, and then waits for the runtime's
// POST .../invocation/{id}/response or .../invocation/{id}/error, or for the function's timeout.
// A runtime that fails to initialize reports POST /2018-06-01/runtime/init/error; pending and
// later invocations then answer with that error, as Lambda does, until Reset.
//
// Outcomes follow Lambda's Invoke API: a function that raised, timed out or failed to
// initialize is a Result with FunctionError "Unhandled" and the error object as the payload,
// not a Go error. Go errors are reserved for the caller's context ending and a closed server.
package runtimeapi
