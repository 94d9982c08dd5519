package cli

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/config"
	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/wheelhouse"
)

// wheelhouses are built once per test binary: the normal one and two broken lithops releases.
var (
	goodWheels, raisingWheels, mismatchWheels string
	// fcWheels and fcRaisingWheels hold lithops 3.7.0 and 3.6.0 (FC 3.0 and FC 2.0 clients).
	fcWheels, fcRaisingWheels string
)

func TestMain(m *testing.M) {
	if os.Getenv(asProgram) == "1" { // runBinary: this test binary is the program (main.go's Command)
		os.Exit(Command())
	}
	moreParallel()
	dir, err := os.MkdirTemp("", "cli-wheelhouses-")
	if err != nil {
		panic(err)
	}
	// The build cache (the user cache directory outside Actions) is this run's own.
	os.Setenv("XDG_CACHE_HOME", filepath.Join(dir, "cache"))
	build := func(name string, opts wheelhouse.Options) string {
		d := filepath.Join(dir, name)
		if _, err := wheelhouse.Build(d, opts); err != nil {
			panic(err)
		}
		return d
	}
	goodWheels = build("good", wheelhouse.Options{})
	raisingWheels = build("raising", wheelhouse.Options{HandlerError: "stand-in failure: the runtime is broken"})
	mismatchWheels = build("mismatch", wheelhouse.Options{ReportedVersion: "3.6.0"})
	fcWheels = build("fc", wheelhouse.Options{Lithops: []string{"3.7.0", "3.6.0"}})
	fcRaisingWheels = build("fc-raising", wheelhouse.Options{Lithops: []string{"3.7.0", "3.6.0"}, HandlerError: "stand-in failure: the runtime is broken"})
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// moreParallel runs up to 4 parallel tests at once (twice GOMAXPROCS if more) unless -parallel
// says otherwise: these end-to-end tests mostly wait (on pip, buildah, images starting, the fake
// clouds' settle and retry delays), so Go's default of GOMAXPROCS leaves the CPUs half idle.
func moreParallel() {
	flag.Parse()
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "test.parallel" })
	if !explicit {
		if err := flag.Set("test.parallel", strconv.Itoa(max(4, 2*runtime.GOMAXPROCS(0)))); err != nil {
			panic(err)
		}
	}
}

// session is one run of the program with its own environment and captured streams.
type session struct {
	env            map[string]string
	stdout, stderr bytes.Buffer
	code           int
}

// offline points pip at a fixture wheelhouse for the test, in the process environment.
func offline(t *testing.T, wheels string) {
	t.Setenv("PIP_NO_INDEX", "1")
	t.Setenv("PIP_FIND_LINKS", wheels)
	t.Setenv("PIP_DISABLE_PIP_VERSION_CHECK", "1")
	testWheels.Store(t.Name(), wheels) // and in the program's environment (runMain), which pip and uv read
}

// parallelOffline marks the test parallel and points the program's pip at a fixture wheelhouse
// through the program's environment only (a parallel test cannot change the process's).
func parallelOffline(t *testing.T, wheels string) {
	t.Parallel()
	testWheels.Store(t.Name(), wheels)
}

// useWheels switches the wheelhouse of a test marked parallel by parallelOffline (or of a subtest).
func useWheels(t *testing.T, wheels string) { testWheels.Store(t.Name(), wheels) }

// testWheels maps a test's name to the wheelhouse offline or parallelOffline gave it.
var testWheels sync.Map

// withWheels returns env plus the pip settings of the wheelhouse registered for t or a parent test.
func withWheels(t *testing.T, env map[string]string) map[string]string {
	name := t.Name()
	for {
		if w, ok := testWheels.Load(name); ok {
			out := maps.Clone(env)
			if out == nil {
				out = map[string]string{}
			}
			out["PIP_NO_INDEX"], out["PIP_FIND_LINKS"], out["PIP_DISABLE_PIP_VERSION_CHECK"] = "1", w.(string), "1"
			return out
		}
		i := strings.LastIndex(name, "/")
		if i < 0 {
			return env
		}
		name = name[:i]
	}
}

