package config

import (
	"fmt"
	"sort"
	"strconv"

	"gopkg.in/yaml.v3"
)

// lithopsFile is a parsed Lithops config YAML: section -> key -> scalar value.
type lithopsFile struct {
	path     string
	sections map[string]map[string]any
}

// readLithopsFile parses the Lithops config at path. Only the sections this action reads are
// kept; a section that is not a mapping is an error naming it.
func readLithopsFile(path string) (*lithopsFile, error) {
	data, err := readCapped(path, maxLithopsConfigBytes)
	if err != nil {
		return nil, err
	}
	if err := checkYAMLSize(data); err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("not a valid YAML file: %w", err)
	}
	f := &lithopsFile{path: path, sections: map[string]map[string]any{}}
	names := make([]string, 0, len(doc))
	for name := range doc {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		sec := doc[name]
		if sec == nil {
			continue
		}
		m, ok := sec.(map[string]any)
		if !ok {
			if _, read := readSections[name]; read {
				return nil, fmt.Errorf("section %q must be a mapping of keys to values, not %s", name, yamlKind(sec))
			}
			continue
		}
		f.sections[name] = m
	}
	return f, nil
}

// readSections are the sections of a Lithops config this action reads.
var readSections = map[string]bool{
	"lithops": true, "aws": true, "aws_lambda": true, "aws_s3": true,
	"aliyun": true, "aliyun_fc": true, "aliyun_oss": true,
}

// configKey maps a Lithops config key onto an input.
type configKey struct {
	section, key string
	input        string
	kind         string // "string" or "int"
}

// keysFor lists, for a backend, which Lithops config keys fill which inputs, first match wins.
func keysFor(backend string) []configKey {
	switch backend {
	case "aws_lambda":
		return []configKey{
			{"aws_lambda", "region", "region", "string"},
			{"aws", "region", "region", "string"},
			{"aws_lambda", "execution_role", "role", "string"},
			{"aws_lambda", "user_id", "user-id", "string"},
			{"aws_lambda", "namespace", "namespace", "string"},
			{"aws_lambda", "runtime", "runtime-name", "string"},
			{"aws_lambda", "runtime_memory", "memory", "int"},
			{"aws_lambda", "runtime_timeout", "timeout", "int"},
			{"aws_lambda", "architecture", "architecture", "string"},
			{"aws_s3", "storage_bucket", "storage-bucket", "string"},
			{"lithops", "storage_bucket", "storage-bucket", "string"},
			{"aws", "account_id", "account-id", "string"},
		}
	case "aliyun_fc":
		return []configKey{
			{"aliyun_fc", "region", "region", "string"},
			{"aliyun", "region", "region", "string"},
			{"aliyun_fc", "role_arn", "role", "string"},
			{"aliyun_fc", "runtime", "runtime-name", "string"},
			{"aliyun_fc", "runtime_memory", "memory", "int"},
			{"aliyun_fc", "runtime_timeout", "timeout", "int"},
			{"aliyun_oss", "storage_bucket", "storage-bucket", "string"},
			{"lithops", "storage_bucket", "storage-bucket", "string"},
			{"aliyun", "account_id", "account-id", "string"},
		}
	}
	return nil
}

// secretKeys are credentials a Lithops config may hold; their values are masked.
var secretKeys = []struct{ section, key string }{
	{"aws", "access_key_id"}, {"aws", "secret_access_key"}, {"aws", "session_token"},
	{"aliyun", "access_key_id"}, {"aliyun", "access_key_secret"}, {"aliyun", "security_token"},
}

// scalar returns the value of section.key as a string, checking its YAML type against kind.
func (f *lithopsFile) scalar(section, key, kind string) (string, bool, error) {
	sec, ok := f.sections[section]
	if !ok {
		return "", false, nil
	}
	v, ok := sec[key]
	if !ok || v == nil {
		return "", false, nil
	}
	switch x := v.(type) {
	case string:
		if kind == "int" {
			if _, err := strconv.Atoi(x); err != nil {
				return x, true, fmt.Errorf("must be a whole number, not the string %q", x)
			}
		}
		return x, true, nil
	case int:
		return strconv.Itoa(x), true, nil
	case bool, float64:
		if kind == "int" {
			return fmt.Sprint(x), true, fmt.Errorf("must be a whole number, not %s %v", yamlKind(x), x)
		}
		return fmt.Sprint(x), true, fmt.Errorf("must be a string, not %s %v", yamlKind(x), x)
	default:
		return "", true, fmt.Errorf("must be a %s, not %s", kind, yamlKind(x))
	}
}

func yamlKind(v any) string {
	switch v.(type) {
	case map[string]any:
		return "a mapping"
	case []any:
		return "a list"
	case bool:
		return "a boolean"
	case int:
		return "an integer"
	case float64:
		return "a float"
	case string:
		return "a string"
	}
	return fmt.Sprintf("%T", v)
}
