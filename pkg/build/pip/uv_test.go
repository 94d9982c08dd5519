package pip_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/need"
	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/pypi"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/build/pip"
)

var sep = regexp.MustCompile(`[-_.]+`)

// TestUVResolvesAsPip resolves the same request from real PyPI wheels with pip and with uv: the
// same distributions, versions and wheel files (so the same hashes), and the same planned tree,
// byte for byte: the artifacts do not depend on the resolver.
func TestUVResolvesAsPip(t *testing.T) {
	uv := need.Tool(t, "uv", ".ci/run installs it: pip install uv==0.13.9")
	// Loose requirements: the wheelhouse has one version of each, so both must choose it; numpy and
	// charset-normalizer have several wheels for the platform, of which pip's tag order picks one.
	loose := []string{"numpy", "charset-normalizer", "chardet", "jsonpointer", "pybind11-global", "setuptools", "zope.interface", "zope.event"}
	for _, p := range []pip.Platform{realPlatform, {Python: "3.11", Arch: "arm64", GlibcMajor: 2, GlibcMinor: 26}} {
		t.Run(p.Python+"-"+p.Arch, func(t *testing.T) {
			house := pypi.Wheelhouse(t, p, realRequirements...)
			onlyFrom(t, house)
			ix := pip.Index{NoIndex: true, FindLinks: []string{house}}
			f := filepath.Join(t.TempDir(), "requirements.txt")
			if err := os.WriteFile(f, []byte(strings.Join(loose[:4], "\n")+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			req := pip.InstallRequest{RequirementFiles: []string{f}, Requirements: loose[4:], Platform: p}
			ress := map[string]*pip.Resolution{}
			reports := map[string]*pip.Report{}
			trees := map[string]map[string]string{}
			for name, opts := range map[string][]pip.Option{"pip": nil, "uv": {pip.WithUV(uv)}} {
				var logs strings.Builder
				opts = append(opts, pip.WithWheelInstaller(0), pip.WithIndex(ix), pip.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
				inst := pip.NewInstaller(opts...)
				res, err := inst.Resolve(context.Background(), req)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if !strings.Contains(logs.String(), name+" resolved") {
					t.Errorf("%s did not resolve:\n%s", name, logs.String())
				}
				ress[name] = res
				tree, err := inst.PlanRequirements(context.Background(), req)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				// The order is the resolver's; the builder sorts by name.
				sort.Slice(tree.Report.Distributions, func(a, b int) bool { return tree.Report.Distributions[a].Name < tree.Report.Distributions[b].Name })
				reports[name] = tree.Report
				dir := filepath.Join(t.TempDir(), name)
				writeTree(t, tree, dir)
				tree.Close()
				trees[name] = treeOf(t, dir)
			}
			if len(ress["pip"].Distributions) < len(loose) {
				t.Fatalf("pip resolved %d distributions", len(ress["pip"].Distributions))
			}
			sortRes := func(r *pip.Resolution) map[string]pip.ResolvedDistribution {
				m := map[string]pip.ResolvedDistribution{}
				for _, d := range r.Distributions {
					// The spelling differs (pip: METADATA's "zope.interface", uv: "zope-interface");
					// the reports built from the wheels carry METADATA's (compared below).
					key := strings.ToLower(sep.ReplaceAllString(d.Name, "-"))
					d.Name = ""
					m[key] = d
				}
				return m
			}
			if d := cmp.Diff(sortRes(ress["pip"]), sortRes(ress["uv"])); d != "" {
				t.Errorf("resolutions differ (-pip +uv):\n%s", d)
			}
			if d := cmp.Diff(reports["pip"], reports["uv"]); d != "" {
				t.Errorf("reports differ (-pip +uv):\n%s", d)
			}
			if d := cmp.Diff(trees["pip"], trees["uv"]); d != "" {
				t.Errorf("trees differ (-pip +uv):\n%s", d)
			}
		})
	}
}
