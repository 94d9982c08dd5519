// Package oracle holds the differential tests that make real Lithops the judge: for every Lithops
// release this tool supports (lithops.VerifiedVersions), the real wheel from PyPI is installed
// into a cache, imported by python3 with the cloud SDKs stubbed, and Lithops' own functions and
// methods compute function, layer and ECR repository names, container classification, runtime
// keys, default runtime names, default S3/OSS buckets, the FC 2.0 service, the runtime metadata
// object and the values of Lithops config files. Each must be byte-equal to what pkg/lithops and
// internal/config compute. The package has no code outside its tests.
package oracle
