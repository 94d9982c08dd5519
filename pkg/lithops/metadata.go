package lithops

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"unicode/utf16"
)

// MetadataRequest is the payload of the metadata request a client sends to
// a freshly deployed runtime: {"get_metadata": {}} on AWS Lambda (and
// local), {"log_level": 20, "get_metadata": true} on Aliyun FC.
func MetadataRequest(backend string) []byte {
	if backend == AliyunFC {
		return []byte(`{"log_level": 20, "get_metadata": true}`)
	}
	return []byte(`{"get_metadata": {}}`)
}

// Preinstall is one top-level module importable in a runtime; its JSON form
// is the pair ["name", is_package].
type Preinstall struct {
	Module    string
	IsPackage bool
}

// MarshalJSON encodes the pair form.
func (p Preinstall) MarshalJSON() ([]byte, error) {
	return json.Marshal([]any{p.Module, p.IsPackage})
}

// UnmarshalJSON decodes the pair form.
func (p *Preinstall) UnmarshalJSON(b []byte) error {
	var pair []json.RawMessage
	if err := json.Unmarshal(b, &pair); err != nil || len(pair) != 2 {
		return fmt.Errorf("a preinstalls entry must be a [module_name, is_package] pair, got %s", clip(b))
	}
	if err := json.Unmarshal(pair[0], &p.Module); err != nil {
		return fmt.Errorf("a preinstalls module name must be a string, got %s", clip(pair[0]))
	}
	if err := json.Unmarshal(pair[1], &p.IsPackage); err != nil {
		return fmt.Errorf("a preinstalls is_package flag must be a boolean, got %s", clip(pair[1]))
	}
	return nil
}

// Metadata is a runtime's answer to the metadata request, plus the
// runtime_timeout the client adds before storing it.
type Metadata struct {
	Preinstalls    []Preinstall
	PythonVersion  string
	LithopsVersion string
	RuntimeTimeout int // seconds; 0 until the publisher sets it
}

// DecodeMetadata parses a runtime's metadata answer. Extra keys are
// ignored; the three keys Lithops reads must be present with their types.
func DecodeMetadata(data []byte) (Metadata, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return Metadata{}, fmt.Errorf("the answer is not a JSON object: %v", err)
	}
	var md Metadata
	fields := []struct {
		key string
		dst any
	}{
		{"preinstalls", &md.Preinstalls},
		{"python_version", &md.PythonVersion},
		{"lithops_version", &md.LithopsVersion},
	}
	for _, f := range fields {
		v, ok := raw[f.key]
		if !ok {
			return Metadata{}, fmt.Errorf("the key %q is missing", f.key)
		}
		if err := json.Unmarshal(v, f.dst); err != nil {
			return Metadata{}, fmt.Errorf("the key %q has the wrong type: %v", f.key, err)
		}
	}
	if v, ok := raw["runtime_timeout"]; ok {
		if err := json.Unmarshal(v, &md.RuntimeTimeout); err != nil {
			return Metadata{}, fmt.Errorf("the key \"runtime_timeout\" must be an integer: %v", err)
		}
	}
	return md, nil
}

// HasModule reports whether a top-level module is importable in the runtime.
func (m Metadata) HasModule(name string) bool {
	for _, p := range m.Preinstalls {
		if p.Module == name {
			return true
		}
	}
	return false
}

// Encode produces the bytes a Lithops 3.7 client stores for this metadata:
// Python's json.dumps of the dict {preinstalls, python_version,
// lithops_version, runtime_timeout} with its default separators (", " and
// ": ") and ASCII-only output (\uXXXX escapes, surrogate pairs beyond the
// BMP). Preinstalls are written sorted, as the runtime produces them.
func (m Metadata) Encode() []byte {
	pre := append([]Preinstall(nil), m.Preinstalls...)
	sort.SliceStable(pre, func(i, j int) bool {
		if pre[i].Module != pre[j].Module {
			return pre[i].Module < pre[j].Module
		}
		return !pre[i].IsPackage && pre[j].IsPackage
	})
	var b bytes.Buffer
	b.WriteString(`{"preinstalls": [`)
	for i, p := range pre {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('[')
		pyString(&b, p.Module)
		b.WriteString(", ")
		b.WriteString(strconv.FormatBool(p.IsPackage))
		b.WriteByte(']')
	}
	b.WriteString(`], "python_version": `)
	pyString(&b, m.PythonVersion)
	b.WriteString(`, "lithops_version": `)
	pyString(&b, m.LithopsVersion)
	b.WriteString(`, "runtime_timeout": `)
	b.WriteString(strconv.Itoa(m.RuntimeTimeout))
	b.WriteByte('}')
	return b.Bytes()
}

// pyString writes s as Python's json.dumps(ensure_ascii=True) does.
func pyString(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r < 0x20 || (r >= 0x7f && r <= 0xffff):
			fmt.Fprintf(b, `\u%04x`, r)
		case r > 0xffff:
			hi, lo := utf16.EncodeRune(r)
			fmt.Fprintf(b, `\u%04x\u%04x`, hi, lo)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
}

func clip(b []byte) string {
	if len(b) > 60 {
		return string(b[:60]) + "..."
	}
	return string(b)
}
