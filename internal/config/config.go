package config

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/lithops"
)

// tagOf returns the tag of a repository reference ("" when none): the part after a ":" in the last
// path element.
func tagOf(ref string) string {
	last := ref[strings.LastIndex(ref, "/")+1:]
	if i := strings.LastIndex(last, ":"); i >= 0 && strings.Contains(ref, "/") {
		return last[i+1:]
	}
	return ""
}

// Config is every input, resolved and validated: what the pipeline builds and where it deploys it.
type Config struct {
	Backend      string
	RuntimeName  string
	Requirements string // path of the requirements file, "" when none
	Dockerfile   string // path of the Dockerfile, "" when none
	Context      string // Docker build context directory
	// BuildArgs are the Dockerfile build's --build-arg values (build-args); nil when none. The
	// values are never printed: they may be secret-ish.
	BuildArgs    map[string]string
	PackageType  string // "zip" or "image"
	Memory       []int  // MB, one function per size, in the order given
	Timeout      int    // seconds
	Python       lithops.Python
	Lithops      lithops.Version
	Architecture string // "x86_64" or "arm64"

	Region        string
	Role          string
	StorageBucket string // "" means Lithops' default bucket name
	Namespace     string
	UserID        string
	AccountID     string
	Registry      string
	BaseImage     string
	Builder       string
	// Installer is "auto", "pip", "uv" or the path of a uv executable: what resolves zip runtimes'
	// requirements (pip always installs lithops and is the fallback).
	Installer   string
	FCEndpoint  string
	OSSEndpoint string
	LocalDir    string

	// BuildCache is the Dockerfile builder's layer cache ("" none, "gha", or a repository).
	BuildCache string
	// Reproducible makes Dockerfile builds write fixed timestamps (ModTime, else the builder's default).
	Reproducible bool
	SmokeTest    bool
	// LocalTest is "auto", "true" or "false": run a container runtime on this machine before pushing.
	LocalTest     string
	WriteMetadata bool
	DryRun        bool

	// LithopsConfig is the Lithops config file that filled inputs, "" when none was read.
	LithopsConfig string
	// ModTime is the timestamp of every file in built artifacts (SOURCE_DATE_EPOCH); zero for the
	// builders' constant default.
	ModTime time.Time
	// Secrets are values that must never be printed (credentials read from the Lithops config).
	Secrets []string
	// Aliyun is the AccessKey of aliyun_fc: ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET /
	// ALIBABA_CLOUD_SECURITY_TOKEN, else the Lithops config's aliyun section.
	Aliyun AliyunCredentials
	// FCService is the FC 2.0 service of Lithops <= 3.6 clients: the fc-service input, else the
	// Lithops config's aliyun_fc.service (or aliyun.service), else Lithops' default
	// lithops_<client key[:4]>; "" for Lithops >= 3.7 (FC 3.0 has no services).
	FCService string
	// ClientAccessKeyID is the Aliyun AccessKey id of the Lithops clients (access-key-id input,
	// else the Lithops config's, else the deploying one): Lithops names the default OSS bucket
	// after it. Never a temporary (STS.) key when the bucket depends on it.
	ClientAccessKeyID string
	// StorageRegion is the region of the clients' storage backend (aws_s3.region / aliyun_oss.region,
	// else aws.region / aliyun.region through Lithops' merge, else Region): the default bucket's
	// name embeds it and it is created there.
	StorageRegion string
	// DeployMode is aliyun_fc.deploy_mode of Lithops >= 3.7 clients: "runtime" (zip) or
	// "custom-container" (image); from the Lithops config, else from the package type.
	DeployMode string
	// AllowUnverified lets a Lithops version newer than lithops.NewestVerified through.
	AllowUnverified bool
	// Warnings are inputs that were set but are not used by this backend (validate_names.go).
	Warnings []string
	// Sources tells, for each input that was set, where its value came from
	// ("--memory", "INPUT_MEMORY", "lithops-config aws_lambda.runtime_memory", "default", ...).
	Sources map[string]string
}

