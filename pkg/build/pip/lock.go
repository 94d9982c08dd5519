package pip

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Lock is what requirements files in pip's hash-checking mode pin: pip-compile --generate-hashes
// output, or any file whose requirements carry --hash options (or that says --require-hashes).
// In that mode pip installs exactly the pinned distributions, each from a file with one of the
// listed hashes, and refuses any requirement that is not pinned with == and hashed.
type Lock struct {
	// Pins are the pinned requirements by PEP 503 name, from every file (and the files they
	// include with -r).
	Pins map[string]Pin
}

// Pin is one requirement of a lock.
type Pin struct {
	// Name is the distribution name as written; Version the pinned version ("" when the line
	// does not pin one with == or ===, which pip refuses in this mode).
	Name, Version string
	// Marker is the environment marker after ";" ("" when none).
	Marker string
	// Hashes are the line's --hash values ("sha256:<hex>"), sorted.
	Hashes []string
	// File and Line locate the requirement.
	File string
	Line int
}

// ReadLock reads requirements files and returns what they pin when they put pip in hash-checking
// mode, or nil when they do not (pip resolves them freely). Files included with -r/--requirement
// are read too, relative to the including file.
func ReadLock(files []string) (*Lock, error) {
	l := &Lock{Pins: map[string]Pin{}}
	hashMode := false
	seen := map[string]bool{}
	var read func(file string) error
	read = func(file string) error {
		abs, _ := filepath.Abs(file)
		if seen[abs] {
			return nil
		}
		seen[abs] = true
		data, err := os.ReadFile(file)
		if err != nil {
			return fmt.Errorf("reading requirements file %s: %w", file, err)
		}
		for _, ln := range logicalLines(string(data)) {
			args, opts := splitOptions(ln.text)
			if args == "" {
				for k := 0; k < len(opts); k++ {
					name, value, n := optionValue(opts, k)
					k += n
					switch name {
					case "--require-hashes":
						hashMode = true
					case "-r", "--requirement":
						if value == "" || strings.Contains(value, "://") {
							continue
						}
						if !filepath.IsAbs(value) {
							value = filepath.Join(filepath.Dir(file), value)
						}
						if err := read(value); err != nil {
							return err
						}
					}
				}
				continue
			}
			p := parsePin(args)
			p.File, p.Line = file, ln.number
			for k := 0; k < len(opts); k++ {
				name, value, n := optionValue(opts, k)
				k += n
				if name == "--hash" && value != "" {
					p.Hashes = append(p.Hashes, value)
				}
			}
			if len(p.Hashes) > 0 {
				hashMode = true
			}
			sort.Strings(p.Hashes)
			key := normalize(p.Name)
			if prev, ok := l.Pins[key]; ok {
				// pip joins repeated requirements; the lock keeps the union of their hashes.
				p.Hashes = union(prev.Hashes, p.Hashes)
			}
			l.Pins[key] = p
		}
		return nil
	}
	for _, f := range files {
		if err := read(f); err != nil {
			return nil, err
		}
	}
	if !hashMode {
		return nil, nil
	}
	return l, nil
}

// Pinned returns the pin of a requirement specifier's distribution (false when none).
func (l *Lock) Pinned(requirement string) (Pin, bool) {
	p, ok := l.Pins[normalizeName(requirement)]
	return p, ok
}

// Entries lists the pins as sorted strings naming version, marker and hashes: what the lock
// determines, for a cache key.
func (l *Lock) Entries() []string {
	var out []string
	for k, p := range l.Pins {
		out = append(out, fmt.Sprintf("%s==%s ;%s %s", k, p.Version, p.Marker, strings.Join(p.Hashes, ",")))
	}
	sort.Strings(out)
	return out
}

// Cover splits extra requirement specifiers (requested on top of the locked files) into those the
// lock pins, with a version that satisfies the specifier, and the rest, which pip would refuse in
// hash-checking mode.
func (l *Lock) Cover(requirements []string) (covered []string, missing []string) {
	for _, r := range requirements {
		p, ok := l.Pinned(r)
		if !ok || p.Version == "" || !satisfies(p.Version, specifierOf(r)) {
			missing = append(missing, r)
			continue
		}
		covered = append(covered, r)
	}
	return covered, missing
}

