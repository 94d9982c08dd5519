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
	s, err := scalarValue(v, kind)
	return s, true, err
}

// scalarValue returns a YAML scalar as a string, checking its type against kind.
func scalarValue(v any, kind string) (string, error) {
	switch x := v.(type) {
	case string:
		if kind == "int" {
			if _, err := strconv.Atoi(x); err != nil {
				return x, fmt.Errorf("must be a whole number, not the string %q", x)
			}
		}
		return x, nil
	case int:
		return strconv.Itoa(x), nil
	case bool, float64:
		if kind == "int" {
			return fmt.Sprint(x), fmt.Errorf("must be a whole number, not %s %v", yamlKind(x), x)
		}
		return fmt.Sprint(x), fmt.Errorf("must be a string, not %s %v", yamlKind(x), x)
	default:
		return "", fmt.Errorf("must be a %s, not %s", kind, yamlKind(x))
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
