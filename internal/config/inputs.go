// Package config reads the action's inputs — command line flags, INPUT_* variables and a Lithops
// config file — into one validated Config. It reports every bad input at once, each naming the
// input, its value and what is allowed, before anything is built.
package config

// Input describes one input of the action: its name (kebab-case, as in action.yml and as a flag),
// its default as documented, and what it means.
type Input struct {
	Name        string
	Default     string
	Description string
	// Secret marks inputs whose values are masked wherever they are echoed.
	Secret bool
}

// Inputs lists every input of the action contract, in the order action.yml documents them.
// The default shown is the documented one; several are computed (see Load).
var Inputs = []Input{
	{Name: "backend", Default: "local", Description: "Where to deploy: aws_lambda, aliyun_fc, or local (build the AWS Lambda artifacts and run them on this machine; no cloud, no credentials)."},
	{Name: "runtime-name", Description: "The Lithops runtime name users pass as runtime=. Default: Lithops' default runtime name for the backend, Python and Lithops version."},
	{Name: "requirements", Description: "A pip requirements file: a zip runtime (AWS: layer + function; FC: code zip), or with package-type image an image built without Docker. Added to Lithops' own runtime dependencies."},
	{Name: "dockerfile", Description: "A Dockerfile: a container runtime. Setting both dockerfile and requirements is an error."},
	{Name: "context", Description: "Docker build context. Default: the directory of the Dockerfile."},
	{Name: "build-args", Description: "Dockerfile builds: build arguments (--build-arg), one KEY=VALUE per line as docker/build-push-action's build-args; blank lines and lines starting with # are ignored. Each is part of the build key: a changed value rebuilds and updates the functions. Logs show the names only, but a value used by a RUN step is recorded in the image's history: pass real secrets another way. On the command line, --build-args may be given once per argument."},
	{Name: "package-type", Description: "zip or image. Default: image with a Dockerfile, else zip."},
	{Name: "memory", Default: "256", Description: "Memory in MB; a comma list (256,1024,2048) deploys one function per size from one build."},
	{Name: "timeout", Description: "Function timeout in seconds. Default: 180 (AWS Lambda, local), 300 (Aliyun FC)."},
	{Name: "python-version", Description: "The runtime's Python (major.minor). Default: the python3 on PATH."},
	{Name: "lithops-version", Description: "Exact Lithops version to package (e.g. 3.7.0). Default: the lithops importable by the python3 on PATH."},
	{Name: "allow-unverified-lithops", Default: "false", Description: "Deploy for a Lithops version newer than the newest one this tool has been verified against (3.8.0). Its names may differ: check that clients use the runtime without redeploying."},
	{Name: "architecture", Default: "x86_64", Description: "x86_64 or arm64 (AWS Lambda only; Aliyun FC is x86_64 only)."},
	{Name: "region", Description: "Cloud region. Default: AWS_REGION / AWS_DEFAULT_REGION, or ALIBABA_CLOUD_REGION_ID."},
	{Name: "role", Description: "Execution role ARN (AWS execution_role, FC role_arn). Default: from lithops-config."},
	{Name: "storage-bucket", Description: "Bucket where runtime metadata is written and large zips are staged. Default: lithops-config's aws_s3/aliyun_oss storage_bucket (or aws/aliyun), else Lithops' default bucket name in the storage backend's region."},
	{Name: "namespace", Description: "Lithops namespace (AWS function name prefix)."},
	{Name: "user-id", Description: "Override for the AWS user key of function, layer and repository names (Lithops aws_lambda.user_id or aws.user_id). Default: STS UserId. Lithops' default S3 bucket always uses the STS caller's key."},
	{Name: "account-id", Description: "Cloud account id. Default: STS (AWS) / ALIBABA_CLOUD_ACCOUNT_ID (FC)."},
	{Name: "access-key-id", Description: "Aliyun: the AccessKey id your Lithops clients use (not a secret; its AccessKey secret is never needed). Lithops names the default OSS bucket and the FC 2.0 service after it; required with temporary (STS/OIDC) credentials unless storage-bucket (and, for Lithops <= 3.6, fc-service) are set. Default: aliyun.access_key_id of lithops-config, else the deploying AccessKey id."},
	{Name: "fc-service", Description: "Aliyun FC 2.0 (Lithops <= 3.6): the service the clients use (Lithops aliyun_fc.service). Default: lithops-config, else Lithops' lithops_<access key id[:4]>."},
	{Name: "lithops-config", Description: "A Lithops config YAML whose sections fill unset inputs. Default: LITHOPS_CONFIG_FILE, else .lithops_config in the workspace if present."},
	{Name: "registry", Description: "Image repository for container runtimes. Default: the account's ECR (AWS); required for Aliyun FC custom containers (an ACR repository)."},
	{Name: "base-image", Description: "Base image for images built from requirements. Default: public.ecr.aws/lambda/python:<python>."},
	{Name: "builder", Default: "auto", Description: "Dockerfile builder: auto, docker, buildah or podman."},
	{Name: "build-cache", Description: "Dockerfile builds: the builder's layer cache across runs, so that a changed last step does not rerun the steps before it. gha (docker buildx's GitHub Actions cache), or a repository (host/path) holding the cache (buildx registry cache; buildah/podman --layers --cache-from/--cache-to). Default: none."},
	{Name: "reproducible", Default: "true", Description: "Dockerfile builds: fixed timestamps (SOURCE_DATE_EPOCH, else 1980-01-01) in the image config, history and layer files, so the same inputs give the same digest. false: the builder writes the current time."},
	{Name: "smoke-test", Default: "true", Description: "Invoke the deployed runtime with Lithops' metadata request and check it."},
	{Name: "local-test", Default: "auto", Description: "Container runtimes: run the built image on this machine with Lithops' metadata request before anything is pushed. auto: when the machine can (root on Linux for chroot, or a Docker daemon); true: required; false: never."},
	{Name: "write-metadata", Default: "true", Description: "After a passing smoke test, write the Lithops runtime metadata object so clients skip their own deploy."},
	{Name: "dry-run", Default: "false", Description: "Build, check limits and print the plan; change nothing in the cloud."},
	{Name: "fc-endpoint", Description: "Aliyun Function Compute endpoint (VPC endpoint or a local emulator). Default: derived from account and region."},
	{Name: "oss-endpoint", Description: "Aliyun OSS endpoint. Default: derived from region."},
	{Name: "local-dir", Description: "State directory of the local backend. Default: $RUNNER_TEMP/lithops-runtime in Actions, else the user cache directory."},
	{Name: "installer", Default: "auto", Description: "What resolves a zip runtime's requirements: auto (uv when it is on PATH, else pip), pip, uv, or the path of a uv executable. The same versions give the same artifacts either way; pip installs lithops."},
}