// getenvOf looks variables up in env only.
func getenvOf(env map[string]string) func(string) string {
	return func(k string) string { return env[k] }
}

func runMain(t *testing.T, ws string, env map[string]string, args ...string) *session {
	t.Helper()
	env = withWheels(t, env)
	s := &session{env: env}
	s.code = Main(context.Background(), args, System{
		Getenv:  func(k string) string { return env[k] },
		Stdout:  &s.stdout,
		Stderr:  &s.stderr,
		Workdir: ws,
		Probe:   func(context.Context) (string, string, error) { return "3.11", "", nil },
	})
	return s
}

// outputs parses name=value lines.
func (s *session) outputs() map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(s.stdout.String(), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			out[k] = v
		}
	}
	return out
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// functionName computes the contract's formula independently of pkg/lithops.
func functionName(userKey, version, runtime string, memory int) string {
	sum := sha1.Sum([]byte(runtime + "-" + itoa(memory) + "-" + version))
	return "lithops-worker-" + userKey + "-" + strings.ReplaceAll(version, ".", "") + "-" + hex.EncodeToString(sum[:])[:10]
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestQuickStartTwice(t *testing.T) {
	parallelOffline(t, goodWheels)
	ws := t.TempDir()
	writeFile(t, filepath.Join(ws, "requirements.txt"), "acme-text-utils\n")
	state := t.TempDir()
	args := []string{"--requirements", "requirements.txt", "--lithops-version", "3.7.0", "--local-dir", state}

	first := runMain(t, ws, map[string]string{}, args...)
	if first.code != 0 {
		t.Fatalf("exit %d\nstderr:\n%s", first.code, first.stderr.String())
	}
	fn := functionName("local", "3.7.0", "default-runtime-v311", 256)
	got := first.outputs()
	bundle := got["bundle-sha256"]
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(bundle) {
		t.Errorf("bundle-sha256 = %q", bundle)
	}
	runtimeKey := "local/3.7.0/local/" + fn
	want := map[string]string{
		"runtime-name":    "default-runtime-v311",
		"function-name":   fn,
		"function-names":  `["` + fn + `"]`,
		"function-arn":    "local:function:" + fn,
		"runtime-key":     runtimeKey,
		"metadata-key":    "lithops.runtimes/" + runtimeKey + ".meta.json",
		"python-version":  "3.11",
		"lithops-version": "3.7.0",
		"package-type":    "zip",
		"bundle-sha256":   bundle,
		"layer-arn":       "local:layer:lithops_v370_local_default-runtime-v311_layer:1",
		"image-uri":       "",
		"image-digest":    "",
		"changed":         "true",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("first run outputs (-want +got):\n%s\nstderr:\n%s", diff, first.stderr.String())
	}

	// The metadata object is what a Lithops client reads: with runtime_timeout, and the
	// requirement's import name (not its distribution name) among the preinstalls.
	meta, err := os.ReadFile(filepath.Join(state, "storage", "lithops-local-local", filepath.FromSlash(want["metadata-key"])))
	if err != nil {
		t.Fatal(err)
	}
	var md struct {
		Preinstalls    [][]any `json:"preinstalls"`
		PythonVersion  string  `json:"python_version"`
		LithopsVersion string  `json:"lithops_version"`
		RuntimeTimeout int     `json:"runtime_timeout"`
	}
	if err := json.Unmarshal(meta, &md); err != nil {
		t.Fatalf("metadata %s: %v", meta, err)
	}
	mods := map[string]bool{}
	for _, p := range md.Preinstalls {
		mods[p[0].(string)] = true
	}
	for _, m := range []string{"acmetext", "lithops", "ps_mem", "cloudpickle", "json"} {
		if !mods[m] {
			t.Errorf("preinstalls lack %q", m)
		}
	}
	if mods["boto3"] {
		t.Error("preinstalls list boto3 from the host's site-packages: the function is not isolated")
	}
	if md.RuntimeTimeout != 180 || md.PythonVersion != "3.11" || md.LithopsVersion != "3.7.0" {
		t.Errorf("metadata = %+v", md)
	}

	second := runMain(t, ws, map[string]string{}, args...)
	if second.code != 0 {
		t.Fatalf("second run: exit %d\n%s", second.code, second.stderr.String())
	}
	want["changed"] = "false"
	if diff := cmp.Diff(want, second.outputs()); diff != "" {
		t.Errorf("second run outputs (-want +got):\n%s", diff)
	}
	// The second build comes from the build cache: the same zips, not rebuilt.
	if !strings.Contains(second.stderr.String(), "cache hit") {
		t.Errorf("the unchanged rebuild did not hit the build cache:\n%s", second.stderr.String())
	}
	meta2, _ := os.ReadFile(filepath.Join(state, "storage", "lithops-local-local", filepath.FromSlash(want["metadata-key"])))
	if !bytes.Equal(meta, meta2) {
		t.Error("the unchanged run rewrote the metadata differently")
	}
}

// actionsEnv is the environment GitHub Actions gives a step.
func actionsEnv(t *testing.T, inputs map[string]string) (map[string]string, string, string) {
	dir := t.TempDir()
	out, sum := filepath.Join(dir, "output"), filepath.Join(dir, "summary")
	for _, f := range []string{out, sum} {
		writeFile(t, f, "")
	}
	env := map[string]string{
		"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": out, "GITHUB_STEP_SUMMARY": sum,
		"RUNNER_TEMP": t.TempDir(),
	}
	for k, v := range inputs {
		env["INPUT_"+strings.ToUpper(k)] = v
	}
	return env, out, sum
}

// fileOutputs parses $GITHUB_OUTPUT's name<<delimiter blocks.
func fileOutputs(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	lines := strings.Split(string(data), "\n")
	for i := 0; i < len(lines); i++ {
		name, delim, ok := strings.Cut(lines[i], "<<")
		if !ok {
			continue
		}
		var val []string
		for i++; i < len(lines) && lines[i] != delim; i++ {
			val = append(val, lines[i])
		}
		out[name] = strings.Join(val, "\n")
	}
	return out
}

func TestActionInputsOutputsAndSummary(t *testing.T) {
	parallelOffline(t, goodWheels)
	ws := t.TempDir()
	writeFile(t, filepath.Join(ws, "reqs", "requirements.txt"), "acme-text-utils\n")
	env, outFile, sumFile := actionsEnv(t, map[string]string{
		"requirements": "reqs/requirements.txt", "lithops-version": "3.7.0", "python-version": "3.12",
		"memory": "256,1024",
	})
	env["GITHUB_WORKSPACE"] = ws
	s := runMain(t, "/nonexistent", env)
	if s.code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s", s.code, s.stdout.String())
	}
	outs := fileOutputs(t, outFile)
	fns := []string{functionName("local", "3.7.0", "default-runtime-v312", 256), functionName("local", "3.7.0", "default-runtime-v312", 1024)}
	namesJSON, _ := json.Marshal(fns)
	for k, v := range map[string]string{"function-name": fns[0], "function-names": string(namesJSON), "python-version": "3.12", "changed": "true", "runtime-name": "default-runtime-v312"} {
		if outs[k] != v {
			t.Errorf("$GITHUB_OUTPUT %s = %q, want %q", k, outs[k], v)
		}
	}
	if len(outs) != len(config.Outputs) {
		t.Errorf("$GITHUB_OUTPUT has %d outputs, want %d: %v", len(outs), len(config.Outputs), outs)
	}
	log := s.stdout.String()
	for _, w := range []string{"::group::build", "::group::deploy", "::group::verify", "::endgroup::"} {
		if !strings.Contains(log, w) {
			t.Errorf("log lacks %q", w)
		}
	}
	if regexp.MustCompile(`(?m)^changed=`).MatchString(log) {
		t.Error("name=value lines printed in Actions, where outputs go to $GITHUB_OUTPUT")
	}
	sum, _ := os.ReadFile(sumFile)
	for _, w := range []string{"### Lithops runtime `default-runtime-v312`", "| Backend | local |", fns[1], "runtime_memory=256", "Time per stage"} {
		if !strings.Contains(string(sum), w) {
			t.Errorf("summary lacks %q:\n%s", w, sum)
		}
	}
}

