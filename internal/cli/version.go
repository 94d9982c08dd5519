package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// versionText is what --version prints: the release version, or for a development build the
// module version and the VCS revision it was built from, when the build recorded one (go build
// -buildvcs=false, or a build outside a git checkout, records none; the line says so).
func versionText(bi *debug.BuildInfo, ok bool) string {
	v := "(devel)"
	if ok && bi.Main.Version != "" {
		v = bi.Main.Version
	}
	line := fmt.Sprintf("lithops-runtime %s", v)
	if ok && isRelease(v) {
		return line + fmt.Sprintf(" (%s, %s/%s)\n", bi.GoVersion, runtime.GOOS, runtime.GOARCH)
	}
	var rev, at, modified string
	if ok {
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				at = s.Value
			case "vcs.modified":
				modified = s.Value
			}
		}
	}
	goVersion := runtime.Version()
	if ok && bi.GoVersion != "" {
		goVersion = bi.GoVersion
	}
	line += fmt.Sprintf(" (development build, %s, %s/%s)\n", goVersion, runtime.GOOS, runtime.GOARCH)
	switch {
	case rev != "":
		line += "revision " + rev
		if at != "" {
			line += " (" + at + ")"
		}
		if modified == "true" {
			line += ", with uncommitted changes"
		}
		line += "\n"
	default:
		line += "no VCS revision recorded (built with -buildvcs=false or outside a git checkout)\n"
	}
	return line
}

// isRelease reports whether v is a tagged release version (v1.2.3, not a pseudo-version or a
// dirty build).
func isRelease(v string) bool {
	if !strings.HasPrefix(v, "v") || strings.Contains(v, "devel") || strings.Contains(v, "+dirty") {
		return false
	}
	// Pseudo-versions: vX.Y.Z-yyyymmddhhmmss-abcdefabcdef (or vX.Y.Z-pre.0.yyyymmddhhmmss-...).
	parts := strings.Split(v, "-")
	if len(parts) >= 3 && len(parts[len(parts)-1]) == 12 {
		return false
	}
	return true
}
