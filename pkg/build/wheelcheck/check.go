package wheelcheck

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/pip"
)

// Problem is one thing in the tree the runtime cannot load. Its message is one line: the
// distribution, the file, the reason and what to do.
type Problem struct {
	// Distribution is "name version", or "" when no distribution's RECORD lists File.
	Distribution string
	// File is the offending file, relative to the checked directory (slash-separated).
	File string
	// Reason says what is wrong, as a predicate of File ("is an ELF shared object for aarch64 ...").
	Reason string
	// Fix says what to do.
	Fix string
}

// Error renders the problem on one line.
func (p *Problem) Error() string {
	who := "a file of no installed distribution"
	if p.Distribution != "" {
		who = p.Distribution
	}
	return fmt.Sprintf("%s: %s %s; %s", who, p.File, p.Reason, p.Fix)
}

// Option configures Check.
type Option func(*checker)

// WithLogger receives a summary of the check at debug level and files that could not be fully
// read at warn level (default: discarded).
func WithLogger(l *slog.Logger) Option {
	return func(c *checker) {
		if l != nil {
			c.logger = l
		}
	}
}

// checker holds one Check's settings.
type checker struct {
	logger *slog.Logger
}

// Check scans the pip --target tree at dir and returns every problem that keeps the runtime of
// platform p from loading it, joined (errors.Join of *Problem), or nil. Errors reading the tree
// are returned as they are.
func Check(dir string, p pip.Platform, opts ...Option) error {
	c := &checker{logger: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(c)
	}
	t, err := newTarget(p)
	if err != nil {
		return fmt.Errorf("checking %q: %w", dir, err)
	}
	dists, owners, err := readDistributions(dir)
	if err != nil {
		return fmt.Errorf("checking %q: %w", dir, err)
	}
	var problems []error
	for _, d := range dists {
		if pr := t.checkDistribution(d); pr != nil {
			problems = append(problems, pr)
		}
	}
	objects := 0
	err = filepath.WalkDir(dir, func(path string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !de.Type().IsRegular() || !IsSharedObjectName(de.Name()) {
			return nil
		}
		objects++
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		name := ""
		if d := owners[rel]; d != nil {
			name = d.String()
		}
		add := func(reason, fix string) {
			problems = append(problems, &Problem{Distribution: name, File: rel, Reason: reason, Fix: fmt.Sprintf(fix, distName(name))})
		}
		if reason, fix := t.checkExtensionName(de.Name()); reason != "" {
			add(reason, fix)
			return nil
		}
		found, warning, err := t.checkELF(path)
		if err != nil {
			return err
		}
		if warning != nil {
			c.logger.Warn("cannot check a shared object's glibc needs", "file", rel, "error", warning)
		}
		for _, pr := range found {
			add(pr[0], pr[1])
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("checking %q: %w", dir, err)
	}
	c.logger.Debug("checked installed tree", "dir", dir, "platform", p.String(),
		"distributions", len(dists), "shared_objects", objects, "problems", len(problems))
	return errors.Join(problems...)
}

// distName is the distribution's name for advice ("the distribution" when unknown).
func distName(nameVersion string) string {
	if nameVersion == "" {
		return "the distribution that installed it"
	}
	name, _, _ := strings.Cut(nameVersion, " ")
	return name
}

// checkDistribution refuses a wheel none of whose tags the runtime supports. A dist-info without a
// WHEEL file or without tags (not installed from a wheel) is not judged by its tags.
func (t *target) checkDistribution(d *distribution) *Problem {
	file := d.dir + "/WHEEL"
	var first *tagProblem
	var tags []string
	for _, tag := range d.tags {
		for _, single := range expandTag(tag) {
			tags = append(tags, single)
			pr := t.checkTag(single)
			if pr == nil {
				return nil
			}
			if first == nil {
				first = pr
			}
		}
	}
	if first == nil {
		return nil
	}
	reason := fmt.Sprintf("has wheel tag %s: %s", tags[0], first.reason)
	if len(tags) > 1 {
		reason = fmt.Sprintf("has wheel tags %s, none of which the runtime supports: %s", strings.Join(tags, ", "), first.reason)
	}
	return &Problem{Distribution: d.String(), File: file, Reason: reason, Fix: fmt.Sprintf(first.fix, d.name)}
}
