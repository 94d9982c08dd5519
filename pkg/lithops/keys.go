package lithops

import (
	"crypto/sha1"
	"encoding/hex"
	"strings"
)

// RuntimeKey is the key under which a client stores a runtime's metadata:
// "<backend>/<version>/<region>/<function>", with the FC 2.0 service before
// the function for aliyun_fc clients older than 3.7.0 (serviceName is
// ignored otherwise).
func RuntimeKey(backend string, v Version, region, serviceName, functionName string) string {
	parts := []string{backend, v.String(), region}
	if backend == AliyunFC && FCGenerationFor(v) == FC2 {
		parts = append(parts, serviceName)
	}
	return strings.Join(append(parts, functionName), "/")
}

// MetadataKey is the storage key of a runtime's metadata object:
// "lithops.runtimes/<runtime_key>.meta.json".
func MetadataKey(runtimeKey string) string {
	return "lithops.runtimes/" + runtimeKey + ".meta.json"
}

// DefaultAWSBucket is Lithops' default aws_s3 storage bucket:
// "lithops-<region>-<user_key>".
func DefaultAWSBucket(region, userKey string) string {
	return "lithops-" + region + "-" + userKey
}

// DefaultOSSBucket is Lithops' default aliyun_oss storage bucket:
// "lithops-<region>-<sha1(access_key_id + account_id) hex[:12]>".
func DefaultOSSBucket(region, accessKeyID, accountID string) string {
	sum := sha1.Sum([]byte(accessKeyID + accountID))
	return "lithops-" + region + "-" + hex.EncodeToString(sum[:])[:12]
}
