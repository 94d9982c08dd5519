package pip

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/klauspost/compress/zip"
)

// WheelFile is one resolved wheel to unpack.
type WheelFile struct {
	// Path is the wheel file on this machine.
	Path string
	// Requested marks a distribution the request named (it gets a REQUESTED file, as with pip).
	Requested bool
}

// UnsupportedWheelError says why a wheel cannot be installed by [UnpackWheels]; the caller falls
// back to pip, which handles every wheel.
type UnsupportedWheelError struct {
	Wheel  string
	Reason string
}

func (e *UnsupportedWheelError) Error() string {
	return fmt.Sprintf("wheel %s: %s", filepath.Base(e.Wheel), e.Reason)
}

// installerName is what the INSTALLER file of every unpacked distribution says. It is "pip", as
// pip writes, so that the trees of both install paths are the same: pip resolved the wheels and
// this package laid them out exactly as pip --target does.
const installerName = "pip\n"

// UnpackWheels installs wheels into target the way `pip install --target --no-compile` does, with
// up to jobs wheels unpacked at once (jobs <= 0: twice the number of CPUs). Following the wheel
// format (PEP 427/491): the files go to the target's root (purelib and platlib alike), the
// <name>.data/purelib and platlib directories are merged into the root, the .dist-info directory
// is kept and gets INSTALLER, REQUESTED (requested distributions only) and a RECORD rewritten for
// the installed paths, executable bits are kept and no .pyc files are compiled.
//
// Data files (.data/data) go to the target's root, as pip --target moves them there. What
// [LeftOut] names is not written: console and gui script launchers (pip writes them for the
// interpreter that ran it), .data/scripts and .data/headers, nor their RECORD rows. Files two
// wheels share are written once when their bytes are the same.
//
// Wheels whose files overlap with other bytes, wheel format versions other than 1.x, members that
// are not regular files or are compressed other than stored or deflated are not supported: the
// error is an [*UnsupportedWheelError] and nothing has been written. (The Installer's wheel
// installer hands such a wheel alone to pip.)
func UnpackWheels(ctx context.Context, target string, wheels []WheelFile, jobs int) error {
	if jobs <= 0 {
		jobs = 2 * runtime.GOMAXPROCS(0)
	}
	plans := make([]*wheelPlan, len(wheels))
	err := forEach(ctx, len(wheels), jobs, func(i int) error {
		p, err := planWheel(wheels[i])
		plans[i] = p
		return err
	})
	if err != nil {
		closePlans(plans)
		return err
	}
	defer closePlans(plans)
	if err := checkOwners(plans); err != nil {
		return err
	}
	return installPlans(ctx, target, plans, jobs)
}

// installPlans writes planned wheels into target, jobs at a time (<= 0: twice the CPUs).
func installPlans(ctx context.Context, target string, plans []*wheelPlan, jobs int) error {
	if jobs <= 0 {
		jobs = 2 * runtime.GOMAXPROCS(0)
	}
	if err := os.MkdirAll(target, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", target, err)
	}
	return forEach(ctx, len(plans), jobs, func(i int) error {
		if err := plans[i].install(ctx, target); err != nil {
			return fmt.Errorf("installing %s into %s: %w", filepath.Base(plans[i].wheel.Path), target, err)
		}
		return nil
	})
}

// forEach runs fn(0..n-1) on up to jobs goroutines and returns the first error.
func forEach(ctx context.Context, n, jobs int, fn func(int) error) error {
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	next := make(chan int)
	for w := 0; w < min(jobs, n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := fn(i); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}
		}()
	}