// Probe reports the major.minor version of the python3 on PATH and the version of the lithops it
// imports ("" when lithops is not importable). It is called only when an input needs it.
type Probe func(ctx context.Context) (python, lithopsVersion string, err error)

// Env is what Load may read besides the flags: the environment (through Getenv, never the
// process environment directly), the working directory and the python3 probe.
type Env struct {
	Getenv func(string) string
	// Workdir is where relative paths are resolved when GITHUB_WORKSPACE is unset.
	Workdir string
	// Probe detects python-version and lithops-version defaults.
	Probe Probe
	// Usage receives flag usage text (--help); nil discards it.
	Usage io.Writer
	// GOOS and GOARCH describe this machine (runtime.GOOS/GOARCH when empty).
	GOOS, GOARCH string
}

// ErrHelp is returned by Load (and ParseArgs) when --help, -h or the word help was asked for.
var ErrHelp = errors.New("help requested")

// Load reads every input from args (flags), INPUT_* variables and the Lithops config file, fills
// defaults, and validates the whole. All problems are returned at once, joined; each is an
// *InputError naming the input, its value and the rule (see InputErrors).
func Load(ctx context.Context, args []string, env Env) (*Config, error) {
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	if env.Usage == nil {
		env.Usage = io.Discard
	}
	if env.GOOS == "" {
		env.GOOS = runtime.GOOS
	}
	if env.GOARCH == "" {
		env.GOARCH = runtime.GOARCH
	}
	flags, err := ParseArgs(args)
	if errors.Is(err, ErrHelp) {
		Help(env.Usage)
	}
	if err != nil {
		return nil, err
	}
	raw := collect(flags, env.Getenv)
	l := &loader{env: env, raw: raw, cfg: &Config{Sources: map[string]string{}}}
	l.readLithopsConfig()
	l.fillFromEnvironment()
	l.resolve(ctx)
	l.checkEnvSpelling()
	if len(l.errs) > 0 {
		return nil, errors.Join(l.errs...)
	}
	return l.cfg, nil
}

// loader accumulates the Config and every problem found on the way.
type loader struct {
	env  Env
	raw  rawInputs
	cfg  *Config
	lf   *lithopsFile
	view *lithopsView // the Lithops config as Lithops resolves it for the backend
	errs []error
}

func (l *loader) fail(input string, v value, rule string, args ...any) {
	l.errs = append(l.errs, &InputError{Input: input, Value: v.raw, From: v.from, Rule: fmt.Sprintf(rule, args...)})
}

func (l *loader) workspace() string {
	if ws := l.env.Getenv("GITHUB_WORKSPACE"); ws != "" {
		return ws
	}
	return l.env.Workdir
}

// path resolves a user-given path against the workspace.
func (l *loader) path(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(l.workspace(), p)
}

// readLithopsConfig reads the Lithops config named by lithops-config, LITHOPS_CONFIG_FILE, or the
// workspace's .lithops_config, and fills unset inputs from it.
func (l *loader) readLithopsConfig() {
	v := l.raw.get("lithops-config")
	if !v.set() {
		if p := l.env.Getenv("LITHOPS_CONFIG_FILE"); p != "" {
			v = value{raw: p, from: "LITHOPS_CONFIG_FILE"}
		} else if p := filepath.Join(l.workspace(), ".lithops_config"); fileExists(p) {
			v = value{raw: p, from: "the workspace's .lithops_config"}
		}
	}
	if !v.set() {
		return
	}
	path := l.path(v.raw)
	f, err := readLithopsFile(path)
	if err != nil {
		l.fail("lithops-config", v, "cannot read it as a Lithops config: %v", err)
		return
	}
	l.lf = f
	l.cfg.LithopsConfig = path
	for _, k := range secretKeys {
		if s, ok, _ := f.scalar(k.section, k.key, "string"); ok && s != "" {
			l.cfg.Secrets = append(l.cfg.Secrets, s)
		}
	}
	if s, ok, err := f.scalar("lithops", "backend", "string"); ok {
		from := "lithops-config lithops.backend"
		if err != nil {
			l.fail("backend", value{raw: s, from: from}, "%v", err)
		} else if !l.raw.get("backend").set() && isBackend(s) {
			l.raw.fill("backend", s, from)
		}
	}
	l.readLithopsKeys(l.raw.get("backend").raw)
}