// Outputs lists every output of the action contract, in the order action.yml documents them.
var Outputs = []Input{
	{Name: "runtime-name", Description: "The Lithops runtime name deployed."},
	{Name: "function-name", Description: "The function (the first one when several memory sizes)."},
	{Name: "function-names", Description: "JSON list of the functions, one per memory size."},
	{Name: "function-arn", Description: "AWS function ARN / FC function id / local function id (first function)."},
	{Name: "runtime-key", Description: "Lithops runtime key of the first function."},
	{Name: "metadata-key", Description: "Storage key of the metadata object of the first function (empty when not written)."},
	{Name: "python-version", Description: "Python version as verified in the runtime by the smoke test."},
	{Name: "lithops-version", Description: "Lithops version as verified in the runtime by the smoke test."},
	{Name: "package-type", Description: "zip or image."},
	{Name: "bundle-sha256", Description: "Hex sha256 of the function code zip (zip runtimes)."},
	{Name: "layer-arn", Description: "AWS layer version ARN (zip runtimes; local: the local layer id)."},
	{Name: "image-uri", Description: "registry/repo@sha256:... (image runtimes)."},
	{Name: "image-digest", Description: "sha256:... (image runtimes)."},
	{Name: "changed", Description: "true if anything was created or updated, false when everything was already up to date."},
}
