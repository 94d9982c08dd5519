package config

import (
	"errors"
	"fmt"
	"strings"
)

// ErrVersion is returned by ParseArgs (and Load) when --version (or the word version) was asked for.
var ErrVersion = errors.New("version requested")

// UsageError is a command line that cannot be parsed: an unknown flag, a flag without its value,
// a stray argument. Its message is one line that says what to type instead.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// isSwitch reports whether an input is a boolean flag: --name alone means true, --name=false
// turns it off. Every input whose documented default is true or false is one, and local-test
// (auto, true or false), so that a bare --local-test requires the local test.
func isSwitch(in Input) bool {
	return in.Default == "true" || in.Default == "false" || in.Name == "local-test"
}

// ParseArgs parses the command line: one flag per input (--name value, --name=value; a switch
// alone, --dry-run, means true; a flag given twice takes its last value, except --build-args, whose
// values add up, one line each), or a request for help (--help, -h, help) or the version
// (--version, version). It returns the inputs given, ErrHelp, ErrVersion or a *UsageError.
func ParseArgs(args []string) (map[string]string, error) {
	byName := make(map[string]Input, len(Inputs))
	for _, in := range Inputs {
		byName[in.Name] = in
	}
	given := map[string]string{}
	if len(args) > 0 {
		switch args[0] {
		case "help":
			return nil, ErrHelp
		case "version":
			return nil, ErrVersion
		}
	}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			if i+1 < len(args) {
				return nil, unexpected(args[i+1])
			}
			break
		}
		if len(arg) < 2 || arg[0] != '-' {
			return nil, unexpected(arg)
		}
		name := strings.TrimPrefix(strings.TrimPrefix(arg, "-"), "-")
		val, hasVal := "", false
		if k, v, ok := strings.Cut(name, "="); ok {
			name, val, hasVal = k, v, true
		}
		switch name {
		case "help", "h":
			return nil, ErrHelp
		case "version":
			return nil, ErrVersion
		}
		in, ok := byName[name]
		if !ok {
			msg := fmt.Sprintf("unknown flag --%s", name)
			if s := suggest(name); s != "" {
				msg += fmt.Sprintf(": did you mean --%s?", s)
			}
			return nil, &UsageError{msg + " (lithops-runtime --help lists every input)"}
		}
		switch {
		case hasVal:
		case isSwitch(in):
			// A switch takes the next argument as its value unless it is a flag: no input is
			// positional, so "--dry-run true" (as earlier versions were written) is meant as a
			// value, and "--smoke-test yes" is reported as a bad value of smoke-test.
			val = "true"
			if i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
				i++
				val = args[i]
			}
		case i+1 < len(args) && !isFlag(args[i+1], byName):
			i++
			val = args[i]
		default:
			return nil, &UsageError{fmt.Sprintf("flag --%s needs a value, e.g. --%s %s", name, name, example(in))}
		}
		if _, again := given[name]; again && in.Name == "build-args" {
			// One --build-args per argument: the lines add up, as in the input's multi-line form.
			given[name] += "\n" + strings.TrimSpace(val)
			continue
		}
		given[name] = strings.TrimSpace(val)
	}
	return given, nil
}

// isFlag reports whether arg is one of the flags (so not the value of the flag before it).
func isFlag(arg string, byName map[string]Input) bool {
	if !strings.HasPrefix(arg, "-") {
		return false
	}
	name, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(arg, "-"), "-"), "=")
	_, ok := byName[name]
	return ok || name == "help" || name == "h" || name == "version"
}

// unexpected explains a positional argument: every input is a flag.
func unexpected(arg string) error {
	return &UsageError{fmt.Sprintf("unexpected argument %q: every input is a flag, e.g. --requirements %s (lithops-runtime --help lists them)", arg, arg)}
}

// example is a value to show in "needs a value" messages.
func example(in Input) string {
	if in.Default != "" {
		return in.Default
	}
	if p := placeholder(in.Name); p != "VALUE" {
		return p
	}
	return "VALUE"
}

// suggest returns the input name closest to name (a misspelling or a prefix), "" when none is close.
func suggest(name string) string {
	best, bestD := "", 0
	for _, in := range Inputs {
		d := editDistance(strings.ToLower(name), in.Name)
		if strings.HasPrefix(in.Name, name) && len(name) >= 3 {
			d = 1
		}
		if best == "" || d < bestD {
			best, bestD = in.Name, d
		}
	}
	limit := 2
	if len(name) >= 9 {
		limit = 3
	}
	if bestD > limit {
		return ""
	}
	return best
}

// editDistance is the optimal string alignment distance: insertions, deletions, substitutions
// and transpositions of two adjacent letters (memroy -> memory is 1).
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