// fillFromEnvironment fills inputs whose documented defaults come from well-known variables.
func (l *loader) fillFromEnvironment() {
	switch l.raw.get("backend").raw {
	case lithops.AWSLambda:
		for _, name := range []string{"AWS_REGION", "AWS_DEFAULT_REGION"} {
			l.raw.fill("region", l.env.Getenv(name), name)
		}
	case lithops.AliyunFC:
		l.raw.fill("region", l.env.Getenv("ALIBABA_CLOUD_REGION_ID"), "ALIBABA_CLOUD_REGION_ID")
		l.raw.fill("account-id", l.env.Getenv("ALIBABA_CLOUD_ACCOUNT_ID"), "ALIBABA_CLOUD_ACCOUNT_ID")
	}
	if d := l.env.Getenv("RUNNER_TEMP"); d != "" {
		l.raw.fill("local-dir", filepath.Join(d, "lithops-runtime"), "RUNNER_TEMP")
	}
	if d := userCacheDir(l.env.Getenv, l.env.GOOS); d != "" {
		l.raw.fill("local-dir", filepath.Join(d, "lithops-runtime-action"), "the user cache directory")
	}
}

// resolve turns raw values into the Config, checking each.
func (l *loader) resolve(ctx context.Context) {
	c := l.cfg
	for name, v := range l.raw {
		c.Sources[name] = v.from
	}

	c.Backend = l.str("backend", "local")
	if !isBackend(c.Backend) {
		l.fail("backend", l.raw.get("backend"), "must be one of aws_lambda, aliyun_fc, local")
		return // everything else depends on the backend
	}
	limits := lithops.LimitsFor(c.Backend)

	c.Requirements = l.file("requirements")
	c.Dockerfile = l.file("dockerfile")
	if c.Requirements != "" && c.Dockerfile != "" {
		l.fail("dockerfile", l.raw.get("dockerfile"), "cannot be set together with requirements (%s): a Dockerfile builds a container runtime, a requirements file a zip runtime or, with package-type image, an image without Docker; set only one", l.raw.get("requirements").raw)
	}
	c.Context = l.dir("context")
	if c.Context == "" && c.Dockerfile != "" {
		c.Context = filepath.Dir(c.Dockerfile)
	}
	if c.Context != "" && c.Dockerfile == "" && l.raw.get("context").set() {
		l.fail("context", l.raw.get("context"), "is a Docker build context and needs the dockerfile input")
	}
	l.buildArgs()

	defType := "zip"
	if c.Dockerfile != "" {
		defType = "image"
	}
	c.PackageType = l.str("package-type", defType)
	switch {
	case c.PackageType != "zip" && c.PackageType != "image":
		l.fail("package-type", l.raw.get("package-type"), "must be zip or image")
	case c.PackageType == "zip" && c.Dockerfile != "":
		l.fail("package-type", l.raw.get("package-type"), "must be image with a dockerfile: a Dockerfile always builds a container image")
	}

	c.Architecture = l.str("architecture", "x86_64")
	if !contains(limits.Architectures, c.Architecture) {
		l.fail("architecture", l.raw.get("architecture"), "must be one of %s for backend %s", strings.Join(limits.Architectures, ", "), c.Backend)
	} else if c.Backend == lithops.Local && c.Architecture != hostArch(l.env.GOARCH) {
		l.fail("architecture", l.raw.get("architecture"), "the local backend runs functions on this %s machine; use %s, or deploy to aws_lambda", hostArch(l.env.GOARCH), hostArch(l.env.GOARCH))
	}

	c.Memory = l.memory(limits)
	c.Timeout = l.timeout(limits)

	c.AllowUnverified = l.boolean("allow-unverified-lithops", false)
	versionsOK := l.versions(ctx)

	for _, b := range []struct {
		name string
		dst  *bool
		def  bool
	}{{"smoke-test", &c.SmokeTest, true}, {"write-metadata", &c.WriteMetadata, true}, {"dry-run", &c.DryRun, false}, {"reproducible", &c.Reproducible, true}} {
		*b.dst = l.boolean(b.name, b.def)
	}
	if c.WriteMetadata && !c.SmokeTest && l.raw.get("write-metadata").set() {
		l.fail("write-metadata", l.raw.get("write-metadata"), "needs smoke-test true: metadata is written from what the smoke test reads in the runtime")
	}
	if !c.SmokeTest {
		c.WriteMetadata = false
	}

	c.LocalTest = l.str("local-test", "auto")
	if !contains([]string{"auto", "true", "false"}, c.LocalTest) {
		l.fail("local-test", l.raw.get("local-test"), "must be auto, true or false")
	}

	c.BuildCache = l.str("build-cache", "")
	c.Builder = l.str("builder", "auto")
	if !contains([]string{"auto", "docker", "buildah", "podman"}, c.Builder) {
		l.fail("builder", l.raw.get("builder"), "must be one of auto, docker, buildah, podman")
	}

	c.Installer = l.str("installer", "auto")
	if !contains([]string{"auto", "pip", "uv"}, c.Installer) && !strings.Contains(c.Installer, "/") {
		l.fail("installer", l.raw.get("installer"), "must be auto (uv when it is on PATH, else pip), pip, uv, or the path of a uv executable")
	}

	c.Region = l.str("region", "")
	c.Role = l.str("role", "")
	c.StorageBucket = l.str("storage-bucket", "")
	c.Namespace = l.str("namespace", "")
	c.UserID = l.str("user-id", "")
	c.AccountID = l.str("account-id", "")
	c.Registry = l.str("registry", "")
	if c.Registry != "" {
		if _, err := name.NewRepository(strings.TrimSuffix(c.Registry, ":"+tagOf(c.Registry))); err != nil || strings.Contains(c.Registry, "@") {
			l.fail("registry", l.raw.get("registry"), "must be an image repository (host/path, optionally :tag), e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/my-runtimes")
		}
	}
	c.BaseImage = l.str("base-image", "")
	if c.BaseImage != "" {
		if _, err := name.ParseReference(c.BaseImage); err != nil {
			l.fail("base-image", l.raw.get("base-image"), "must be an image reference (host/path:tag or host/path@sha256:...): %v", err)
		}
	}
	c.FCEndpoint = l.str("fc-endpoint", "")
	c.OSSEndpoint = l.str("oss-endpoint", "")
	c.LocalDir = l.path(l.str("local-dir", ""))
	if c.StorageRegion == "" {
		c.StorageRegion = c.Region
	}
	l.backendInputs()
	if versionsOK {
		l.deployMode()
	}

	if versionsOK {
		l.runtimeName()
	}
	l.validateNames()
	l.sourceDateEpoch()
}

