// Package lithops is the Lithops compatibility contract as code: the exact
// names, keys, payloads and platform facts an unmodified Lithops client
// computes and expects, so that a runtime deployed by this action is used by
// lithops.FunctionExecutor(runtime=..., runtime_memory=...) without the
// client redeploying anything.
//
// Every formula here is Lithops' own, for every release in VerifiedVersions
// (lithops/serverless/backends/aws_lambda/aws_lambda.py, aliyun_fc/aliyun_fc.py,
// lithops/storage/backends/aws_s3 and aliyun_oss, lithops/storage/storage.py),
// and internal/oracle compares each with the real release's code installed
// from PyPI. Where shared/design/lithops-contract.md disagrees, Lithops' code
// wins. The package performs no I/O.
package lithops

// Backends this action deploys to, named as in Lithops' configuration.
const (
	// AWSLambda is Lithops' aws_lambda serverless backend.
	AWSLambda = "aws_lambda"
	// AliyunFC is Lithops' aliyun_fc serverless backend.
	AliyunFC = "aliyun_fc"
	// Local is this action's embedded backend: it builds the same artifacts
	// as aws_lambda, names them as aws_lambda would with user key "local"
	// and region "local", and runs them on this machine.
	Local = "local"
)

// Package types of a runtime.
const (
	// PackageZip is a zip runtime (Lambda layer + function zip, FC code zip).
	PackageZip = "zip"
	// PackageImage is a container image runtime.
	PackageImage = "image"
)
