package config

import (
	"errors"
	"fmt"
	"strings"
)

// InputError is one bad input: which input, the value it had, where that value came from, and
// the rule it breaks (what is allowed, or how to fix it).
type InputError struct {
	Input string // the input's name, e.g. "memory"
	Value string // the offending value, already masked when secret
	From  string // where the value came from, e.g. "INPUT_MEMORY", "--memory", "lithops-config aws_lambda.runtime_memory"
	Rule  string // what is allowed / what to do
}

// Error renders the problem on one line: input, value, rule, origin.
func (e *InputError) Error() string {
	var b strings.Builder
	b.WriteString(e.Input)
	if e.Value != "" {
		fmt.Fprintf(&b, "=%q", e.Value)
	}
	b.WriteString(": ")
	b.WriteString(e.Rule)
	if e.From != "" && e.From != sourceDefault {
		fmt.Fprintf(&b, " (from %s)", e.From)
	}
	return b.String()
}

// InputErrors returns the InputErrors joined into err (by errors.Join), in order.
func InputErrors(err error) []*InputError {
	var out []*InputError
	var walk func(error)
	walk = func(err error) {
		if err == nil {
			return
		}
		var ie *InputError
		if errors.As(err, &ie) && ie == err {
			out = append(out, ie)
			return
		}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
			return
		}
		if errors.As(err, &ie) {
			out = append(out, ie)
		}
	}
	walk(err)
	return out
}
