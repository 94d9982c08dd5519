package run

import (
	"fmt"
	"strings"
	"time"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/bytesize"
	"github.com/lithops-runtime-action/lithops-runtime-action/internal/config"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/deploy"
	"github.com/lithops-runtime-action/lithops-runtime-action/pkg/lithops"
)

// renderSummary is the step summary: what was built and deployed, and how to use it from Lithops.
func renderSummary(p *pipeline) string {
	cfg, art := p.cfg, p.artifact
	var b strings.Builder
	title := "Lithops runtime `" + cfg.RuntimeName + "`"
	if cfg.DryRun {
		title += " (dry run: nothing was changed)"
	}
	fmt.Fprintf(&b, "### %s\n\n", title)
	fmt.Fprintf(&b, "| | |\n|---|---|\n")
	row := func(k, v string) { fmt.Fprintf(&b, "| %s | %s |\n", k, v) }
	row("Backend", cfg.Backend)
	row("Runtime name", "`"+cfg.RuntimeName+"`")
	row("Python / Lithops", fmt.Sprintf("%s / %s", cfg.Python, cfg.Lithops))
	row("Package type", cfg.PackageType)
	for _, f := range p.plan.Functions {
		row(fmt.Sprintf("Function (%d MB)", f.MemoryMB), "`"+f.Name+"`")
	}
	if art.Layer != nil {
		layer := p.plan.LayerID // the live version reused, "" when a new one is published
		if p.deployment != nil && p.deployment.LayerID != "" {
			layer = p.deployment.LayerID
		}
		row("Layer", fmt.Sprintf("`%s`: %s zipped, %s unzipped", orDash(layer), bytesize.Format(art.Layer.Size), bytesize.Format(art.Layer.UnzippedSize)))
	}
	if art.Function != nil {
		row("Function code", fmt.Sprintf("%s zipped, %s unzipped, sha256 `%s`", bytesize.Format(art.Function.Size), bytesize.Format(art.Function.UnzippedSize), art.Function.SHA256))
	}
	if art.ImageDigest != "" {
		if art.Reused {
			row("Image", fmt.Sprintf("`%s`, already run by every function (not built or pushed)", art.ImageDigest))
		} else {
			row("Image", fmt.Sprintf("`%s`, %s, built by %s", art.ImageDigest, bytesize.Format(art.ImageSize), art.ImageBuilder))
		}
		if art.BuildKey != "" {
			row("Build key", "`"+art.BuildKey+"`")
		}
		if p.deployment != nil && p.deployment.ImageURI != "" {
			row("Image URI", "`"+p.deployment.ImageURI+"`")
		}
	}
	changed := "no: everything was already up to date"
	if p.changed {
		changed = "yes"
	}
	row("Changed", changed)
	for _, s := range p.plan.Steps {
		row("Plan: "+s.Resource, fmt.Sprintf("%s `%s`", s.Action, s.Name))
	}
	if len(p.written) > 0 || (len(p.metadata) > 0 && cfg.WriteMetadata) {
		row("Runtime metadata", fmt.Sprintf("`%s` in bucket `%s`", p.plan.Functions[0].MetadataKey(), p.plan.Bucket))
	}
	var times []string
	for _, t := range p.result.Timings {
		times = append(times, fmt.Sprintf("%s %s", t.Stage, t.Duration.Round(time.Millisecond)))
	}
	row("Time per stage", strings.Join(times, ", "))

	fmt.Fprintf(&b, "\n#### Use it from Lithops\n\n```python\nimport lithops\nfexec = lithops.FunctionExecutor(backend=%q, runtime=%q, runtime_memory=%d)\n```\n",
		clientBackend(cfg.Backend), cfg.RuntimeName, cfg.Memory[0])
	switch cfg.Backend {
	case lithops.AWSLambda:
		b.WriteString(awsClientSettings(p))
	case lithops.AliyunFC:
		b.WriteString(fcClientSettings(p))
	}
	if cfg.Backend == lithops.Local {
		b.WriteString("\nThe `local` backend ran the AWS Lambda artifacts on this machine; deploy them with `backend: aws_lambda`.\n")
	}
	return b.String()
}

