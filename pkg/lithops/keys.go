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

// ossSHA1BucketConstraint selects the sha1 form of the default OSS bucket
// (aliyun_oss.py _bucket_name_suffix, first released in 3.7.0).
const ossSHA1BucketConstraint = ">= 3.7.0-0"

// DefaultOSSBucket is Lithops' default aliyun_oss storage bucket
// (aliyun_oss.py generate_bucket_name), from the client's AccessKey id:
// Lithops >= 3.7.0 "lithops-<region>-<sha1(access_key_id + account_id) hex[:12]>",
// Lithops 3.3.0-3.6.x "lithops-<region>-<access_key_id[:6].lower()>".
func DefaultOSSBucket(v Version, region, accessKeyID, accountID string) string {
	if !v.Check(ossSHA1BucketConstraint) {
		k := accessKeyID
		if len(k) > 6 {
			k = k[:6]
		}
		return "lithops-" + region + "-" + strings.ToLower(k)
	}
	sum := sha1.Sum([]byte(accessKeyID + accountID))
	return "lithops-" + region + "-" + hex.EncodeToString(sum[:])[:12]
}

// IsTemporaryAliyunKey reports whether an AccessKey id is an STS (temporary)
// one: Aliyun's STS AccessKey ids start with "STS.". Lithops derives the
// default OSS bucket and the FC 2.0 service from the client's own key, which
// a job with temporary credentials does not know.
func IsTemporaryAliyunKey(accessKeyID string) bool {
	return strings.HasPrefix(accessKeyID, "STS.")
}
