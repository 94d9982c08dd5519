package lithops

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// DefaultRuntimeName is the runtime name a Lithops client uses when none is
// configured: aws_lambda (and local) "default-runtime-v312"; aliyun_fc with
// FC 3.0 "default-python-runtime-v312" (zip) or
// "default-container-runtime-v312" (image); aliyun_fc with FC 2.0
// "default-runtime-v312".
func DefaultRuntimeName(backend, packageType string, py Python, v Version) string {
	if backend == AliyunFC && FCGenerationFor(v) == FC3 {
		if packageType == PackageImage {
			return "default-container-runtime-v" + py.NoDot()
		}
		return "default-python-runtime-v" + py.NoDot()
	}
	return "default-runtime-v" + py.NoDot()
}

// AWSUserKey derives Lithops' user key from an STS UserId: the last four
// characters of the part before any ":" (assumed roles carry ":session"),
// lower-cased. "AROAEXAMPLE1234:session" -> "1234".
func AWSUserKey(userID string) string {
	id, _, _ := strings.Cut(userID, ":")
	if len(id) > 4 {
		id = id[len(id)-4:]
	}
	return strings.ToLower(id)
}

// AWSPackage is "lithops_v<ver_nodots>_<user_key>", plus "_<namespace>" when
// a namespace is configured.
func AWSPackage(v Version, userKey, namespace string) string {
	p := "lithops_v" + v.NoDots() + "_" + userKey
	if namespace != "" {
		p += "_" + namespace
	}
	return p
}

// FunctionHash is sha1("<runtime_name>-<memory>-<version>") in hex, first 10
// characters: the suffix of every Lithops function name.
func FunctionHash(runtimeName string, memoryMB int, v Version) string {
	sum := sha1.Sum([]byte(runtimeName + "-" + strconv.Itoa(memoryMB) + "-" + v.String()))
	return hex.EncodeToString(sum[:])[:10]
}

// AWSFunctionName is "lithops-worker-<user_key>-<ver_nodots>-<hash>",
// prefixed with "<namespace>-" when a namespace is set.
func AWSFunctionName(userKey string, v Version, runtimeName string, memoryMB int, namespace string) string {
	name := "lithops-worker-" + userKey + "-" + v.NoDots() + "-" + FunctionHash(runtimeName, memoryMB, v)
	if namespace != "" {
		name = namespace + "-" + name
	}
	return name
}

// AWSLayerName is "<package>_<runtime_name>_layer".
func AWSLayerName(pkg, runtimeName string) string {
	return pkg + "_" + runtimeName + "_layer"
}

// AWSECRRepository is the ECR repository and tag Lithops pushes a container
// runtime to (aws_lambda.py build_runtime and _format_repo_name):
// lower("<package>/" + runtime_name.split(":")[0]) and runtime_name.split(":")[1],
// else "latest". Lithops splits at the first ":", so a name with a registry
// port ("host:5000/img:1") or several colons is not one Lithops can deploy
// (its _deploy_container_runtime unpacks runtime_name.split(":") into two
// values): such names are an error.
func AWSECRRepository(pkg, runtimeName string) (repo, tag string, err error) {
	parts := strings.Split(runtimeName, ":")
	switch len(parts) {
	case 1:
		tag = "latest"
	case 2:
		tag = parts[1]
	default:
		return "", "", fmt.Errorf("the container runtime name %q has %d colons: Lithops splits it at ':' into image and tag (runtime_name.split(':')) and cannot deploy it; use NAME:TAG without a registry host or port", runtimeName, len(parts)-1)
	}
	if tag == "" {
		return "", "", fmt.Errorf("the container runtime name %q ends with ':': Lithops would use an empty image tag; use NAME:TAG", runtimeName)
	}
	return strings.ToLower(pkg + "/" + parts[0]), tag, nil
}

// IsAWSContainerRuntime is aws_lambda.py's _is_container_runtime: the name
// after its first "/" (runtime_name.split("/", 1)[-1]) does not contain
// "default-runtime-v". (Lithops' deploy_runtime deploys a zip (layer)
// runtime only for the exact default runtime name of the client's Python;
// _is_container_runtime decides what delete_runtime removes.)
func IsAWSContainerRuntime(runtimeName string) bool {
	_, after, found := strings.Cut(runtimeName, "/")
	if !found {
		after = runtimeName
	}
	return !strings.Contains(after, "default-runtime-v")
}

// AWSDeploysZip reports whether a Lithops client deploys runtimeName as a
// zip (layer) runtime: aws_lambda.py deploy_runtime does so only for the
// exact default runtime name of the client's Python, and deploys every other
// name as a container image from ECR.
func AWSDeploysZip(runtimeName string, py Python) bool {
	return runtimeName == "default-runtime-v"+py.NoDot()
}

// AWSTags are the tags Lithops sets on its functions (lithops runtime list
// relies on them).
func AWSTags(runtimeName string, v Version) map[string]string {
	return map[string]string{"runtime_name": runtimeName, "lithops_version": v.String()}
}

// FCMaxName is the longest function or service name Function Compute accepts.
const FCMaxName = 64

var (
	awsRuntimeName = regexp.MustCompile(`^[A-Za-z0-9_/.:-]+$`)
	fcName         = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)
)

// FCFunctionName is the FC function name Lithops computes:
// "lithops-worker-<runtime_name>-v<ver_dashes>-<hash>". It fails when the
// result is not a valid FC name (over 64 characters, or characters other
// than letters, digits, "_" and "-").
func FCFunctionName(runtimeName string, memoryMB int, v Version) (string, error) {
	name := "lithops-worker-" + runtimeName + "-v" + v.Dashes() + "-" + FunctionHash(runtimeName, memoryMB, v)
	if len(name) > FCMaxName {
		return name, fmt.Errorf("the Function Compute function name %q is %d characters long, over FC's limit of %d: use a runtime name of at most %d characters",
			name, len(name), FCMaxName, len(runtimeName)-(len(name)-FCMaxName))
	}
	if !fcName.MatchString(name) {
		return name, fmt.Errorf("the Function Compute function name %q may only contain letters, digits, '_' and '-': rename the runtime", name)
	}
	return name, nil
}

// FCServiceName is the FC 2.0 service of Lithops <= 3.6: the configured one,
// else "lithops_<lower(access_key_id[:4])>".
func FCServiceName(accessKeyID, configured string) string {
	if configured != "" {
		return configured
	}
	k := accessKeyID
	if len(k) > 4 {
		k = k[:4]
	}
	return "lithops_" + strings.ToLower(k)
}

// ValidateRuntimeName checks a runtime name against what the backend's names
// can hold: AWS (and local) ^[A-Za-z0-9_/.:-]+$; FC letters, digits, "_"
// and "-".
func ValidateRuntimeName(backend, name string) error {
	switch {
	case name == "":
		return fmt.Errorf("the runtime name is empty")
	case backend == AliyunFC && !regexp.MustCompile(`^[A-Za-z0-9_-]+$`).MatchString(name):
		return fmt.Errorf("Function Compute names allow only letters, digits, '_' and '-' (no ':', '/' or '.')")
	case !awsRuntimeName.MatchString(name):
		return fmt.Errorf("runtime names may only contain letters, digits and _ / . : -")
	}
	return nil
}