// LockError says that requirements requested on top of hash-locked requirements files are not
// pinned by them (or pinned at versions they exclude), which pip's hash-checking mode refuses.
type LockError struct {
	Files   []string
	Missing []string
	// Pins are the lock's pins of the missing requirements that are pinned at other versions
	// (or, with Excluded, under environment markers).
	Pins []Pin
	// Excluded says the missing requirements are pinned, but under environment markers that
	// exclude the target platform (pip did not install them).
	Excluded bool
}

func (e *LockError) Error() string {
	var wrong []string
	for _, p := range e.Pins {
		wrong = append(wrong, fmt.Sprintf("%s pins %s==%s (%s line %d)", filepath.Base(p.File), p.Name, p.Version, p.File, p.Line))
	}
	msg := fmt.Sprintf("requirements %s are hash-locked (pip's hash-checking mode: every distribution must be pinned there with == and --hash), "+
		"but the runtime also needs %s (Lithops' own runtime dependencies), which they do not pin", strings.Join(e.Files, ", "), strings.Join(e.Missing, ", "))
	switch {
	case e.Excluded:
		msg += " for the target platform (their environment markers exclude it: " + strings.Join(wrong, "; ") + ")"
	case len(wrong) > 0:
		msg += " at a version that fits: " + strings.Join(wrong, "; ")
	}
	return msg + ". Add them to the file the lock is compiled from (e.g. requirements.in) and regenerate it " +
		"(pip-compile --generate-hashes, or uv pip compile --generate-hashes), or drop the hashes to let pip resolve"
}

// Location is the pin that does not fit, or the first locked file (the fix goes there).
func (e *LockError) Location() (string, int) {
	if len(e.Pins) > 0 {
		return e.Pins[0].File, e.Pins[0].Line
	}
	if len(e.Files) == 0 {
		return "", 0
	}
	return e.Files[0], 0
}

// lockedRequest adapts a request to hash-locked requirements files: the extra requirements the
// lock pins are dropped (pip would refuse them unhashed; the lock installs them), and any it does
// not pin is a LockError. Requests without hash-locked files are returned unchanged.
func lockedRequest(req InstallRequest) (InstallRequest, *Lock, error) {
	if len(req.RequirementFiles) == 0 || len(req.Requirements) == 0 {
		return req, nil, nil
	}
	lock, err := ReadLock(req.RequirementFiles)
	if err != nil || lock == nil {
		return req, nil, nil // an unreadable file is pip's to report, as it always has been
	}
	_, missing := lock.Cover(req.Requirements)
	if len(missing) > 0 {
		e := &LockError{Files: req.RequirementFiles, Missing: missing}
		for _, m := range missing {
			if p, ok := lock.Pinned(m); ok {
				e.Pins = append(e.Pins, p)
			}
		}
		return req, lock, e
	}
	req.Requirements = nil
	return req, lock, nil
}