func TestFailingRuntimeRestoresAndPublishesNothing(t *testing.T) {
	ws := t.TempDir()
	writeFile(t, filepath.Join(ws, "requirements.txt"), "acme-text-utils\n")
	state := t.TempDir()
	args := []string{"--requirements", "requirements.txt", "--lithops-version", "3.7.0", "--local-dir", state}

	parallelOffline(t, goodWheels)
	if s := runMain(t, ws, map[string]string{}, args...); s.code != 0 {
		t.Fatalf("deploying the good runtime: exit %d\n%s", s.code, s.stderr.String())
	}
	fn := functionName("local", "3.7.0", "default-runtime-v311", 256)
	before, err := os.ReadFile(filepath.Join(state, "functions", fn, "function.json"))
	if err != nil {
		t.Fatal(err)
	}
	metaDir := filepath.Join(state, "storage")
	metaBefore := snapshot(t, metaDir)

	for _, tc := range []struct {
		name, wheels string
		want         []string
	}{
		{"handler raises", raisingWheels, []string{"smoke test of function " + fn + " failed", "stand-in failure: the runtime is broken", "restored"}},
		{"lithops version mismatch", mismatchWheels, []string{"the runtime has lithops 3.6.0, not 3.7.0", "restored"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			useWheels(t, tc.wheels)
			env, outFile, _ := actionsEnv(t, nil)
			s := runMain(t, ws, env, args...)
			if s.code != 1 {
				t.Fatalf("exit %d, want 1\n%s", s.code, s.stdout.String())
			}
			log := s.stdout.String()
			for _, w := range tc.want {
				if !strings.Contains(log, w) {
					t.Errorf("log lacks %q:\n%s", w, log)
				}
			}
			if !strings.Contains(log, "::error::") {
				t.Error("no error annotation")
			}
			if data, _ := os.ReadFile(outFile); len(data) != 0 {
				t.Errorf("outputs were published: %s", data)
			}
			after, err := os.ReadFile(filepath.Join(state, "functions", fn, "function.json"))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(before), string(after)); diff != "" {
				t.Errorf("function not restored (-before +after):\n%s", diff)
			}
			if diff := cmp.Diff(metaBefore, snapshot(t, metaDir)); diff != "" {
				t.Errorf("metadata changed (-before +after):\n%s", diff)
			}
		})
	}

	// The restored function still works and nothing needs deploying.
	useWheels(t, goodWheels)
	s := runMain(t, ws, map[string]string{}, args...)
	if s.code != 0 || s.outputs()["changed"] != "false" {
		t.Errorf("after the failed runs: exit %d, changed=%s\n%s", s.code, s.outputs()["changed"], s.stderr.String())
	}
}