func clientBackend(b string) string {
	if b == lithops.Local {
		return lithops.AWSLambda
	}
	return b
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// awsClientSettings is the Lithops config that makes a client compute the same names as this run:
// the user key comes from the CI identity, which may differ from the user's own.
func awsClientSettings(p *pipeline) string {
	return "\nIf your Lithops clients run under another AWS identity than this workflow, " +
		"these settings make them compute the same function names and read the same metadata " +
		"(`user_id` only needs to end with the user key `" + p.plan.UserKey + "`):\n\n```yaml\n" +
		ClientConfig(p.cfg, p.plan) + "```\n"
}

// fcClientSettings is the Lithops config that points clients at this runtime and its metadata.
func fcClientSettings(p *pipeline) string {
	return "\nLithops config for your clients (the metadata is read from this bucket; without it they would deploy the runtime themselves):\n\n```yaml\n" +
		ClientConfig(p.cfg, p.plan) + "```\n"
}

// ClientConfig is the Lithops config (YAML, without credentials) with which a client uses the
// runtime of cfg as plan deployed it, without redeploying: the runtime, memory and timeout, the
// region, the user key (AWS), the storage bucket and its region, for Lithops <= 3.6 on Aliyun the
// FC 2.0 service, for FC custom containers deploy_mode with the docker_server/docker_user
// Lithops' config loader requires with it. internal/oracle reads it with Lithops' own loader.
func ClientConfig(cfg *config.Config, plan *deploy.Plan) string {
	var b strings.Builder
	storageRegion := cfg.StorageRegion
	if storageRegion == "" {
		storageRegion = plan.Region
	}
	switch clientBackend(cfg.Backend) {
	case lithops.AWSLambda:
		fmt.Fprintf(&b, "lithops:\n  backend: aws_lambda\n  storage: aws_s3\naws_lambda:\n  region: %s\n  user_id: %s\n", plan.Region, plan.UserKey)
		if cfg.Namespace != "" {
			fmt.Fprintf(&b, "  namespace: %s\n", cfg.Namespace)
		}
		fmt.Fprintf(&b, "  runtime: %s\n  runtime_memory: %d\n  runtime_timeout: %d\naws_s3:\n  region: %s\n  storage_bucket: %s\n",
			cfg.RuntimeName, cfg.Memory[0], cfg.Timeout, storageRegion, plan.Bucket)
	case lithops.AliyunFC:
		fmt.Fprintf(&b, "lithops:\n  backend: aliyun_fc\n  storage: aliyun_oss\naliyun:\n  region: %s\n  account_id: %s\naliyun_fc:\n  runtime: %s\n  runtime_memory: %d\n  runtime_timeout: %d\n",
			plan.Region, cfg.AccountID, cfg.RuntimeName, cfg.Memory[0], cfg.Timeout)
		if cfg.FCService != "" {
			fmt.Fprintf(&b, "  service: %s\n", cfg.FCService)
		}
		if cfg.PackageType == lithops.PackageImage {
			server, user := registryParts(cfg.Registry)
			fmt.Fprintf(&b, "  deploy_mode: custom-container\n  docker_server: %s\n  docker_user: %s\n", server, user)
		}
		fmt.Fprintf(&b, "aliyun_oss:\n  region: %s\n  storage_bucket: %s\n", storageRegion, plan.Bucket)
	}
	return b.String()
}

// registryParts splits an image repository (host/namespace/repo[:tag]) into Lithops'
// docker_server and docker_user (the registry host and the namespace after it).
func registryParts(repo string) (server, user string) {
	server, rest, _ := strings.Cut(repo, "/")
	user, _, _ = strings.Cut(rest, "/")
	user, _, _ = strings.Cut(user, ":")
	return server, user
}
