package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"gopkg.in/yaml.v3"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/bytesize"
)

// The largest input files read. Real ones are far smaller (a hash-locked requirements file of a
// large project is a few hundred KiB); the caps keep /dev/zero-like inputs from eating memory.
const (
	maxRequirementsBytes  = 4 << 20
	maxDockerfileBytes    = 1 << 20
	maxLithopsConfigBytes = 1 << 20
	// maxYAMLNodes bounds the nodes of a Lithops config (a real one has a few hundred): a mapping
	// with hundreds of thousands of keys takes minutes to decode.
	maxYAMLNodes = 20000
)

// maxFileBytes is the size cap of each input naming a file.
var maxFileBytes = map[string]int64{
	"requirements":   maxRequirementsBytes,
	"dockerfile":     maxDockerfileBytes,
	"lithops-config": maxLithopsConfigBytes,
}

// checkRegularFile checks that path is a regular file (after symlinks) of at most max bytes,
// without opening it: a FIFO would block the open, a device would never end.
func checkRegularFile(path string, max int64) error {
	st, err := os.Stat(path)
	if err != nil {
		return unwrapPathError(err)
	}
	switch m := st.Mode(); {
	case m.IsDir():
		return errors.New("is a directory; name a file")
	case !m.IsRegular():
		return fmt.Errorf("is not a regular file (%s); name a file", fileKind(m))
	case st.Size() > max:
		return fmt.Errorf("is %s, over the limit of %s for this input; name the right file", bytesize.Format(st.Size()), bytesize.Format(max))
	}
	return nil
}

func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "a special file"
}

// readCapped reads a regular file of at most max bytes (checked again while reading: the file may
// grow between the check and the read).
func readCapped(path string, max int64) ([]byte, error) {
	if err := checkRegularFile(path, max); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, unwrapPathError(err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("is over the limit of %s for this input", bytesize.Format(max))
	}
	return data, nil
}

// checkYAMLSize parses data as YAML nodes (linear time) and refuses a document of more than
// maxYAMLNodes nodes before it is decoded into maps.
func checkYAMLSize(data []byte) error {
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return nil
		}
		return fmt.Errorf("not a valid YAML file: %w", err)
	}
	n := 0
	var walk func(*yaml.Node) bool
	walk = func(x *yaml.Node) bool {
		n++
		if n > maxYAMLNodes {
			return false
		}
		for _, c := range x.Content {
			if !walk(c) {
				return false
			}
		}
		return true
	}
	if !walk(&root) {
		return fmt.Errorf("has more than %d YAML nodes; a Lithops config has a few sections of a few keys", maxYAMLNodes)
	}
	return nil
}

// fileRule words a checkRegularFile error as an input rule: "cannot be read: ..." for a file that
// is missing or unreadable, the error itself for a file of the wrong kind or size.
func fileRule(err error) string {
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) {
		return "cannot be read: " + err.Error()
	}
	return err.Error()
}
