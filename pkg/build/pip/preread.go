package pip

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// RequirementsFileMax is the largest requirements file read (a hash-locked file of a few thousand
// pins is well under 1 MiB).
const RequirementsFileMax = 4 << 20

// RequirementsError is a requirements file that pip must not be given, with where it is.
type RequirementsError struct {
	File string
	Line int // 0 when the whole file is concerned
	Msg  string
}

func (e *RequirementsError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("requirements file %s line %d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("requirements file %s: %s", e.File, e.Msg)
}

// Location is the file and line the error points at.
func (e *RequirementsError) Location() (string, int) { return e.File, e.Line }

// CheckRequirementsTree reads a requirements file and every file it includes (-r/--requirement,
// -c/--constraint, recursively) before pip does, and refuses what pip would fail on with a raw
// traceback or would echo into the log:
//
//   - a file that is not a regular file (a FIFO would hang, /dev/zero eat memory) or is over
//     RequirementsFileMax;
//   - content that is not UTF-8 text (pip's UnicodeDecodeError), or holds NUL bytes;
//   - an include cycle (pip's RecursionError), named as the chain of includes;
//   - an include that is missing, or lies outside root once symbolic links are resolved (pip
//     echoes lines it cannot parse, so `-r /etc/shadow` would print the file's first line).
//
// root is the directory tree includes must stay in (the workspace); when file itself is not in
// it, its own directory is used. Errors name the file and line, never the content of a file.
func CheckRequirementsTree(file, root string) error {
	file = filepath.Clean(file)
	realFile, err := filepath.EvalSymlinks(file)
	if err != nil {
		return &RequirementsError{File: file, Msg: fmt.Sprintf("cannot be read: %v", unwrapPath(err))}
	}
	realRoot := ""
	if root != "" {
		if r, err := filepath.EvalSymlinks(root); err == nil && within(realFile, r) {
			realRoot = r
		}
	}
	if realRoot == "" {
		realRoot = filepath.Dir(realFile)
	}
	c := &treeCheck{root: realRoot, rootShown: root}
	if c.rootShown == "" || realRoot == filepath.Dir(realFile) {
		c.rootShown = filepath.Dir(file)
	}
	return c.check(file, realFile, nil)
}

type include struct {
	file string
	line int
	real string
}

type treeCheck struct {
	root, rootShown string
}

func (c *treeCheck) check(file, real string, chain []include) error {
	for _, in := range chain {
		if in.real == real {
			var steps []string
			for _, s := range chain {
				steps = append(steps, fmt.Sprintf("%s line %d", s.file, s.line))
			}
			return &RequirementsError{File: chain[len(chain)-1].file, Line: chain[len(chain)-1].line,
				Msg: fmt.Sprintf("includes %s, which includes it again (an include cycle: %s -> %s): pip would recurse until it fails; remove one of the -r lines", file, strings.Join(steps, " -> "), file)}
		}
	}
	data, err := readRegular(file)
	if err != nil {
		return err
	}
	if err := checkText(file, data); err != nil {
		return err
	}
	for _, ln := range logicalLines(string(data)) {
		args, opts := splitOptions(ln.text)
		if args != "" {
			continue
		}
		for k := 0; k < len(opts); k++ {
			name, value, n := optionValue(opts, k)
			k += n
			switch name {
			case "-r", "--requirement", "-c", "--constraint":
			default:
				continue
			}
			if value == "" || strings.Contains(value, "://") {
				continue
			}
			inc := value
			if !filepath.IsAbs(inc) {
				inc = filepath.Join(filepath.Dir(file), inc)
			}
			incReal, err := filepath.EvalSymlinks(inc)
			if err != nil {
				return &RequirementsError{File: file, Line: ln.number, Msg: fmt.Sprintf("%s %s cannot be read: %v", name, value, unwrapPath(err))}
			}
			if !within(incReal, c.root) {
				return &RequirementsError{File: file, Line: ln.number, Msg: fmt.Sprintf("%s %s is outside %s (it resolves to %s); only files in that tree are read, "+
					"since pip prints the lines it cannot parse: move the file into it", name, value, c.rootShown, incReal)}
			}
			if err := c.check(inc, incReal, append(chain, include{file: file, line: ln.number, real: real})); err != nil {
				return err
			}
		}
	}
	return nil
}

// readRegular reads a regular file of at most RequirementsFileMax bytes.
func readRegular(file string) ([]byte, error) {
	st, err := os.Stat(file)
	if err != nil {
		return nil, &RequirementsError{File: file, Msg: fmt.Sprintf("cannot be read: %v", unwrapPath(err))}
	}
	if !st.Mode().IsRegular() {
		return nil, &RequirementsError{File: file, Msg: fmt.Sprintf("is not a regular file (%s): name a requirements file", st.Mode().Type())}
	}
	if st.Size() > RequirementsFileMax {
		return nil, &RequirementsError{File: file, Msg: fmt.Sprintf("is %d bytes, over the %d bytes a requirements file may have: is it the right file?", st.Size(), RequirementsFileMax)}
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, &RequirementsError{File: file, Msg: fmt.Sprintf("cannot be read: %v", unwrapPath(err))}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, RequirementsFileMax+1))
	if err != nil {
		return nil, &RequirementsError{File: file, Msg: fmt.Sprintf("cannot be read: %v", unwrapPath(err))}
	}
	if len(data) > RequirementsFileMax {
		return nil, &RequirementsError{File: file, Msg: fmt.Sprintf("is over the %d bytes a requirements file may have: is it the right file?", RequirementsFileMax)}
	}
	return data, nil
}

// checkText refuses content pip cannot decode: pip reads requirements files as UTF-8 (a UTF-8 BOM
// is fine); NUL bytes mean a binary file.
func checkText(file string, data []byte) error {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	line := 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			return &RequirementsError{File: file, Line: line, Msg: fmt.Sprintf("is not UTF-8 text (byte 0x%02x at offset %d): pip reads requirements files as UTF-8; is it the right file?", data[i], i)}
		case r == 0:
			return &RequirementsError{File: file, Line: line, Msg: fmt.Sprintf("holds a NUL byte (offset %d): it is a binary file, not requirements", i)}
		case r == '\n':
			line++
		}
		i += size
	}
	return nil
}

// within tells whether path is dir or under it (both cleaned, symbolic links resolved).
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// unwrapPath drops the path an *os.PathError repeats.
func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
