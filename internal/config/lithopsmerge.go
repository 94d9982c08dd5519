package config

import (
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/lithops"
)

// This file reads a Lithops config the way Lithops' own loader does (lithops/config.py
// default_config, then the compute backend's and the storage backend's load_config), checked at
// every tag 3.3.0 ... 3.7.0 and in the 3.8.0 wheel, and compared with Lithops' own loader by the
// differential tests (internal/oracle):
//
//   - aws_lambda: the aws_lambda section over the aws section (aws_lambda wins); a region_name key
//     (from either) replaces region; then aws.region is set to aws_lambda's region when aws has none.
//   - aws_s3: the aws_s3 section over the aws section as aws_lambda left it; region_name likewise.
//   - aliyun_fc: the aliyun_fc section over the aliyun section; aliyun.region is set to aliyun_fc's
//     when aliyun has none.
//   - aliyun_oss: the aliyun_oss section over the aliyun section as aliyun_fc left it.
//   - The storage backend is lithops.storage, else aws_s3 (constants.STORAGE_BACKEND_DEFAULT);
//     lithops.storage_bucket is never read: the bucket is <storage backend>.storage_bucket.
//   - runtime "default" (or none) is the backend's default runtime name.

// entry is one key of a merged section and the section it came from.
type entry struct {
	value any
	from  string // "aws_lambda.runtime_memory", "aws.region", ...
}

// mergedSection is a section as Lithops' load_config leaves it.
type mergedSection map[string]entry

// merge returns sec's keys over base's keys, as Lithops' load_config does with
// temp = deepcopy(sec); sec.update(base); sec.update(temp).
func (f *lithopsFile) merge(base mergedSection, sec string) mergedSection {
	out := mergedSection{}
	for k, e := range base {
		out[k] = e
	}
	for k, v := range f.sections[sec] {
		out[k] = entry{value: v, from: sec + "." + k}
	}
	return out
}

// raw returns a section's own keys as a mergedSection.
func (f *lithopsFile) raw(sec string) mergedSection { return f.merge(nil, sec) }

// regionName applies load_config's "region_name replaces region" (aws_lambda and aws_s3).
func (m mergedSection) regionName() {
	if e, ok := m["region_name"]; ok {
		m["region"] = e
		delete(m, "region_name")
	}
}

// lithopsView is the Lithops config as the client's loader resolves it for one backend.
type lithopsView struct {
	compute, storage mergedSection
	storageBackend   string
	storageFrom      string
}

// view resolves the compute and storage sections of backend (aws_lambda or aliyun_fc; local
// reads the aws_lambda sections, as its functions are named like aws_lambda's).
func (f *lithopsFile) view(backend string) *lithopsView {
	v := &lithopsView{storageBackend: "aws_s3", storageFrom: "Lithops' default storage backend"}
	if s, ok := f.sections["lithops"]["storage"].(string); ok {
		v.storageBackend, v.storageFrom = s, "lithops.storage"
	}
	switch backend {
	case lithops.AliyunFC:
		aliyun := f.raw("aliyun")
		v.compute = f.merge(aliyun, "aliyun_fc")
		if _, ok := aliyun["region"]; !ok {
			if r, ok := v.compute["region"]; ok {
				aliyun["region"] = r
			}
		}
		v.storage = f.merge(aliyun, "aliyun_oss")
	default:
		aws := f.raw("aws")
		v.compute = f.merge(aws, "aws_lambda")
		v.compute.regionName()
		if _, ok := aws["region"]; !ok {
			if r, ok := v.compute["region"]; ok {
				aws["region"] = r
			}
		}
		// aws_s3's load_config merges only when an aws section exists; aws_lambda's load_config
		// always creates it.
		v.storage = f.merge(aws, "aws_s3")
		v.storage.regionName()
	}
	return v
}

// expectedStorage is the storage backend whose bucket this action writes the metadata to.
func expectedStorage(backend string) string {
	if backend == lithops.AliyunFC {
		return "aliyun_oss"
	}
	return "aws_s3"
}

// configKey maps a key of a merged section onto an input.
type configKey struct {
	storage bool // read from the storage backend's section, else the compute backend's
	key     string
	input   string
	kind    string // "string" or "int"
}

// keysFor lists, for a backend, which keys of the merged sections fill which inputs.
func keysFor(backend string) []configKey {
	switch backend {
	case lithops.AWSLambda:
		return []configKey{
			{false, "region", "region", "string"},
			{false, "execution_role", "role", "string"},
			{false, "user_id", "user-id", "string"},
			{false, "namespace", "namespace", "string"},
			{false, "runtime", "runtime-name", "string"},
			{false, "runtime_memory", "memory", "int"},
			{false, "runtime_timeout", "timeout", "int"},
			{false, "architecture", "architecture", "string"},
			{false, "account_id", "account-id", "string"},
			{true, "storage_bucket", "storage-bucket", "string"},
		}
	case lithops.AliyunFC:
		return []configKey{
			{false, "region", "region", "string"},
			{false, "role_arn", "role", "string"},
			{false, "runtime", "runtime-name", "string"},
			{false, "runtime_memory", "memory", "int"},
			{false, "runtime_timeout", "timeout", "int"},
			{false, "account_id", "account-id", "string"},
			{false, "service", "fc-service", "string"},
			{true, "storage_bucket", "storage-bucket", "string"},
		}
	}
	return nil
}

// get returns key of the compute or storage section as a string, checking its YAML type.
func (v *lithopsView) get(storage bool, key, kind string) (s, from string, ok bool, err error) {
	sec := v.compute
	if storage {
		sec = v.storage
	}
	e, ok := sec[key]
	if !ok || e.value == nil {
		return "", "", false, nil
	}
	s, err = scalarValue(e.value, kind)
	return s, "lithops-config " + e.from, true, err
}