// AliyunCredentials are an Aliyun AccessKey and, for STS credentials, its token.
type AliyunCredentials struct {
	AccessKeyID, AccessKeySecret, SecurityToken string
}

// aliyunCredentials reads the AccessKey from the environment, else the Lithops config.
func (l *loader) aliyunCredentials() {
	c := l.cfg
	get := func(env, key string) string {
		if v := l.env.Getenv(env); v != "" {
			return v
		}
		if l.lf != nil {
			if v, ok, _ := l.lf.scalar("aliyun", key, "string"); ok {
				return v
			}
		}
		return ""
	}
	c.Aliyun = AliyunCredentials{
		AccessKeyID:     get("ALIBABA_CLOUD_ACCESS_KEY_ID", "access_key_id"),
		AccessKeySecret: get("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "access_key_secret"),
		SecurityToken:   get("ALIBABA_CLOUD_SECURITY_TOKEN", "security_token"),
	}
	for _, s := range []string{c.Aliyun.AccessKeySecret, c.Aliyun.SecurityToken, c.Aliyun.AccessKeyID} {
		if s != "" {
			c.Secrets = append(c.Secrets, s)
		}
	}
	// A dry run goes on without them: the backend's credential check says what it could not check.
	if (c.Aliyun.AccessKeyID == "" || c.Aliyun.AccessKeySecret == "") && !c.DryRun {
		l.fail("backend", l.raw.get("backend"), "aliyun_fc needs an AccessKey: set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (aliyun/configure-aliyun-credentials-action does), or aliyun.access_key_id and aliyun.access_key_secret in the Lithops config")
	}
	if c.AccountID == "" {
		l.fail("account-id", value{}, "is required for aliyun_fc (the Function Compute endpoint is <account>.<region>.fc.aliyuncs.com): set account-id, ALIBABA_CLOUD_ACCOUNT_ID or aliyun.account_id in the Lithops config")
	}
	l.clientKey()
}

// backendInputs checks the inputs a backend needs.
func (l *loader) backendInputs() {
	c := l.cfg
	switch c.Backend {
	case lithops.AWSLambda:
		if c.Region == "" {
			l.fail("region", value{}, "is required for aws_lambda; set the region input, AWS_REGION (aws-actions/configure-aws-credentials sets it) or aws.region in the Lithops config")
		}
		if c.Role == "" && !c.DryRun {
			l.fail("role", value{}, "is required for aws_lambda: the ARN of the functions' execution role; set the role input or aws_lambda.execution_role in the Lithops config")
		}
	case lithops.AliyunFC:
		if c.Region == "" {
			l.fail("region", value{}, "is required for aliyun_fc; set the region input, ALIBABA_CLOUD_REGION_ID or aliyun.region in the Lithops config")
		}
		l.aliyunCredentials()
		if c.PackageType == "image" && c.Registry == "" {
			l.fail("registry", value{}, "is required for aliyun_fc container runtimes: an ACR repository in the same region, e.g. registry.cn-hangzhou.aliyuncs.com/NAMESPACE/REPO")
		}
	case lithops.Local:
		if c.Region == "" {
			c.Region = "local"
		}
		if c.LocalDir == "" {
			l.fail("local-dir", value{}, "could not be derived (no RUNNER_TEMP and no user cache directory); set local-dir")
		}
	}
	if c.Namespace != "" && c.Backend == lithops.AliyunFC {
		l.fail("namespace", l.raw.get("namespace"), "is an aws_lambda setting; Aliyun FC function names have no namespace")
	}
}

// versions resolves python-version and lithops-version, probing python3 when either is unset.
// It reports whether both are valid.
func (l *loader) versions(ctx context.Context) bool {
	c := l.cfg
	pyRaw, lxRaw := l.raw.get("python-version"), l.raw.get("lithops-version")
	if (!pyRaw.set() || !lxRaw.set()) && l.env.Probe != nil {
		py, lx, err := l.env.Probe(ctx)
		switch {
		case err != nil && !pyRaw.set():
			l.fail("python-version", value{}, "is not set and could not be detected from python3 on PATH (%v); set python-version, e.g. 3.12", err)
			return false
		case err == nil:
			l.raw.fill("python-version", py, "python3 on PATH")
			l.raw.fill("lithops-version", lx, "lithops imported by python3 on PATH")
			pyRaw, lxRaw = l.raw.get("python-version"), l.raw.get("lithops-version")
			c.Sources["python-version"], c.Sources["lithops-version"] = pyRaw.from, lxRaw.from
		}
	}
	ok := true
	if !lxRaw.set() {
		l.fail("lithops-version", value{}, "is not set and python3 on PATH cannot import lithops; set lithops-version to the exact version your Lithops clients run, e.g. 3.7.0")
		ok = false
	} else if v, err := lithops.ParseVersion(lxRaw.raw); err != nil {
		l.fail("lithops-version", lxRaw, "%v", err)
		ok = false
	} else if err := lithops.CheckCanonical(lxRaw.raw); err != nil {
		l.fail("lithops-version", lxRaw, "%v", err)
		ok = false
	} else if err := v.Supported(); err != nil {
		l.fail("lithops-version", lxRaw, "%v", err)
		ok = false
	} else if err := v.Verified(c.AllowUnverified); err != nil {
		l.fail("lithops-version", lxRaw, "%v", err)
		ok = false
	} else if err := lithops.CheckFCVersion(v); err != nil && c.Backend == lithops.AliyunFC {
		l.fail("lithops-version", lxRaw, "%v", err)
		ok = false
	} else {
		c.Lithops = v
	}
	if !pyRaw.set() {
		l.fail("python-version", value{}, "is not set; set python-version to your Lithops clients' Python, e.g. 3.12")
		return false
	}
	py, err := lithops.ParsePython(pyRaw.raw)
	if err != nil {
		l.fail("python-version", pyRaw, "%v", err)
		return false
	}
	c.Python = py
	if !ok {
		return false
	}
	if c.PackageType != lithops.PackageZip && c.PackageType != lithops.PackageImage {
		return false // package-type is reported on its own
	}
	if err := lithops.CheckPython(c.Backend, c.PackageType, py, c.Lithops); err != nil {
		l.fail("python-version", pyRaw, "%v", err)
		return false
	}
	return true
}

// runtimeName resolves and checks runtime-name, and the function names it leads to.
func (l *loader) runtimeName() {
	c := l.cfg
	v := l.raw.get("runtime-name")
	c.RuntimeName = v.raw
	awsImage := c.PackageType == lithops.PackageImage && c.Backend != lithops.AliyunFC
	if !v.set() {
		if awsImage {
			l.fail("runtime-name", value{}, "is required for AWS Lambda container runtimes: the image name your Lithops clients pass as runtime=, e.g. my-runtime:1 (Lithops treats names containing default-runtime-v as zip runtimes)")
			return
		}
		pt := c.PackageType
		if c.Backend == lithops.AliyunFC && c.DeployMode == "custom-container" {
			pt = lithops.PackageImage // Lithops' default name follows aliyun_fc.deploy_mode
		}
		c.RuntimeName = lithops.DefaultRuntimeName(c.Backend, pt, c.Python, c.Lithops)
		c.Sources["runtime-name"] = sourceDefault
		return
	}
	if err := lithops.ValidateRuntimeName(c.Backend, c.RuntimeName); err != nil {
		l.fail("runtime-name", v, "%v", err)
		return
	}
	if awsImage && lithops.AWSDeploysZip(c.RuntimeName, c.Python) {
		l.fail("runtime-name", v, "is the default runtime name of Python %s, which Lithops clients deploy as a zip (layer) runtime, not as a container: a container runtime needs another name, e.g. my-runtime:1", c.Python)
		return
	}
	if awsImage && !lithops.IsAWSContainerRuntime(c.RuntimeName) {
		l.fail("runtime-name", v, "names a zip runtime to Lithops (after its first '/' it contains default-runtime-v); a container runtime needs another name, e.g. my-runtime:1")
		return
	}
	if awsImage {
		if _, _, err := lithops.AWSECRRepository("", c.RuntimeName); err != nil {
			l.fail("runtime-name", v, "%v", err)
			return
		}
	}
	if c.Backend == lithops.AliyunFC {
		for _, m := range c.Memory {
			if _, err := lithops.FCFunctionName(c.RuntimeName, m, c.Lithops); err != nil {
				l.fail("runtime-name", v, "%v", err)
				return
			}
		}
	}
}

func (l *loader) memory(limits lithops.Limits) []int {
	v := l.raw.get("memory")
	if !v.set() {
		return []int{limits.DefaultMemory}
	}
	var sizes []int
	seen := map[int]bool{}
	rule := fmt.Sprintf("each memory size must be a whole number of MB from %d to %d", limits.MemoryMin, limits.MemoryMax)
	if limits.MemoryStep > 1 {
		rule += fmt.Sprintf(", a multiple of %d", limits.MemoryStep)
	}
	rule += fmt.Sprintf(" for backend %s; several sizes are separated by commas, e.g. 256,1024", l.cfg.Backend)
	for _, part := range strings.Split(v.raw, ",") {
		part = strings.TrimSpace(part)
		n, err := strconv.Atoi(part)
		if err != nil || n < limits.MemoryMin || n > limits.MemoryMax || (limits.MemoryStep > 1 && n%limits.MemoryStep != 0) {
			l.fail("memory", v, "%s (%q is not)", rule, part)
			return nil
		}
		if seen[n] {
			l.fail("memory", v, "lists %d MB twice; each size deploys one function, list it once", n)
			return nil
		}
		seen[n] = true
		sizes = append(sizes, n)
	}
	return sizes
}

func (l *loader) timeout(limits lithops.Limits) int {
	v := l.raw.get("timeout")
	if !v.set() {
		return limits.DefaultTimeout
	}
	n, err := strconv.Atoi(v.raw)
	if err != nil || n < limits.TimeoutMin || n > limits.TimeoutMax {
		l.fail("timeout", v, "must be a whole number of seconds from %d to %d for backend %s", limits.TimeoutMin, limits.TimeoutMax, l.cfg.Backend)
		return 0
	}
	return n
}

func (l *loader) boolean(name string, def bool) bool {
	v := l.raw.get(name)
	if !v.set() {
		return def
	}
	switch v.raw {
	case "true", "True", "TRUE":
		return true
	case "false", "False", "FALSE":
		return false
	}
	l.fail(name, v, "must be true or false")
	return def
}

func (l *loader) str(name, def string) string {
	if v := l.raw.get(name); v.set() {
		return v.raw
	}
	if def != "" {
		l.cfg.Sources[name] = sourceDefault
	}
	return def
}

// file resolves an input naming a file that must exist and be readable.
func (l *loader) file(name string) string {
	v := l.raw.get(name)
	if !v.set() {
		return ""
	}
	p := l.path(v.raw)
	// Checked before it is opened: a FIFO would block the open (validate_files.go).
	if err := checkRegularFile(p, maxFileBytes[name]); err != nil {
		l.fail(name, v, "%v", fileRule(err))
		return ""
	}
	f, err := os.Open(p)
	if err != nil {
		l.fail(name, v, "cannot be read: %v", unwrapPathError(err))
		return ""
	}
	f.Close()
	return p
}

// dir resolves an input naming a directory that must exist.
func (l *loader) dir(name string) string {
	v := l.raw.get(name)
	if !v.set() {
		return ""
	}
	p := l.path(v.raw)
	st, err := os.Stat(p)
	if err != nil {
		l.fail(name, v, "cannot be read: %v", unwrapPathError(err))
		return ""
	}
	if !st.IsDir() {
		l.fail(name, v, "must be a directory")
		return ""
	}
	return p
}

func (l *loader) sourceDateEpoch() {
	s := l.env.Getenv("SOURCE_DATE_EPOCH")
	if s == "" {
		return
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		l.errs = append(l.errs, &InputError{Input: "SOURCE_DATE_EPOCH", Value: s, From: "the environment", Rule: "must be a whole number of seconds since 1970-01-01 UTC"})
		return
	}
	l.cfg.ModTime = time.Unix(n, 0).UTC()
}

func isBackend(s string) bool {
	return s == lithops.AWSLambda || s == lithops.AliyunFC || s == lithops.Local
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func hostArch(goarch string) string {
	if goarch == "arm64" {
		return "arm64"
	}
	return "x86_64"
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// userCacheDir follows os.UserCacheDir but reads the environment through getenv.
func userCacheDir(getenv func(string) string, goos string) string {
	switch goos {
	case "windows":
		return getenv("LocalAppData")
	case "darwin":
		if h := getenv("HOME"); h != "" {
			return filepath.Join(h, "Library", "Caches")
		}
	default:
		if d := getenv("XDG_CACHE_HOME"); d != "" {
			return d
		}
		if h := getenv("HOME"); h != "" {
			return filepath.Join(h, ".cache")
		}
	}
	return ""
}
