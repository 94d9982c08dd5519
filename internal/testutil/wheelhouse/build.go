package wheelhouse

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Placeholders the stand-in lithops sources carry, filled in by Build.
const (
	// VersionPlaceholder stands for the version lithops/version.py reports.
	VersionPlaceholder = "@LITHOPS_VERSION@"
	// HandlerErrorMarker is a comment line in get_runtime_metadata replaced by a raise when
	// Options.HandlerError is set.
	HandlerErrorMarker = "# @HANDLER_ERROR@"
)

// DefaultLithopsVersion is the stand-in lithops version Build writes when Options.Lithops is empty.
const DefaultLithopsVersion = "3.7.0"

// lithopsDist is the distribution name of the stand-in lithops source tree.
const lithopsDist = "lithops"

// Options configures Build. The zero value builds the default wheelhouse.
type Options struct {
	// WheelSrc is the directory of source trees; default DefaultWheelSrc().
	WheelSrc string
	// Lithops lists the stand-in lithops versions to build; default [DefaultLithopsVersion].
	Lithops []string
	// ReportedVersion, if set, is what lithops/version.py reports instead of the dist version.
	ReportedVersion string
	// HandlerError, if set, makes get_runtime_metadata raise RuntimeError(HandlerError).
	HandlerError string
}

// Build writes every wheel of the wheelhouse into dstDir (created if missing) and returns their
// paths sorted. The lithops source tree is built once per Options.Lithops version.
func Build(dstDir string, opts Options) ([]string, error) {
	src := opts.WheelSrc
	if src == "" {
		var err error
		if src, err = DefaultWheelSrc(); err != nil {
			return nil, err
		}
	}
	versions := opts.Lithops
	if len(versions) == 0 {
		versions = []string{DefaultLithopsVersion}
	}
	sources, err := LoadSources(src)
	if err != nil {
		return nil, err
	}
	var wheels []Wheel
	foundLithops := false
	for _, w := range sources {
		if w.Name != lithopsDist {
			wheels = append(wheels, w)
			continue
		}
		foundLithops = true
		for _, v := range versions {
			lw, err := lithopsWheel(w, v, opts)
			if err != nil {
				return nil, err
			}
			wheels = append(wheels, lw)
		}
	}
	if !foundLithops {
		return nil, fmt.Errorf("building wheelhouse from %q: no %q source tree", src, lithopsDist)
	}
	paths := make([]string, 0, len(wheels))
	for _, w := range wheels {
		p, err := WriteWheel(dstDir, w)
		if err != nil {
			return nil, err
		}
		paths = append(paths, p)
	}
	sort.Strings(paths)
	return paths, nil
}

// lithopsWheel returns the stand-in lithops source w as version v with opts' knobs applied.
func lithopsWheel(w Wheel, v string, opts Options) (Wheel, error) {
	reported := v
	if opts.ReportedVersion != "" {
		reported = opts.ReportedVersion
	}
	raise := ""
	if opts.HandlerError != "" {
		msg, err := json.Marshal(opts.HandlerError) // a JSON string is a valid Python string literal
		if err != nil {
			return Wheel{}, fmt.Errorf("quoting handler error %q: %w", opts.HandlerError, err)
		}
		raise = "raise RuntimeError(" + string(msg) + ")"
	}
	files := make(map[string]string, len(w.Files))
	versionFilled, markerFound := false, false
	for p, content := range w.Files {
		if strings.Contains(content, VersionPlaceholder) {
			versionFilled = true
			content = strings.ReplaceAll(content, VersionPlaceholder, reported)
		}
		if strings.Contains(content, HandlerErrorMarker) {
			markerFound = true
			if raise != "" {
				content = strings.ReplaceAll(content, HandlerErrorMarker, raise)
			}
		}
		files[p] = content
	}
	if !versionFilled || !markerFound {
		return Wheel{}, fmt.Errorf("templating lithops %s: sources lack %q or %q", v, VersionPlaceholder, HandlerErrorMarker)
	}
	w.Version = v
	w.Files = files
	return w, nil
}