// checkCovered verifies that every extra requirement dropped for a lock is in what pip resolved
// (a pin whose environment marker excludes the target platform is not).
func checkCovered(files, requirements []string, lock *Lock, names []string) error {
	if lock == nil {
		return nil
	}
	got := map[string]bool{}
	for _, n := range names {
		got[normalize(n)] = true
	}
	var missing []string
	var pins []Pin
	for _, r := range requirements {
		if !got[normalizeName(r)] {
			missing = append(missing, r)
			if p, ok := lock.Pinned(r); ok {
				pins = append(pins, p)
			}
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return &LockError{Files: files, Missing: missing, Pins: pins, Excluded: true}
}

// logicalLine is a requirements file line after joining continuations and removing comments.
type logicalLine struct {
	text   string
	number int // of its first physical line
}

func logicalLines(data string) []logicalLine {
	var out []logicalLine
	var cur strings.Builder
	start := 0
	for n, line := range strings.Split(data, "\n") {
		line = strings.TrimRight(line, "\r")
		if cur.Len() == 0 {
			start = n + 1
		}
		if strings.HasSuffix(line, "\\") {
			cur.WriteString(strings.TrimSuffix(line, "\\"))
			cur.WriteByte(' ')
			continue
		}
		cur.WriteString(line)
		text := stripComment(cur.String())
		cur.Reset()
		if strings.TrimSpace(text) != "" {
			out = append(out, logicalLine{text: strings.TrimSpace(text), number: start})
		}
	}
	if cur.Len() > 0 {
		if text := strings.TrimSpace(stripComment(cur.String())); text != "" {
			out = append(out, logicalLine{text: text, number: start})
		}
	}
	return out
}

// stripComment removes a comment: "#" at the start of the line or after whitespace (pip's rule).
func stripComment(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '#' && (i == 0 || s[i-1] == ' ' || s[i-1] == '\t') {
			return s[:i]
		}
	}
	return s
}

// optionValue reads the option at opts[k] as name and value ("--hash=v", "--hash v", "-r f",
// "-rf"); n is the number of further tokens it took (0 or 1).
func optionValue(opts []string, k int) (name, value string, n int) {
	o := opts[k]
	if name, value, ok := strings.Cut(o, "="); ok && strings.HasPrefix(o, "--") {
		return name, value, 0
	}
	takesValue := map[string]bool{"--hash": true, "-r": true, "--requirement": true, "-c": true, "--constraint": true,
		"-i": true, "--index-url": true, "--extra-index-url": true, "-f": true, "--find-links": true,
		"--no-binary": true, "--only-binary": true, "--trusted-host": true, "-e": true, "--editable": true}
	if takesValue[o] {
		if k+1 < len(opts) {
			return o, opts[k+1], 1
		}
		return o, "", 0
	}
	if len(o) > 2 && o[0] == '-' && o[1] != '-' && takesValue[o[:2]] {
		return o[:2], o[2:], 0
	}
	return o, "", 0
}

// splitOptions splits a logical line as pip does: the requirement is every token before the first
// one that starts with "-", the options are the rest.
func splitOptions(line string) (requirement string, options []string) {
	fields := strings.Fields(line)
	for i, f := range fields {
		if strings.HasPrefix(f, "-") {
			return strings.Join(fields[:i], " "), fields[i:]
		}
	}
	return strings.Join(fields, " "), nil
}

// parsePin reads a requirement specifier's name, pinned version and marker.
func parsePin(req string) Pin {
	spec, marker, _ := strings.Cut(req, ";")
	p := Pin{Marker: strings.TrimSpace(marker)}
	spec = strings.TrimSpace(spec)
	end := strings.IndexAny(spec, "<>=!~[ @(")
	if end < 0 {
		p.Name = spec
		return p
	}
	p.Name = spec[:end]
	rest := strings.TrimSpace(spec[end:])
	if strings.HasPrefix(rest, "[") {
		if i := strings.Index(rest, "]"); i >= 0 {
			rest = strings.TrimSpace(rest[i+1:])
		}
	}
	if strings.HasPrefix(rest, "@") {
		p.Version = "@" + strings.TrimSpace(rest[1:]) // a direct reference pins its file
		return p
	}
	rest = strings.Trim(rest, "()")
	if strings.Contains(rest, ",") {
		return p
	}
	for _, op := range []string{"===", "=="} {
		if v, ok := strings.CutPrefix(rest, op); ok {
			if v = strings.TrimSpace(v); !strings.Contains(v, "*") {
				p.Version = v
			}
			return p
		}
	}
	return p
}

// specifierOf returns a requirement's version specifier ("urllib3<2" -> "<2").
func specifierOf(req string) string {
	spec, _, _ := strings.Cut(req, ";")
	spec = strings.TrimSpace(spec)
	if i := strings.Index(spec, "]"); i >= 0 {
		spec = spec[i+1:]
	} else if i := strings.IndexAny(spec, "<>=!~ ("); i >= 0 {
		spec = spec[i:]
	} else {
		return ""
	}
	return strings.Trim(strings.TrimSpace(spec), "()")
}

// satisfies reports whether a pinned version meets a specifier set such as "<2" or ">=1.2,!=1.3".
// Versions compare by their release numbers (PEP 440's main part); a pre-, post- or dev-release
// suffix counts as below, above and below its release. Unknown operators do not match.
func satisfies(version, specifier string) bool {
	if strings.HasPrefix(version, "@") {
		return specifier == "" // a direct reference's version is not known before pip reads it
	}
	for _, clause := range strings.Split(specifier, ",") {
		clause = strings.TrimSpace(clause)
		if clause == "" {
			continue
		}
		op := ""
		for _, o := range []string{"===", "==", "!=", "<=", ">=", "~=", "<", ">"} {
			if strings.HasPrefix(clause, o) {
				op = o
				break
			}
		}
		want := strings.TrimSpace(strings.TrimPrefix(clause, op))
		if op == "" || want == "" {
			return false
		}
		if prefix, ok := strings.CutSuffix(want, ".*"); ok {
			in := version == prefix || strings.HasPrefix(version, prefix+".")
			if (op == "==" && !in) || (op == "!=" && in) {
				return false
			}
			continue
		}
		c := compareVersions(version, want)
		ok := false
		switch op {
		case "===":
			ok = version == want
		case "==":
			ok = c == 0
		case "!=":
			ok = c != 0
		case "<":
			// PEP 440: <V excludes V's pre-releases (unless V is one), >V its post-releases.
			ok = c < 0 && !(sameRelease(version, want) && suffixClass(want) == 2)
		case "<=":
			ok = c <= 0
		case ">":
			ok = c > 0 && !(sameRelease(version, want) && suffixClass(want) == 2)
		case ">=":
			ok = c >= 0
		case "~=":
			rel, _ := releaseOf(want)
			if len(rel) < 2 {
				return false
			}
			prefix := make([]string, len(rel)-1)
			for i := range prefix {
				prefix[i] = strconv.Itoa(rel[i])
			}
			p := strings.Join(prefix, ".")
			ok = c >= 0 && (version == p || strings.HasPrefix(version, p+"."))
		}
		if !ok {
			return false
		}
	}
	return true
}

// compareVersions orders two versions by release numbers, then by suffix (dev < a < b < rc <
// final < post, each by its number): PEP 440's order for the versions pins use.
func compareVersions(a, b string) int {
	ra, sa := releaseOf(a)
	rb, sb := releaseOf(b)
	if c := compareRelease(ra, rb); c != 0 {
		return c
	}
	for i := range sa {
		if sa[i] != sb[i] {
			return cmpInt(sa[i], sb[i])
		}
	}
	return 0
}

func cmpInt(x, y int) int {
	if x < y {
		return -1
	}
	if x > y {
		return 1
	}
	return 0
}

// suffix orders a version's suffix: class (0 dev, 1 pre-release, 2 final, 3 post-release), the
// pre-release kind (a, b, rc) and the suffix's number.
type suffix [3]int

// releaseOf parses "1.26.18rc2" into [1 26 18] and its suffix.
func releaseOf(v string) ([]int, suffix) {
	v = strings.TrimPrefix(strings.ToLower(strings.TrimSpace(v)), "v")
	if i := strings.Index(v, "!"); i >= 0 {
		v = v[i+1:]
	}
	if i := strings.Index(v, "+"); i >= 0 {
		v = v[:i]
	}
	var rel []int
	rest := v
	for {
		j := 0
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		if j == 0 {
			break
		}
		n, _ := strconv.Atoi(rest[:j])
		rel = append(rel, n)
		rest = rest[j:]
		if len(rest) > 1 && rest[0] == '.' && rest[1] >= '0' && rest[1] <= '9' {
			rest = rest[1:]
			continue
		}
		break
	}
	rest = strings.TrimLeft(rest, ".-_")
	if rest == "" {
		return rel, suffix{2}
	}
	label := strings.TrimRight(rest, "0123456789.-_")
	num, _ := strconv.Atoi(strings.TrimLeft(rest[len(label):], ".-_"))
	if i := strings.IndexAny(label, "0123456789.-_"); i >= 0 { // "rc1.post1": the first part orders
		label = label[:i]
	}
	switch label {
	case "dev":
		return rel, suffix{0, 0, num}
	case "a", "alpha":
		return rel, suffix{1, 0, num}
	case "b", "beta":
		return rel, suffix{1, 1, num}
	case "rc", "c", "pre", "preview":
		return rel, suffix{1, 2, num}
	case "post", "rev", "r":
		return rel, suffix{3, 0, num}
	}
	return rel, suffix{1, 0, num}
}

// sameRelease reports whether two versions have the same release numbers ("2.0rc1" and "2").
func sameRelease(a, b string) bool {
	ra, _ := releaseOf(a)
	rb, _ := releaseOf(b)
	return compareRelease(ra, rb) == 0
}

// compareRelease orders release numbers, missing ones counting as 0 ("2" == "2.0").
func compareRelease(ra, rb []int) int {
	for i := 0; i < len(ra) || i < len(rb); i++ {
		x, y := 0, 0
		if i < len(ra) {
			x = ra[i]
		}
		if i < len(rb) {
			y = rb[i]
		}
		if x != y {
			return cmpInt(x, y)
		}
	}
	return 0
}

func suffixClass(v string) int {
	_, c := releaseOf(v)
	return c[0]
}

func union(a, b []string) []string {
	set := map[string]bool{}
	for _, s := range append(append([]string(nil), a...), b...) {
		set[s] = true
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}
