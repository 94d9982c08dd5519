package config

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// argName is a Dockerfile ARG name a RUN, ENV or FROM can refer to as $NAME or ${NAME}.
var argName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// parseBuildArgs reads the build-args input as docker/build-push-action's build-args: one
// KEY=VALUE per line; blank lines and lines starting with # are ignored; surrounding whitespace of
// a line is dropped; VALUE is everything after the first "=" (it may be empty, and may hold "=" or
// "#"). Problems name the line by number and never show a value: values may be secret-ish. It
// returns nil when no line sets an argument.
func parseBuildArgs(s string) (map[string]string, error) {
	var args map[string]string
	at := map[string]int{}
	for i, line := range strings.Split(s, "\n") {
		n := i + 1
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			// The line may be a value pasted on its own: it is not shown.
			return nil, fmt.Errorf("line %d has no \"=\": each line is KEY=VALUE (KEY= for an empty value); blank lines and lines starting with # are ignored", n)
		}
		if !argName.MatchString(k) {
			return nil, fmt.Errorf("line %d: %q is not a build argument name: a letter or _ followed by letters, digits or _, as the Dockerfile's ARG declares it (no spaces around \"=\")", n, k)
		}
		if prev, dup := at[k]; dup {
			return nil, fmt.Errorf("lines %d and %d both set %s: set each build argument once", prev, n, k)
		}
		at[k] = n
		if args == nil {
			args = map[string]string{}
		}
		args[k] = v
	}
	return args, nil
}

// buildArgKeys returns the names of args, sorted: what logs may show of them.
func buildArgKeys(args map[string]string) []string {
	keys := make([]string, 0, len(args))
	for k := range args {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// buildArgs resolves the build-args input: Dockerfile builds only; its problems are reported
// without the input's value.
func (l *loader) buildArgs() {
	v := l.raw.get("build-args")
	if !v.set() {
		return
	}
	hidden := value{from: v.from} // values may be secret-ish: never echoed
	args, err := parseBuildArgs(v.raw)
	if err != nil {
		l.fail("build-args", hidden, "%v", err)
		return
	}
	if !l.raw.get("dockerfile").set() && args != nil {
		l.fail("build-args", hidden, "sets %s, but build arguments are passed to a Dockerfile build and dockerfile is not set; set dockerfile, or remove build-args", strings.Join(buildArgKeys(args), ", "))
		return
	}
	l.cfg.BuildArgs = args
}
