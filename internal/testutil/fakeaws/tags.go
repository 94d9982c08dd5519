package fakeaws

import (
	"fmt"
	"regexp"
	"strings"
)

// Lambda's tag rules (https://docs.aws.amazon.com/lambda/latest/dg/configuration-tags.html):
// at most 50 tags per function; keys 1-128 characters, values up to 256, both of letters,
// numbers, spaces and _.:/=+-@; keys may not start with aws:.
const (
	maxTags        = 50
	maxTagKeyLen   = 128
	maxTagValueLen = 256
)

var tagChars = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)

// checkTags validates tags as Lambda does, counting those the function already has.
func checkTags(have, add map[string]string) *Error {
	n := len(have)
	for k, v := range add {
		if _, ok := have[k]; !ok {
			n++
		}
		switch {
		case len(k) == 0 || len(k) > maxTagKeyLen || !tagChars.MatchString(k):
			return errInvalid(fmt.Sprintf("tag key %q: 1-%d letters, numbers, spaces and _.:/=+-@", k, maxTagKeyLen))
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			return errInvalid(fmt.Sprintf("tag key %q: the aws: prefix is reserved", k))
		case len(v) > maxTagValueLen || !tagChars.MatchString(v):
			return errInvalid(fmt.Sprintf("tag value %q of %q: up to %d letters, numbers, spaces and _.:/=+-@", v, k, maxTagValueLen))
		}
	}
	if n > maxTags {
		return errInvalid(fmt.Sprintf("a function has at most %d tags; this would make %d", maxTags, n))
	}
	return nil
}
