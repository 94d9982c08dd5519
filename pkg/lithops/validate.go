package lithops

import (
	"fmt"
	"regexp"
	"strings"
)

// Lambda's own limits on the names Lithops computes (Lambda API reference: FunctionName
// [a-zA-Z0-9-_]+ of at most 64 characters; LayerName [a-zA-Z0-9-_]+ of at most 140).
const (
	AWSMaxFunctionName = 64
	AWSMaxLayerName    = 140
)

var (
	lambdaName = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
	// ECR's repositoryName pattern and the image tag grammar.
	ecrRepository = regexp.MustCompile(`^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$`)
	imageTag      = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
)

// AWSNames are the inputs of the names an AWS Lambda runtime is deployed under.
type AWSNames struct {
	UserKey     string
	Lithops     Version
	RuntimeName string
	MemoryMB    []int
	Namespace   string
	PackageType string // PackageZip or PackageImage
}

// NameError is a name Lithops computes that the cloud would refuse, with the input to change.
type NameError struct {
	Input string // "runtime-name", "namespace" or "user-id"
	Name  string // the computed name
	Rule  string
}

func (e *NameError) Error() string { return e.Rule }

// Check computes the function names (and the layer name of a zip runtime, the ECR
// repository and tag of an image runtime) as Lithops does, and checks them against Lambda's and
// ECR's rules, so that a bad namespace, user key or runtime name fails before any call.
func (n AWSNames) Check() error {
	blame := func() string {
		if n.Namespace != "" {
			return "namespace"
		}
		return "runtime-name"
	}
	for _, part := range []struct{ input, value string }{{"namespace", n.Namespace}, {"user-id", n.UserKey}} {
		if part.value != "" && !lambdaName.MatchString(part.value) {
			what := part.value
			if part.input == "user-id" {
				what = "the user key " + part.value + " (the last 4 characters of the user id before any ':')"
			}
			return &NameError{Input: part.input, Name: part.value, Rule: fmt.Sprintf("%s becomes part of the Lambda function names, which allow only letters, digits, '_' and '-'", what)}
		}
	}
	pkg := AWSPackage(n.Lithops, n.UserKey, n.Namespace)
	for _, m := range n.MemoryMB {
		fn := AWSFunctionName(n.UserKey, n.Lithops, n.RuntimeName, m, n.Namespace)
		if len(fn) > AWSMaxFunctionName {
			return &NameError{Input: blame(), Name: fn, Rule: fmt.Sprintf("the Lambda function name %q would be %d characters, over Lambda's limit of %d: use a namespace of at most %d characters",
				fn, len(fn), AWSMaxFunctionName, len(n.Namespace)-(len(fn)-AWSMaxFunctionName))}
		}
	}
	if n.PackageType == PackageImage {
		repo, tag, err := AWSECRRepository(pkg, n.RuntimeName)
		if err != nil {
			return &NameError{Input: "runtime-name", Name: n.RuntimeName, Rule: err.Error()}
		}
		if !ecrRepository.MatchString(repo) || len(repo) > 256 || !imageTag.MatchString(tag) {
			input := "runtime-name"
			if !ecrRepository.MatchString(strings.ToLower(pkg)) {
				input = blame()
			}
			return &NameError{Input: input, Name: repo + ":" + tag, Rule: fmt.Sprintf("the ECR image %s:%s is not a valid repository and tag (repository: up to 256 lower-case letters and digits, with single '.', '_', '-' or '/' between them; tag: up to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-')", repo, tag)}
		}
		return nil
	}
	layer := AWSLayerName(pkg, n.RuntimeName)
	if !lambdaName.MatchString(n.RuntimeName) {
		return &NameError{Input: "runtime-name", Name: layer, Rule: fmt.Sprintf("a zip runtime's name becomes its Lambda layer name %q, which allows only letters, digits, '_' and '-' (no '/', '.' or ':'): rename the runtime", layer)}
	}
	if len(layer) > AWSMaxLayerName {
		return &NameError{Input: "runtime-name", Name: layer, Rule: fmt.Sprintf("the Lambda layer name %q would be %d characters, over Lambda's limit of %d: use a runtime name of at most %d characters",
			layer, len(layer), AWSMaxLayerName, len(n.RuntimeName)-(len(layer)-AWSMaxLayerName))}
	}
	return nil
}