// readLithopsKeys fills unset inputs from the Lithops config as Lithops resolves it for the
// backend, and records what only the config can say (storage region, deploy mode, client key).
func (l *loader) readLithopsKeys(backend string) {
	f := l.lf
	v := f.view(backend)
	l.view = v
	if backend != lithops.AWSLambda && backend != lithops.AliyunFC {
		return // the local backend reads no cloud settings
	}
	for _, k := range keysFor(backend) {
		s, from, ok, err := v.get(k.storage, k.key, k.kind)
		if !ok {
			continue
		}
		if err != nil {
			l.fail(k.input, value{raw: s, from: from}, "%v", err)
			continue
		}
		if k.input == "runtime-name" && s == "default" {
			continue // Lithops: runtime "default" is the backend's default runtime name
		}
		l.raw.fill(k.input, s, from)
	}
	if want := expectedStorage(backend); v.storageBackend != want {
		l.fail("lithops-config", value{raw: l.cfg.LithopsConfig, from: "lithops-config"},
			"makes Lithops clients keep their runtime metadata in storage backend %s (%s), but %s runtimes have theirs written to %s: set lithops.storage: %s in the config", v.storageBackend, v.storageFrom, backend, want, want)
	}
	if s, from, ok, err := v.get(true, "region", "string"); ok {
		if err != nil {
			l.fail("region", value{raw: s, from: from}, "%v", err)
		} else {
			l.cfg.StorageRegion, l.cfg.Sources["storage-region"] = s, from
		}
	}
	if backend == lithops.AliyunFC {
		if s, _, ok, err := v.get(false, "deploy_mode", "string"); ok && err == nil {
			l.cfg.DeployMode = s
		}
	}
}

// configAccessKeyID is the clients' AccessKey id as their storage (storage true) or compute
// backend reads it from the config, "" when the config has none.
func (l *loader) configAccessKeyID(storage bool) (string, string) {
	if l.view == nil {
		return "", ""
	}
	s, from, ok, err := l.view.get(storage, "access_key_id", "string")
	if !ok || err != nil {
		return "", ""
	}
	return s, from
}

// clientKey resolves the Aliyun names Lithops derives from the clients' AccessKey id — the default
// OSS bucket and the FC 2.0 service — and refuses temporary credentials where a name depends on
// the key: a job with STS (OIDC) credentials does not know the key its clients use.
func (l *loader) clientKey() {
	c := l.cfg
	pick := func(storage bool) (string, string) {
		if v := l.raw.get("access-key-id"); v.set() {
			return v.raw, v.from
		}
		if k, from := l.configAccessKeyID(storage); k != "" {
			return k, from
		}
		return c.Aliyun.AccessKeyID, "the deploying credentials"
	}
	storageKey, storageFrom := pick(true)
	c.ClientAccessKeyID = storageKey
	if c.StorageBucket == "" && lithops.IsTemporaryAliyunKey(storageKey) {
		l.fail("storage-bucket", value{}, "must be set: Lithops clients name their default OSS bucket after their own AccessKey id (lithops-<region>-<...>), and the AccessKey id here (%s) is a temporary STS key that names no bucket a client reads; set storage-bucket to the clients' bucket (aliyun_oss.storage_bucket in their config), or access-key-id to the clients' AccessKey id (not a secret)", storageFrom)
	}
	if c.Lithops.IsZero() || lithops.FCGenerationFor(c.Lithops) != lithops.FC2 {
		c.FCService = ""
		return
	}
	if v := l.raw.get("fc-service"); v.set() {
		c.FCService = v.raw
		return
	}
	fcKey, fcFrom := pick(false)
	if lithops.IsTemporaryAliyunKey(fcKey) {
		l.fail("fc-service", value{}, "must be set for Lithops %s (Function Compute 2.0): Lithops clients name their FC service lithops_<their AccessKey id[:4]>, and the AccessKey id here (%s) is a temporary STS key; set fc-service to the clients' service (aliyun_fc.service in their config), or access-key-id to the clients' AccessKey id (not a secret)", c.Lithops, fcFrom)
		return
	}
	c.FCService = lithops.FCServiceName(fcKey, "")
}

// deployMode resolves aliyun_fc.deploy_mode (Lithops >= 3.7): from the Lithops config, checked
// against the package type, else from the package type.
func (l *loader) deployMode() {
	c := l.cfg
	if c.Backend != lithops.AliyunFC || lithops.FCGenerationFor(c.Lithops) != lithops.FC3 {
		c.DeployMode = ""
		return
	}
	want := "runtime"
	if c.PackageType == lithops.PackageImage {
		want = "custom-container"
	}
	if c.DeployMode == "" {
		c.DeployMode = want
		return
	}
	from := value{raw: c.DeployMode, from: "lithops-config aliyun_fc.deploy_mode"}
	switch {
	case c.DeployMode != "runtime" && c.DeployMode != "custom-container":
		l.fail("lithops-config", from, "aliyun_fc.deploy_mode must be 'runtime' or 'custom-container' (Lithops refuses other values)")
	case c.DeployMode != want:
		l.fail("package-type", l.raw.get("package-type"), "is %s, but the clients' aliyun_fc.deploy_mode is %q: Lithops clients in that mode deploy and name %s runtimes; build package-type %s, or change deploy_mode", c.PackageType, c.DeployMode, c.DeployMode, map[string]string{"runtime": "zip", "custom-container": "image"}[c.DeployMode])
	}
}