func TestRequirementChangePublishesNewLayer(t *testing.T) {
	parallelOffline(t, goodWheels)
	ws := t.TempDir()
	req := filepath.Join(ws, "requirements.txt")
	writeFile(t, req, "acme-text-utils\n")
	state := t.TempDir()
	args := []string{"--requirements", "requirements.txt", "--lithops-version", "3.7.0", "--local-dir", state}
	first := runMain(t, ws, map[string]string{}, args...)
	if first.code != 0 {
		t.Fatalf("exit %d\n%s", first.code, first.stderr.String())
	}
	writeFile(t, req, "acme-text-utils\nsix\n")
	second := runMain(t, ws, map[string]string{}, args...)
	if second.code != 0 {
		t.Fatalf("exit %d\n%s", second.code, second.stderr.String())
	}
	o1, o2 := first.outputs(), second.outputs()
	if o2["changed"] != "true" || o2["layer-arn"] != strings.TrimSuffix(o1["layer-arn"], ":1")+":2" {
		t.Errorf("after a requirement change: changed=%s layer-arn=%s (was %s)", o2["changed"], o2["layer-arn"], o1["layer-arn"])
	}
	if o2["bundle-sha256"] != o1["bundle-sha256"] {
		t.Error("the function zip changed although only the requirements did")
	}
	if !strings.Contains(second.stderr.String(), "update") {
		t.Errorf("plan does not show the function update:\n%s", second.stderr.String())
	}
}

