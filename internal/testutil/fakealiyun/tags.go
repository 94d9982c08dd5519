package fakealiyun

import (
	"fmt"
	"net/http"
	"strings"
)

// Tag is one FC 3.0 tag, as GetFunction returns it in "tags" and TagResources takes it.
type Tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// Function Compute's tag rules (https://www.alibabacloud.com/help/en/functioncompute/tag-management):
// at most 20 tags per function; keys up to 64 characters, values up to 128; keys may not start
// with aliyun or acs:.
const (
	maxTags        = 20
	maxTagKeyLen   = 64
	maxTagValueLen = 128
)

// checkTags validates tags as FC 3.0 does, counting those the function already has.
func checkTags(have []Tag, add []Tag) *Error {
	n := len(have)
	for _, t := range add {
		found := false
		for _, h := range have {
			found = found || h.Key == t.Key
		}
		if !found {
			n++
		}
		lk := strings.ToLower(t.Key)
		switch {
		case t.Key == "" || len([]rune(t.Key)) > maxTagKeyLen:
			return errInvalid("tag key %q: 1 to %d characters", t.Key, maxTagKeyLen)
		case strings.HasPrefix(lk, "aliyun") || strings.HasPrefix(lk, "acs:"):
			return errInvalid("tag key %q: the aliyun and acs: prefixes are reserved", t.Key)
		case len([]rune(t.Value)) > maxTagValueLen:
			return errInvalid("tag value of %q: at most %d characters", t.Key, maxTagValueLen)
		}
	}
	if n > maxTags {
		return errInvalid("a resource has at most %d tags; this would make %d", maxTags, n)
	}
	return nil
}

// setTags sets tags on a function's configuration, replacing the values of keys it has.
func setTags(cfg *Function, tags []Tag) {
	for _, t := range tags {
		replaced := false
		for i := range cfg.Tags {
			if cfg.Tags[i].Key == t.Key {
				cfg.Tags[i].Value, replaced = t.Value, true
			}
		}
		if !replaced {
			cfg.Tags = append(cfg.Tags, t)
		}
	}
}

// fc3TagResources is TagResources (POST /2023-03-30/tags-v2): tags on functions named by ARN
// (acs:fc:<region>:<account>:functions/<name>), resource type FUNCTION. Tags are not part of the
// function's configuration: setting them neither updates the function nor changes its state.
func (c *Cloud) fc3TagResources(w http.ResponseWriter, r *http.Request, _ string) (int, *Error) {
	var in struct {
		ResourceType string   `json:"ResourceType"`
		ResourceID   []string `json:"ResourceId"`
		Tag          []Tag    `json:"Tag"`
	}
	if e := c.decode(r, &in); e != nil {
		return 0, e
	}
	if t := strings.ToUpper(in.ResourceType); t != "" && t != "FUNCTION" && t != "ALIYUN::FC::FUNCTION" {
		return 0, errInvalid("ResourceType %q is not supported: FUNCTION", in.ResourceType)
	}
	if len(in.ResourceID) == 0 || len(in.Tag) == 0 {
		return 0, errInvalid("ResourceId and Tag are required")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.settle()
	prefix := fmt.Sprintf("acs:fc:%s:%s:functions/", c.Region, c.AccountID)
	var fns []*function
	for _, id := range in.ResourceID {
		name, ok := strings.CutPrefix(id, prefix)
		if !ok {
			return 0, errInvalid("ResourceId %q is not the ARN of a function of this account and region (%s<name>)", id, prefix)
		}
		f, ok := c.fc3[name]
		if !ok {
			return 0, fc3NotFound(name)
		}
		if e := checkTags(f.cfg.Tags, in.Tag); e != nil {
			return 0, e
		}
		fns = append(fns, f)
	}
	for _, f := range fns {
		setTags(&f.cfg, in.Tag)
		setTags(&f.live, in.Tag)
	}
	w.WriteHeader(http.StatusOK)
	return http.StatusOK, nil
}
