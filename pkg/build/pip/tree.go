package pip

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// ErrNotPlanned says that a request's tree cannot be planned without installing it (the wheel
// installer is off, or a wheel needs pip: scripts, data files, a file two wheels share); the
// caller installs with InstallRequirements instead.
var ErrNotPlanned = errors.New("the installed tree cannot be planned without pip")

// Tree is what installing a request with the wheel installer would write into a --target
// directory, planned but not written: each file of each resolved wheel at its installed path, read
// from the wheel when needed, plus the files the installer generates. Close releases the wheels.
type Tree struct {
	plans   []*wheelPlan
	cleanup func()
	// Report lists the distributions, as InstallRequirements reports them (TopLevel included
	// once WriteMetadata has written the .dist-info directories).
	Report *Report
}

// TreeFile is one file of a Tree.
type TreeFile struct {
	// Name is the slash-separated path in the tree; Exec the executable bit pip would set.
	Name string
	Exec bool
	// Raw opens the file's bytes as the wheel stores them (Method: zip.Store or zip.Deflate), with
	// their CRC32 and sizes; nil for generated files, whose content is Data.
	Raw                  func() (io.Reader, error)
	Method               uint16
	CRC32                uint32
	Size, CompressedSize int64
	Data                 []byte
}

// PlanRequirements resolves req as InstallRequirements would (hash-locked files included) and
// plans its tree. It returns an error wrapping ErrNotPlanned when pip must install it.
func (i *Installer) PlanRequirements(ctx context.Context, req InstallRequest) (*Tree, error) {
	if !i.unpack || (len(req.RequirementFiles) == 0 && len(req.Requirements) == 0) {
		return nil, ErrNotPlanned
	}
	res, err := i.Resolve(ctx, req)
	if err != nil {
		return nil, err
	}
	wheels, cleanup, err := i.fetchWheels(ctx, res, req.Platform)
	if err != nil {
		cleanup()
		if errors.Is(err, errFallback) {
			return nil, fmt.Errorf("%w: %v", ErrNotPlanned, err)
		}
		return nil, err
	}
	plans, closeWheels, err := i.planWheels(ctx, wheels, req.Platform)
	t := &Tree{plans: plans, cleanup: func() { closeWheels(); cleanup() }, Report: &Report{}}
	if err != nil {
		t.Close()
		var unsup *UnsupportedWheelError
		if errors.As(err, &unsup) {
			i.logger.Info("the wheel installer cannot plan this tree: pip installs it", "reason", unsup.Error())
			return nil, fmt.Errorf("%w: %v", ErrNotPlanned, err)
		}
		return nil, err
	}
	names := metadataNames(plans)
	for _, d := range res.Distributions {
		t.Report.Distributions = append(t.Report.Distributions, Distribution{Name: names.of(d.Name), Version: d.Version, Requested: d.Requested})
	}
	return t, nil
}

// Close releases the wheels (and removes those downloaded for the plan).
func (t *Tree) Close() {
	if t.cleanup != nil {
		t.cleanup()
	}
}

// Drop removes a distribution from the tree (and the report); false when it is not in it.
func (t *Tree) Drop(name string) bool {
	for k, p := range t.plans {
		if normalize(distName(p.distInfo)) == normalize(name) {
			t.plans = append(t.plans[:k:k], t.plans[k+1:]...)
			kept := t.Report.Distributions[:0]
			for _, d := range t.Report.Distributions {
				if normalize(d.Name) != normalize(name) {
					kept = append(kept, d)
				}
			}
			t.Report.Distributions = kept
			return true
		}
	}
	return false
}

// Files lists the tree's files.
func (t *Tree) Files() ([]TreeFile, error) {
	var out []TreeFile
	for _, p := range t.plans {
		for _, f := range p.files {
			if f.dup {
				continue
			}
			if f.zf == nil {
				data, err := os.ReadFile(f.disk)
				if err != nil {
					return nil, err
				}
				out = append(out, TreeFile{Name: f.dest, Exec: f.exec, Data: data, Size: int64(len(data))})
				continue
			}
			zf := f.zf
			out = append(out, TreeFile{
				Name: f.dest, Exec: zf.ExternalAttrs>>16&0o111 != 0,
				Raw: zf.OpenRaw, Method: zf.Method, CRC32: zf.CRC32,
				Size: int64(zf.UncompressedSize64), CompressedSize: int64(zf.CompressedSize64),
			})
		}
		gen, err := p.generated()
		if err != nil {
			return nil, err
		}
		for _, g := range gen {
			out = append(out, TreeFile{Name: g.dest, Data: g.data, Size: int64(len(g.data))})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// WriteMetadata writes into dir, as the install would, every .dist-info directory and the files
// whose name want accepts (e.g. shared objects, for a check that reads them), and fills the
// report's TopLevel: enough of the tree for checks that read metadata, without writing it all.
func (t *Tree) WriteMetadata(ctx context.Context, dir string, want func(name string) bool) error {
	for _, p := range t.plans {
		if err := ctx.Err(); err != nil {
			return err
		}
		gen, err := p.generated()
		if err != nil {
			return err
		}
		for _, g := range gen {
			if err := writeTreeFile(dir, g.dest, g.data); err != nil {
				return err
			}
		}
		buf := make([]byte, 64<<10)
		for _, f := range p.files {
			first, _, _ := strings.Cut(f.dest, "/")
			if f.dup || first != p.distInfo && !want(path.Base(f.dest)) {
				continue
			}
			dst := filepath.Join(dir, filepath.FromSlash(f.dest))
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return err
			}
			if f.zf == nil {
				err = copyFile(f.disk, dst, f.exec)
			} else {
				err = writeZipFile(f.zf, dst, buf)
			}
			if err != nil {
				return err
			}
		}
	}
	for k := range t.Report.Distributions {
		d := &t.Report.Distributions[k]
		top, err := TopLevel(dir, d.Name, d.Version)
		if err != nil {
			return err
		}
		d.TopLevel = top
	}
	return nil
}

func writeTreeFile(dir, name string, data []byte) error {
	dst := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.WriteFile(dst, data, 0o644)
}
