package lithops

import "fmt"

// FCGeneration is the Function Compute API a Lithops version talks to.
type FCGeneration int

const (
	// FC3 is Function Compute 3.0 (API 2023-03-30, no services): Lithops >= 3.7.0.
	FC3 FCGeneration = 3
	// FC2 is Function Compute 2.0 (API 2016-08-15, a service per user): Lithops <= 3.6.x.
	FC2 FCGeneration = 2
)

// fc3Constraint selects FC 3.0 by Lithops version (3.7.0's pre-releases
// already carried the FC 3.0 backend).
const fc3Constraint = ">= 3.7.0-0"

// fcAmbiguous are the development builds between the last FC 2.0 release
// (3.6.4) and the first FC 3.0 release (3.7.0): master builds versioned
// 3.6.5.dev0 used FC 2.0 and the access-key bucket until the Alibaba backends
// were rewritten (commit b866273c, June 2026), FC 3.0 and the sha1 bucket
// after it. The version string cannot tell which.
const fcAmbiguous = "> 3.6.4, < 3.7.0-0"

// CheckFCVersion refuses the Lithops versions whose FC generation and
// default OSS bucket the version string does not determine.
func CheckFCVersion(v Version) error {
	if v.Check(fcAmbiguous) {
		return fmt.Errorf("Lithops %s is a development build between 3.6.4 (Function Compute 2.0, bucket lithops-<region>-<key[:6]>) and 3.7.0 (FC 3.0, sha1 bucket), and builds with this version string used either: deploy for a released Lithops (3.6.4 or 3.7.0 and newer)", v)
	}
	return nil
}

// FCGenerationFor picks the FC API generation of a Lithops version.
func FCGenerationFor(v Version) FCGeneration {
	if v.Check(fc3Constraint) {
		return FC3
	}
	return FC2
}

// String is "FC 3.0" or "FC 2.0".
func (g FCGeneration) String() string {
	if g == FC2 {
		return "FC 2.0"
	}
	return "FC 3.0"
}