loop:
	for i := 0; i < n; i++ {
		mu.Lock()
		stop := firstErr != nil
		mu.Unlock()
		if stop {
			break
		}
		select {
		case next <- i:
		case <-ctx.Done():
			break loop
		}
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

// wheelPlan is an opened wheel and where each of its files goes.
type wheelPlan struct {
	wheel    WheelFile
	rc       *zip.ReadCloser
	distInfo string
	files    []plannedFile
	// record is the wheel's RECORD rows.
	record [][]string
	// gen memoizes generated().
	gen []generatedFile
	// omitted are the wheel's scripts and headers, left out of the tree (see LeftOut).
	omitted []string
	// byPip is set when pip installed this wheel (outside what the wheel installer handles): the
	// files are on disk and gen holds nothing.
	byPip bool
}

type plannedFile struct {
	zf *zip.File
	// name is the path inside the wheel; dest the path relative to the target (slash-separated);
	// record the path pip's RECORD gives it (dest, or "../../"+dest for a data file).
	name, dest, record string
	// disk is the file's path on this machine when pip installed the wheel (zf is nil then).
	disk string
	// exec is the executable bit of a file pip installed.
	exec bool
	// dup marks a file another wheel of the tree installs too, with the same bytes: it is
	// written (and zipped) once, by the other wheel.
	dup bool
}

func closePlans(plans []*wheelPlan) {
	for _, p := range plans {
		if p != nil && p.rc != nil {
			p.rc.Close()
		}
	}
}

// planWheel opens w, checks it is supported and maps its files to the target.
func planWheel(w WheelFile) (*wheelPlan, error) {
	rc, err := zip.OpenReader(w.Path)
	if err != nil {
		return nil, fmt.Errorf("opening wheel %s: %w", w.Path, err)
	}
	p := &wheelPlan{wheel: w, rc: rc}
	unsupported := func(format string, a ...any) error {
		return &UnsupportedWheelError{Wheel: w.Path, Reason: fmt.Sprintf(format, a...)}
	}
	byName := map[string]*zip.File{}
	for _, f := range rc.File {
		byName[f.Name] = f
		if first, rest, ok := strings.Cut(f.Name, "/"); ok && strings.HasSuffix(first, ".dist-info") && rest == "WHEEL" {
			if p.distInfo != "" && p.distInfo != first {
				return p, unsupported("two .dist-info directories (%s, %s)", p.distInfo, first)
			}
			p.distInfo = first
		}
	}
	if p.distInfo == "" {
		return p, fmt.Errorf("wheel %s has no .dist-info/WHEEL: it is not a valid wheel", w.Path)
	}
	wheelMeta, err := readZipText(byName[p.distInfo+"/WHEEL"])
	if err != nil {
		return p, fmt.Errorf("reading %s/WHEEL of %s: %w", p.distInfo, w.Path, err)
	}
	if v := headerValue(wheelMeta, "Wheel-Version"); !strings.HasPrefix(v, "1.") {
		return p, unsupported("Wheel-Version %q (only 1.x is supported)", v)
	}
	recordFile := byName[p.distInfo+"/RECORD"]
	if recordFile == nil {
		return p, fmt.Errorf("wheel %s has no %s/RECORD: it is not a valid wheel", w.Path, p.distInfo)
	}
	recordText, err := readZipText(recordFile)
	if err != nil {
		return p, fmt.Errorf("reading %s/RECORD of %s: %w", p.distInfo, w.Path, err)
	}
	if p.record, err = csv.NewReader(strings.NewReader(recordText)).ReadAll(); err != nil {
		return p, fmt.Errorf("parsing %s/RECORD of %s: %w", p.distInfo, w.Path, err)
	}
	dataDir := strings.TrimSuffix(p.distInfo, ".dist-info") + ".data"
	for _, f := range rc.File {
		if strings.HasSuffix(f.Name, "/") {
			continue // directory entry
		}
		if f.Name == p.distInfo+"/RECORD" {
			continue // rewritten
		}
		if !safeWheelPath(f.Name) {
			return p, fmt.Errorf("wheel %s: unsafe path %q", w.Path, f.Name)
		}
		if !f.Mode().IsRegular() {
			return p, unsupported("%s is not a regular file", f.Name)
		}
		if f.Method != zip.Store && f.Method != zip.Deflate {
			return p, unsupported("%s is compressed with zip method %d (only stored and deflated members are copied)", f.Name, f.Method)
		}
		dest, record := f.Name, f.Name
		if first, rest, ok := strings.Cut(f.Name, "/"); ok && first == dataDir {
			scheme, sub, ok := strings.Cut(rest, "/")
			if !ok {
				return p, unsupported("%s is not in a scheme directory", f.Name)
			}
			switch scheme {
			case "purelib", "platlib":
				dest, record = sub, sub
			case "data":
				// pip --target installs under a temporary home and moves its items into the
				// target: data files land at the target's root, recorded relative to home/lib/python.
				dest, record = sub, "../../"+sub
			case "scripts", "headers":
				// Left out: see LeftOut.
				p.omitted = append(p.omitted, f.Name)
				continue
			default:
				return p, unsupported("it installs files of the unknown scheme %q (%s)", scheme, f.Name)
			}
		} else if f.Name == dataDir {
			return p, unsupported("%s is not in a scheme directory", f.Name)
		}
		if leftOut(dest) {
			p.omitted = append(p.omitted, f.Name)
			continue
		}
		p.files = append(p.files, plannedFile{zf: f, name: f.Name, dest: dest, record: record})
	}
	return p, nil
}

// safeWheelPath reports whether name stays inside the target.
func safeWheelPath(name string) bool {
	if name == "" || strings.HasPrefix(name, "/") || strings.Contains(name, "\\") {
		return false
	}
	clean := path.Clean(name)
	return clean == name && clean != ".." && !strings.HasPrefix(clean, "../")
}

// install writes the plan's files, INSTALLER, REQUESTED and RECORD into target.
func (p *wheelPlan) install(ctx context.Context, target string) error {
	made := map[string]bool{}
	mkdir := func(dir string) error {
		if made[dir] {
			return nil
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		made[dir] = true
		return nil
	}
	buf := make([]byte, 64<<10)
	for _, f := range p.files {
		if err := ctx.Err(); err != nil {
			return err
		}
		if f.dup {
			continue
		}
		dst := filepath.Join(target, filepath.FromSlash(f.dest))
		if err := mkdir(filepath.Dir(dst)); err != nil {
			return err
		}
		if f.zf == nil {
			if err := copyFile(f.disk, dst, f.exec); err != nil {
				return err
			}
			continue
		}
		if err := writeZipFile(f.zf, dst, buf); err != nil {
			return err
		}
	}
	if p.byPip {
		return nil
	}
	info := filepath.Join(target, p.distInfo)
	if err := mkdir(info); err != nil {
		return err
	}
	generated, err := p.generated()
	if err != nil {
		return err
	}
	for _, g := range generated {
		if err := os.WriteFile(filepath.Join(target, filepath.FromSlash(g.dest)), g.data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// generatedFile is a file the installer writes that the wheel does not carry.
type generatedFile struct {
	dest string
	data []byte
}

// generated returns the plan's INSTALLER, REQUESTED (for a requested distribution) and RECORD, as
// pip writes them: RECORD lists the installed paths (moved .data files under their new path), the
// files the wheel's RECORD omitted with their hash, and the generated files.
func (p *wheelPlan) generated() ([]generatedFile, error) {
	if p.gen != nil || p.byPip {
		return p.gen, nil
	}
	moved := map[string]string{} // wheel path -> recorded path, where they differ
	for _, f := range p.files {
		if f.record != f.name {
			moved[f.name] = f.record
		}
	}
	omitted := map[string]bool{}
	for _, name := range p.omitted {
		omitted[name] = true
	}
	gen := []generatedFile{{p.distInfo + "/INSTALLER", []byte(installerName)}}
	if p.wheel.Requested {
		gen = append(gen, generatedFile{p.distInfo + "/REQUESTED", []byte{}})
	}
	rows := make([][]string, 0, len(p.record)+len(gen)+1)
	seen := map[string]bool{}
	recordPath := p.distInfo + "/RECORD"
	for _, r := range p.record {
		if len(r) == 0 || r[0] == "" {
			continue
		}
		name := r[0]
		if omitted[name] {
			continue
		}
		if d, ok := moved[name]; ok {
			name = d
		}
		if name == recordPath {
			continue
		}
		row := append([]string{name}, r[1:]...)
		rows = append(rows, row)
		seen[name] = true
	}
	// Files the wheel has but its RECORD does not list are recorded with their hash, as pip does.
	for _, f := range p.files {
		if !seen[f.record] {
			data, err := readZipFile(f.zf)
			if err != nil {
				return nil, err
			}
			rows = append(rows, []string{f.record, recordHash(data), fmt.Sprint(len(data))})
		}
	}
	for _, g := range gen {
		rows = append(rows, []string{g.dest, recordHash(g.data), fmt.Sprint(len(g.data))})
	}
	rows = append(rows, []string{recordPath, "", ""})
	sort.Slice(rows, func(i, j int) bool { return strings.Join(rows[i], "\x00") < strings.Join(rows[j], "\x00") })
	var buf strings.Builder
	cw := csv.NewWriter(&buf)
	cw.UseCRLF = true
	if err := cw.WriteAll(rows); err != nil {
		return nil, fmt.Errorf("writing %s: %w", recordPath, err)
	}
	p.gen = append(gen, generatedFile{recordPath, []byte(buf.String())})
	return p.gen, nil
}

// copyFile copies a file pip installed into the target.
func copyFile(src, dst string, exec bool) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	mode := os.FileMode(0o644)
	if exec {
		mode = 0o755
	}
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copying %s: %w", src, err)
	}
	return out.Close()
}

// readZipFile reads a member whole.
func readZipFile(f *zip.File) ([]byte, error) {
	r, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", f.Name, err)
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", f.Name, err)
	}
	return data, nil
}

// writeZipFile extracts f to dst, executable when the wheel says so (pip's rule: any x bit).
func writeZipFile(f *zip.File, dst string, buf []byte) error {
	r, err := f.Open()
	if err != nil {
		return fmt.Errorf("reading %s: %w", f.Name, err)
	}
	defer r.Close()
	mode := os.FileMode(0o644)
	if f.ExternalAttrs>>16&0o111 != 0 {
		mode = 0o755
	}
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.CopyBuffer(out, r, buf); err != nil {
		out.Close()
		return fmt.Errorf("extracting %s: %w", f.Name, err)
	}
	return out.Close()
}

// readZipText reads a small text member.
func readZipText(f *zip.File) (string, error) {
	if f == nil {
		return "", errors.New("missing")
	}
	r, err := f.Open()
	if err != nil {
		return "", err
	}
	defer r.Close()
	data, err := io.ReadAll(io.LimitReader(r, 64<<20))
	return string(data), err
}

// headerValue returns the value of an email-style "Key: value" line.
func headerValue(text, key string) string {
	for _, line := range strings.Split(text, "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(strings.TrimSpace(k), key) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// recordHash is a RECORD hash: "sha256=" and the unpadded urlsafe base64 digest.
func recordHash(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256=" + base64.RawURLEncoding.EncodeToString(sum[:])
}