func TestDryRunChangesNothing(t *testing.T) {
	parallelOffline(t, goodWheels)
	ws := t.TempDir()
	state := filepath.Join(t.TempDir(), "state")
	s := runMain(t, ws, map[string]string{}, "--lithops-version", "3.7.0", "--local-dir", state, "--dry-run", "true")
	if s.code != 0 {
		t.Fatalf("exit %d\n%s", s.code, s.stderr.String())
	}
	if _, err := os.Stat(state); !os.IsNotExist(err) {
		t.Errorf("dry run touched the state directory: %v", err)
	}
	if !strings.Contains(s.stderr.String(), "create    function") || s.outputs()["changed"] != "false" {
		t.Errorf("dry run: changed=%s\n%s", s.outputs()["changed"], s.stderr.String())
	}
}

func TestBadInputsAnnotateAndExit1(t *testing.T) {
	env, outFile, _ := actionsEnv(t, map[string]string{"memory": "12x", "timeout": "0"})
	s := runMain(t, t.TempDir(), env, "--lithops-version", "3.7.0")
	if s.code != 1 {
		t.Fatalf("exit %d", s.code)
	}
	log := s.stdout.String()
	for _, w := range []string{"::error title=Input memory::memory=\"12x\"", "::error title=Input timeout::timeout=\"0\"", "2 input(s) are not valid"} {
		if !strings.Contains(log, w) {
			t.Errorf("log lacks %q:\n%s", w, log)
		}
	}
	if data, _ := os.ReadFile(outFile); len(data) != 0 {
		t.Errorf("outputs were published: %s", data)
	}
}

// snapshot reads every file under dir.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			data, _ := os.ReadFile(p)
			m[p] = string(data)
		}
		return nil
	})
	return m
}

// TestToolIDHashesDevelopmentBuilds: a development build's cache identity is its executable's
// SHA-256, so a changed binary never reuses an older one's build cache entries.
func TestToolIDHashesDevelopmentBuilds(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatalf("finding the test binary: %v", err)
	}
	data, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if got, want := toolID(), version()+"+sha256:"+hex.EncodeToString(sum[:]); got != want {
		t.Errorf("toolID() = %q, want %q", got, want)
	}
}

// TestBuildCachePrunedAfterRun: a run keeps its own cache entry and removes one no run used for
// longer than the age bound.
func TestBuildCachePrunedAfterRun(t *testing.T) {
	parallelOffline(t, goodWheels)
	ws := t.TempDir()
	writeFile(t, filepath.Join(ws, "requirements.txt"), "acme-text-utils\n")
	toolCache := t.TempDir()
	stale := filepath.Join(toolCache, "lithops-runtime-cache", strings.Repeat("ab", 32))
	writeFile(t, filepath.Join(stale, "meta.json"), "{}")
	writeFile(t, filepath.Join(stale, "layer.zip"), "old")
	old := time.Now().Add(-40 * 24 * time.Hour)
	os.Chtimes(filepath.Join(stale, "meta.json"), old, old)

	s := runMain(t, ws, map[string]string{"RUNNER_TOOL_CACHE": toolCache},
		"--requirements", "requirements.txt", "--lithops-version", "3.7.0", "--local-dir", t.TempDir())
	if s.code != 0 {
		t.Fatalf("exit %d\n%s", s.code, s.stderr.String())
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the stale entry is still there (%v)", err)
	}
	if !strings.Contains(s.stderr.String(), "build cache pruned") {
		t.Errorf("no prune line in the log:\n%s", s.stderr.String())
	}
	var entries []os.DirEntry
	all, _ := os.ReadDir(filepath.Join(toolCache, "lithops-runtime-cache"))
	for _, e := range all {
		if !strings.HasPrefix(e.Name(), ".") { // .last: the key parts of each runtime's last build
			entries = append(entries, e)
		}
	}
	if len(entries) != 1 {
		t.Errorf("cache holds %d entries after the run, want this run's 1", len(entries))
	}
}
