package dockerfile

import (
	"fmt"
	"regexp"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// imageRef is an image a Dockerfile reads from a registry: a FROM base or a COPY --from source.
type imageRef struct {
	Ref      string
	Platform v1.Platform
	Line     int
}

// baseImages lists the images a Dockerfile reads from registries, in order: every FROM that is
// not scratch or an earlier stage, and every COPY --from that names an image. ARGs declared
// before the first FROM (with buildArgs overriding their defaults) and the automatic platform
// arguments are substituted, as builders do.
func baseImages(content string, buildArgs map[string]string, target v1.Platform) ([]imageRef, error) {
	host := v1.Platform{OS: "linux", Architecture: target.Architecture} // the build runs for the target under emulation or natively
	vars := map[string]string{
		"TARGETPLATFORM": target.String(), "TARGETOS": target.OS, "TARGETARCH": target.Architecture, "TARGETVARIANT": target.Variant,
		"BUILDPLATFORM": host.String(), "BUILDOS": host.OS, "BUILDARCH": host.Architecture,
	}
	stages := map[string]bool{}
	var refs []imageRef
	seenFrom := false
	for _, ins := range instructions(content) {
		cmd, args, _ := strings.Cut(ins.text, " ")
		in := struct {
			args string
			line int
		}{args, ins.line}
		switch cmd {
		case "ARG":
			if seenFrom {
				continue // stage ARGs do not reach FROM lines
			}
			for _, decl := range strings.Fields(in.args) {
				name, def, hasDef := strings.Cut(decl, "=")
				if v, ok := buildArgs[name]; ok {
					vars[name] = v
				} else if hasDef {
					vars[name] = expand(strings.Trim(def, `"'`), vars)
				} else {
					vars[name] = ""
				}
			}
		case "FROM":
			seenFrom = true
			fields := strings.Fields(in.args)
			platform := target
			var rest []string
			for _, f := range fields {
				if p, ok := strings.CutPrefix(f, "--platform="); ok {
					parsed, err := v1.ParsePlatform(expand(p, vars))
					if err != nil {
						return nil, fmt.Errorf("line %d: FROM --platform=%s: %w", in.line, p, err)
					}
					platform = *parsed
					continue
				}
				rest = append(rest, f)
			}
			if len(rest) == 0 {
				return nil, fmt.Errorf("line %d: FROM without an image", in.line)
			}
			ref := expand(rest[0], vars)
			if ref == "" {
				return nil, fmt.Errorf("line %d: FROM %s is empty after substituting the build arguments", in.line, rest[0])
			}
			if !strings.EqualFold(ref, "scratch") && !stages[strings.ToLower(ref)] {
				refs = append(refs, imageRef{Ref: ref, Platform: platform, Line: in.line})
			}
			if len(rest) >= 3 && strings.EqualFold(rest[1], "AS") {
				stages[strings.ToLower(rest[2])] = true
			}
		case "COPY", "ADD":
			for _, f := range strings.Fields(in.args) {
				from, ok := strings.CutPrefix(f, "--from=")
				if !ok {
					continue
				}
				from = expand(from, vars)
				if stages[strings.ToLower(from)] || isStageIndex(from) {
					continue
				}
				refs = append(refs, imageRef{Ref: from, Platform: target, Line: in.line})
			}
		}
	}
	return refs, nil
}

func isStageIndex(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// varRef matches $NAME, ${NAME}, ${NAME:-word} and ${NAME:+word}.
var varRef = regexp.MustCompile(`\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::([-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))`)

// expand substitutes the Dockerfile variables of s.
func expand(s string, vars map[string]string) string {
	return varRef.ReplaceAllStringFunc(s, func(m string) string {
		sub := varRef.FindStringSubmatch(m)
		name := sub[1] + sub[4]
		v, set := vars[name]
		switch sub[2] {
		case "-":
			if !set || v == "" {
				return sub[3]
			}
		case "+":
			if set && v != "" {
				return sub[3]
			}
			return ""
		}
		return v
	})
}
